/** Builds ApiClients against a simulator and cleans them up; counts what the simulator received. */
import type { Dispatcher } from 'undici';
import { ApiClient, type ApiClientOptions } from '../../../../src/core/api/client';
import type { BackoffOptions } from '../../../../src/core/api/backoff';
import type { RecordedRequest, Simulator } from '../../../simulator/server';
import { ImmediateClock } from './helpers';

export const KEY = 'dk-1234567890abcdef';
export const UA = 'nano-banana-vscode/0.1.0 (VS Code 1.100.0; linux)';
export const MODEL = 'google/gempix2';
/** Small but real delays; with ImmediateClock nothing actually waits. */
export const FAST: BackoffOptions = { baseMs: 5, factor: 2, capMs: 20 };

export interface Made {
  client: ApiClient;
  clock: ImmediateClock;
  lines: string[];
}

/** Keeps every client made by `makeClient` so `closeAll` can close them after each test. */
const open: ApiClient[] = [];

export function makeClient(sim: Pick<Simulator, 'url'>, over: Partial<ApiClientOptions> = {}): Made {
  const lines: string[] = [];
  const clock = (over.clock as ImmediateClock | undefined) ?? new ImmediateClock();
  const client = new ApiClient({
    baseUrl: sim.url,
    apiKey: () => KEY,
    userAgent: UA,
    clock,
    random: () => 0.5,
    backoff: FAST,
    log: (l) => lines.push(l),
    ...over,
  });
  open.push(client);
  return { client, clock, lines };
}

export async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map((c) => c.close()));
}

export const posts = (sim: Simulator): RecordedRequest[] => sim.requests.filter((r) => r.method === 'POST' && r.path === '/api/image/gen');
export const queries = (sim: Simulator): RecordedRequest[] => sim.requests.filter((r) => r.path.startsWith('/api/task/query'));
export const users = (sim: Simulator): RecordedRequest[] => sim.requests.filter((r) => r.path === '/api/user');

/** A dispatcher that records any use and refuses it (proves that nothing was sent). */
export function spyDispatcher(): { dispatcher: Dispatcher; calls: number } {
  const spy = {
    calls: 0,
    dispatcher: undefined as unknown as Dispatcher,
  };
  spy.dispatcher = {
    dispatch() {
      spy.calls++;
      throw new Error('no request may be sent');
    },
    close: () => Promise.resolve(),
    destroy: () => Promise.resolve(),
  } as unknown as Dispatcher;
  return spy;
}
