/**
 * The real engine end to end against the simulator: JobScheduler, ApiClient and ImageStore, the
 * delivery wired as services.ts wires it (`store.deliverVia(api)`). Only the polling is quicker.
 */
import * as assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ApiClient } from '../../../../src/core/api/client';
import { JobScheduler } from '../../../../src/core/jobs/scheduler';
import { ImageStore } from '../../../../src/core/images/imageStore';
import type { JobRecord } from '../../../../src/core/jobs/types';
import { MemoryJobStore } from './fakes';
import { startSimulator, type Simulator } from '../../../simulator/server';

const FINAL = new Set(['success', 'failed', 'cancelled', 'timed-out']);

describe('jobs against the simulator (scheduler + API client + image store)', function () {
  this.timeout(10_000);
  let sim: Simulator;
  let dir: string;
  let client: ApiClient;
  let store: ImageStore;
  let sched: JobScheduler;
  let logs: string[];

  before(async () => {
    sim = await startSimulator({ durationMs: 0 });
  });
  after(() => sim.close());
  beforeEach(async () => {
    sim.reset();
    logs = [];
    dir = await mkdtemp(path.join(os.tmpdir(), 'nb-sched-sim-'));
    client = new ApiClient({ baseUrl: sim.url, apiKey: () => sim.apiKey, userAgent: 'nano-banana-vscode/test', backoff: { baseMs: 5, factor: 2, capMs: 20 } });
    store = new ImageStore(dir, 50, { apiBaseUrl: () => sim.url, log: (l) => logs.push(`store: ${l}`) });
    await store.load();
    sched = new JobScheduler({
      api: client,
      store: new MemoryJobStore(),
      deliver: store.deliverVia(client),
      poll: { minMs: 10, maxMs: 50, firstPollMs: 10 },
      maxRequestsPerSecond: 100,
      log: (l) => logs.push(`jobs: ${l}`),
    });
    await sched.load();
  });
  afterEach(async () => {
    sched.dispose();
    await client.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Starts a job for `prompt` and waits until it is final. */
  async function run(prompt: string): Promise<JobRecord> {
    const job = sched.start({ model: 'google/gempix2', prompt });
    return new Promise<JobRecord>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`job stuck in ${sched.get(job.id)?.state}; log:\n${logs.join('\n')}`)), 8000);
      const sub = sched.onDidChange((e) => {
        if (e.job.id === job.id && FINAL.has(e.job.state)) {
          clearTimeout(timer);
          sub.dispose();
          resolve(structuredClone(e.job));
        }
      });
    });
  }
  const queries = () => sim.requests.filter((r) => r.path.startsWith('/api/task/query')).length;
  const downloads = () => sim.requests.filter((r) => r.path.startsWith('/files/')).length;

  it('a plain job succeeds (the harness works)', async () => {
    const job = await run('a banana');
    assert.equal(job.state, 'success', logs.join('\n'));
    assert.deepEqual(job.deliveredIds, [`${job.id}-1`]);
  });

  it('an expired result link: the task is queried once more and the image delivered', async () => {
    const job = await run('a banana [sim:expire=1]');
    assert.equal(job.state, 'success', logs.join('\n'));
    assert.equal(queries(), 2, 'the poll that saw success, then one re-query');
    assert.equal(downloads(), 2);
    assert.ok(logs.some((l) => /store: .*HTTP 410.*Asking the API for fresh links, once/.test(l)));
  });

  it('expired twice: failed with a clear reason after one re-query, task id kept, resumable', async () => {
    const job = await run('a banana [sim:expire=2]');
    assert.equal(job.state, 'failed');
    assert.equal(job.resumable, true);
    assert.equal(job.taskId, [...sim.tasks.keys()][0]);
    assert.equal(job.error?.kind, 'image');
    assert.equal(job.error?.status, 410);
    assert.match(job.error?.message ?? '', /HTTP 410, the image is not there \(it may have expired\), even from a fresh link the API gave when asked again\.$/);
    assert.equal(queries(), 2, 'one poll, one re-query, no more');
    assert.equal(downloads(), 2);
    assert.ok(logs.some((l) => /jobs: .*delivery failed \(image\).*resumable/.test(l)));
  });

  it('a result on this computer named by a non-loopback API is refused, logged, and the job stays resumable', async () => {
    const remote = new ImageStore(dir, 50, { apiBaseUrl: () => 'https://api.defapi.org', log: (l) => logs.push(`store: ${l}`) });
    await remote.load();
    sched.dispose();
    sched = new JobScheduler({
      api: client,
      store: new MemoryJobStore(),
      deliver: remote.deliverVia(client),
      poll: { minMs: 10, maxMs: 50, firstPollMs: 10 },
      maxRequestsPerSecond: 100,
      log: (l) => logs.push(`jobs: ${l}`),
    });
    await sched.load();
    const job = await run('a banana');
    assert.equal(job.state, 'failed');
    assert.equal(job.resumable, true);
    assert.equal(job.error?.kind, 'image');
    assert.match(job.error?.message ?? '', /points to this computer \(127\.0\.0\.1\); refused/);
    assert.equal(downloads(), 0);
    assert.ok(logs.some((l) => /store: .*not delivered: The image URL points to this computer/.test(l)));
  });

  for (const [what, prompt, message] of [
    ['a query answer of 1 MiB + 1 byte', 'a banana [sim:answer-bytes=1048577]', /^The API's answer to task query is larger than 1 MB/],
    ['a result of 9 images', 'nine bananas [sim:images=9]', /^The API listed 9 result images for one task; the extension accepts at most 8\.$/],
  ] as const) {
    it(`${what}: invalid-response, the job keeps its task id and stays resumable`, async () => {
      const job = await run(prompt);
      const taskId = [...sim.tasks.keys()][0];
      assert.equal(job.state, 'failed');
      assert.equal(job.error?.kind, 'invalid-response');
      assert.equal(job.error?.retryable, false);
      assert.match(job.error?.message ?? '', message);
      assert.equal(job.taskId, taskId);
      assert.equal(job.resumable, true);
      assert.equal(downloads(), 0);
      assert.ok(logs.some((l) => /jobs: .*query failed \(invalid-response\).*job stopped, resumable/.test(l)));
      // Resuming asks for the same task again; it never submits (pays) a second time.
      const posts = () => sim.requests.filter((r) => r.method === 'POST').length;
      assert.equal(posts(), 1);
      const before = queries();
      assert.equal(sched.resume(job.id), true);
      const again = await new Promise<JobRecord>((resolve) => {
        const sub = sched.onDidChange((e) => {
          if (e.job.id === job.id && FINAL.has(e.job.state)) {
            sub.dispose();
            resolve(structuredClone(e.job));
          }
        });
      });
      assert.equal(again.state, 'failed');
      assert.equal(again.taskId, taskId);
      assert.equal(posts(), 1);
      assert.ok(queries() > before);
    });
  }
});
