import * as assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NanoError } from '../../src/core/errors';
import { fetchImageWithRetry } from '../../src/core/images/fetch';
import type { JobRecord } from '../../src/core/jobs/types';
import { ImageStore } from '../../src/vscode/imageStore';
import { startSimulator, type Simulator } from '../simulator/server';

/** Delays recorded, fired at once. */
function instantClock() {
  const delays: number[] = [];
  return {
    delays,
    now: () => Date.now(),
    setTimeout: (fn: () => void, ms: number) => {
      delays.push(ms);
      return setImmediate(fn);
    },
    clearTimeout: (h: unknown) => clearImmediate(h as NodeJS.Immediate),
  };
}

describe('result images: retry and partial delivery', () => {
  let sim: Simulator;
  let dir: string;
  before(async () => {
    sim = await startSimulator({ durationMs: 0 });
  });
  after(() => sim.close());
  beforeEach(async () => {
    sim.reset();
    dir = await mkdtemp(path.join(os.tmpdir(), 'nb-store-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function finishedTask(prompt: string): Promise<{ taskId: string; urls: string[] }> {
    const res = await fetch(`${sim.url}/api/image/gen`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'google/gempix2', prompt }),
    });
    const taskId = ((await res.json()) as { data: { task_id: string } }).data.task_id;
    sim.completeNow(taskId);
    const q = await fetch(`${sim.url}/api/task/query?task_id=${taskId}`, { headers: { authorization: `Bearer ${sim.apiKey}` } });
    const data = ((await q.json()) as { data: { result: { image: string }[] } }).data;
    return { taskId, urls: data.result.map((r) => r.image) };
  }
  const fileRequests = () => sim.requests.filter((r) => r.path.startsWith('/files/')).map((r) => r.path);

  it('tries a download again after a 503 and gets the image', async () => {
    const { urls } = await finishedTask('a banana');
    sim.inject('file', { kind: 'status', status: 503 }, 2);
    const clock = instantClock();
    const img = await fetchImageWithRetry(urls[0], { apiBaseUrl: sim.url }, { clock, random: () => 0.5, backoff: { baseMs: 100, factor: 2, capMs: 1000 } });
    assert.equal(img.mime, 'image/png');
    assert.equal(fileRequests().length, 3, 'two 503s, then the image');
    assert.deepEqual(clock.delays, [75, 150], 'backoff between the tries');
  });

  it('does not retry a permanent failure (404), and gives up after the attempts', async () => {
    const { urls } = await finishedTask('a banana');
    const clock = instantClock();
    await assert.rejects(fetchImageWithRetry(urls[0].replace(/\d+\.png$/, 'missing.png'), { apiBaseUrl: sim.url }, { clock }), (e: unknown) => e instanceof NanoError && e.kind === 'image' && e.status === 404);
    assert.equal(fileRequests().length, 1);
    sim.inject('file', { kind: 'status', status: 500 }, 5);
    await assert.rejects(fetchImageWithRetry(urls[0], { apiBaseUrl: sim.url }, { clock, attempts: 3 }), (e: unknown) => e instanceof NanoError && e.status === 500);
    assert.equal(fileRequests().length, 4, 'one 404, then three 500s');
  });

  it('a resumed delivery fetches only the images not stored yet', async () => {
    const { taskId, urls } = await finishedTask('two bananas [sim:two]');
    assert.equal(urls.length, 2);
    const store = new ImageStore(dir, 50, { apiBaseUrl: () => sim.url });
    await store.load();
    const job = { id: 'j1', taskId, request: { model: 'google/gempix2', prompt: 'two bananas' }, state: 'downloading', createdAt: 0, updatedAt: 0, pollCount: 1 } as JobRecord;
    // The second result is unreachable at first (404 is permanent: no retry inside the delivery).
    const second = new URL(urls[1]).pathname;
    const broken = urls[1].replace(/\d+\.png$/, 'missing.png');
    await assert.rejects(store.deliver(job, [urls[0], broken], new AbortController().signal), (e: unknown) => e instanceof NanoError && e.status === 404);
    assert.deepEqual(store.history.list().map((i) => i.id), ['j1-1'], 'the first image is kept');
    const before = fileRequests().length;
    const ids = await store.deliver(job, urls, new AbortController().signal);
    assert.deepEqual(ids, ['j1-1', 'j1-2']);
    assert.deepEqual(fileRequests().slice(before), [second], 'only the missing image was fetched again');
    assert.equal((await readdir(store.dir)).filter((f) => f.endsWith('.png')).length, 2, 'two files, no duplicate');
  });

  it('refuses result images on this computer when the API is not on it, says so in the log, and stores nothing', async () => {
    const { taskId, urls } = await finishedTask('a banana');
    const lines: string[] = [];
    const store = new ImageStore(dir, 50, { apiBaseUrl: () => 'https://api.defapi.org', log: (l) => lines.push(l) });
    await store.load();
    const job = { id: 'j1', taskId, request: { model: 'google/gempix2', prompt: 'a banana' }, state: 'downloading', createdAt: 0, updatedAt: 0, pollCount: 1 } as JobRecord;
    await assert.rejects(store.deliver(job, urls, new AbortController().signal), (e: unknown) => e instanceof NanoError && e.kind === 'image' && !e.retryable && /points to this computer \(127\.0\.0\.1\)/.test(e.message));
    assert.deepEqual(fileRequests(), [], 'the simulator never saw the download');
    assert.equal(lines.length, 1);
    assert.match(lines[0], new RegExp(`^job j1 \\(task ${taskId}\\): image 1 of 1 not delivered: The image URL points to this computer`));
    assert.deepEqual(store.history.list(), []);
  });
});
