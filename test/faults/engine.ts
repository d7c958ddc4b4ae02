/**
 * The real engine, wired the way src/services.ts and src/vscode/jobEngine.ts wire it, without vscode: an ApiClient (undici),
 * a JobScheduler, a FileJobStore in `<root>/jobs` and an ImageStore in `<root>/global/images` as
 * the deliver function. Only the timings are shortened (poll schedule, backoffs, rate cap,
 * timeouts), so a fault suite of many scenarios runs in seconds. Used in-process by the fault
 * scenarios and, in a child process, by child.ts (kill and reload mid-job).
 */
import path from 'node:path';
import type { Dispatcher } from 'undici';
import { ApiClient } from '../../src/core/api/client';
import type { GenerateRequest, Task, TaskApi } from '../../src/core/api/types';
import { FileJobStore } from '../../src/core/jobs/fileStore';
import type { WindowIdentity } from '../../src/core/jobs/leases';
import { JobScheduler } from '../../src/core/jobs/scheduler';
import type { DeliverFn, JobRecord } from '../../src/core/jobs/types';
import { ImageStore } from '../../src/core/images/imageStore';

export const FAULT_KEY = 'dk-faultsuite-secret-0123456789';
export const MODEL = 'google/gempix2';
const USER_AGENT = 'nano-banana-vscode/0.1.0 (fault suite; node)';

export interface EngineOptions {
  apiBaseUrl: string;
  apiKey?: string;
  /** A temp folder: jobs in `<root>/jobs`, images in `<root>/global/images`. */
  root: string;
  identity: WindowIdentity;
  /** Every log line of client, scheduler, job store and image store. */
  log: (line: string) => void;
  requestTimeoutMs?: number;
  /** Sends every API request here (e.g. an API reached under a non-loopback name). */
  dispatcher?: Dispatcher;
  maxWaitMs?: number;
}

export interface Engine {
  client: ApiClient;
  scheduler: JobScheduler;
  jobStore: FileJobStore;
  store: ImageStore;
  ready: Promise<void>;
  jobsDir: string;
  /** Resolves with the jobs once each is final (success, failed, cancelled, timed-out). */
  settled(ids: string[], timeoutMs: number): Promise<JobRecord[]>;
  /** The dispose path of src/vscode/jobEngine.ts, then the client closed, as services.ts does. */
  dispose(): Promise<void>;
}

const FINAL = new Set(['success', 'failed', 'cancelled', 'timed-out']);

export function createEngine(o: EngineOptions): Engine {
  const key = o.apiKey ?? FAULT_KEY;
  const client = new ApiClient({
    baseUrl: o.apiBaseUrl,
    apiKey: () => key,
    userAgent: USER_AGENT,
    requestTimeoutMs: o.requestTimeoutMs ?? 3000,
    backoff: { baseMs: 60, factor: 2, capMs: 400 },
    dispatcher: o.dispatcher,
    log: (l) => o.log(`[client] ${l}`),
  });
  const api: TaskApi = {
    submit: (req: GenerateRequest, signal?: AbortSignal) => client.submit(req, signal),
    query: (taskId: string, signal?: AbortSignal): Promise<Task> => client.query(taskId, signal),
  };
  // Images on this computer or a private network only from an API on this computer.
  const store = new ImageStore(path.join(o.root, 'global'), 200, { apiBaseUrl: () => o.apiBaseUrl, log: (l) => o.log(`[images] ${l}`) });
  // Expired result links are asked for again through the API.
  const deliverFn: DeliverFn = store.deliverVia(api);
  const storeReady = store.load().catch((e) => o.log(`history could not be loaded: ${e}`));
  const jobsDir = path.join(o.root, 'jobs');
  const jobStore = new FileJobStore(jobsDir, o.identity, { log: (l) => o.log(`[jobs] ${l}`), renewMs: 500 });
  const scheduler = new JobScheduler({
    api,
    store: jobStore,
    deliver: async (job, images, signal) => {
      await storeReady;
      return deliverFn(job, images, signal);
    },
    maxWaitMs: o.maxWaitMs ?? 20_000,
    maxRequestsPerSecond: 25,
    poll: { minMs: 80, maxMs: 300, denseMs: 100, unsureMs: 150, firstPollMs: 80 },
    backoff: { baseMs: 80, factor: 2, capMs: 600 },
    log: (l) => o.log(`[scheduler] ${l}`),
  });
  const schedulerReady = scheduler.load().catch((e) => o.log(`jobs could not be restored: ${e}`));
  jobStore.watch(() => void schedulerReady.then(() => scheduler.load()).catch((e) => o.log(`jobs could not be taken over: ${e}`)));
  const ready = Promise.all([storeReady, schedulerReady]).then(() => undefined);

  const settled = (ids: string[], timeoutMs: number): Promise<JobRecord[]> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const jobs = ids.map((id) => scheduler.get(id));
        if (jobs.every((j) => j && FINAL.has(j.state))) {
          clearInterval(timer);
          clearTimeout(late);
          resolve(jobs as JobRecord[]);
        }
      };
      const timer = setInterval(check, 25);
      const late = setTimeout(() => {
        clearInterval(timer);
        const states = ids.map((id) => scheduler.get(id)?.state ?? 'gone').join(', ');
        reject(new Error(`jobs did not settle within ${timeoutMs} ms: ${states}`));
      }, timeoutMs);
      check();
    });

  return {
    client,
    scheduler,
    jobStore,
    store,
    ready,
    jobsDir,
    settled,
    dispose: async () => {
      await scheduler.settleSubmits(3000); // a task id on its way is worth waiting for
      scheduler.dispose();
      await scheduler.flush();
      await jobStore.dispose();
      await client.close();
    },
  };
}
