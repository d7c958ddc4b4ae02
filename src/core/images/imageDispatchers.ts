/**
 * Which undici dispatcher carries each hop of an image download: the caller's, a proxy for hosts off
 * this computer, undici's global one when the API runs on this computer, else one whose connections
 * only reach public addresses (publicLookup.ts). No `vscode`.
 */
import { Agent, ProxyAgent, type Dispatcher } from '../api/undici';
import { NanoError } from '../errors';
import type { FetchImageOptions } from './fetch';
import { classifyHost } from './hosts';
import { publicOnlyLookup } from './publicLookup';

/** Connections whose DNS answer is checked (publicOnlyLookup), shared by downloads so they are reused. */
let guardedAgent: Agent | undefined;

/**
 * Which dispatcher carries a hop: the caller's, a proxy for hosts off this computer, undici's global
 * one when the API runs on this computer, else one that connects to public addresses only.
 */
export function dispatchers(
  opts: Pick<FetchImageOptions, 'dispatcher' | 'proxy' | 'resolve'>,
  allowLocal: boolean,
): { forUrl(url: URL): Dispatcher | undefined; close(): void } {
  let proxyAgent: ProxyAgent | undefined;
  let ownAgent: Agent | undefined;
  return {
    forUrl(url) {
      if (opts.dispatcher) return opts.dispatcher;
      if (!opts.proxy || classifyHost(url.hostname) === 'loopback') {
        if (allowLocal) return undefined;
        if (opts.resolve) return (ownAgent ??= new Agent({ connect: { lookup: publicOnlyLookup(opts.resolve) } }));
        return (guardedAgent ??= new Agent({ connect: { lookup: publicOnlyLookup() } }));
      }
      if (!proxyAgent) {
        try {
          proxyAgent = new ProxyAgent(opts.proxy);
        } catch (e) {
          throw new NanoError({ kind: 'config', message: `The proxy "${opts.proxy}" is not a valid proxy URL.`, retryable: false, cause: e });
        }
      }
      return proxyAgent;
    },
    close() {
      if (proxyAgent) void proxyAgent.close().catch(() => undefined);
      if (ownAgent) void ownAgent.close().catch(() => undefined);
    },
  };
}
