import * as assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ApiClient } from '../../../../src/core/api/client';
import { NanoError } from '../../../../src/core/errors';
import { fetchImageWithRetry } from '../../../../src/core/images/fetch';
import type { JobRecord } from '../../../../src/core/jobs/types';
import { ImageStore } from '../../../../src/core/images/imageStore';
import { startSimulator, type Simulator } from '../../../simulator/server';

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
    await assert.rejects(
      fetchImageWithRetry(urls[0].replace(/\d+\.png$/, 'missing.png'), { apiBaseUrl: sim.url }, { clock }),
      (e: unknown) => e instanceof NanoError && e.kind === 'image' && e.status === 404,
    );
    assert.equal(fileRequests().length, 1);
    sim.inject('file', { kind: 'status', status: 500 }, 5);
    await assert.rejects(
      fetchImageWithRetry(urls[0], { apiBaseUrl: sim.url }, { clock, attempts: 3 }),
      (e: unknown) => e instanceof NanoError && e.status === 500,
    );
    assert.equal(fileRequests().length, 4, 'one 404, then three 500s');
  });

  it('a resumed delivery fetches only the images not stored yet', async () => {
    const { taskId, urls } = await finishedTask('two bananas [sim:two]');
    assert.equal(urls.length, 2);
    const store = new ImageStore(dir, 50, { apiBaseUrl: () => sim.url });
    await store.load();
    const job = {
      id: 'j1',
      taskId,
      request: { model: 'google/gempix2', prompt: 'two bananas' },
      state: 'downloading',
      createdAt: 0,
      updatedAt: 0,
      pollCount: 1,
    } as JobRecord;
    // The second result is unreachable at first (404 is permanent: no retry inside the delivery).
    const second = new URL(urls[1]).pathname;
    const broken = urls[1].replace(/\d+\.png$/, 'missing.png');
    await assert.rejects(store.deliver(job, [urls[0], broken], new AbortController().signal), (e: unknown) => e instanceof NanoError && e.status === 404);
    assert.deepEqual(
      store.history.list().map((i) => i.id),
      ['j1-1'],
      'the first image is kept',
    );
    const before = fileRequests().length;
    const ids = await store.deliver(job, urls, new AbortController().signal);
    assert.deepEqual(ids, ['j1-1', 'j1-2']);
    assert.deepEqual(fileRequests().slice(before), [second], 'only the missing image was fetched again');
    assert.equal((await readdir(store.dir)).filter((f) => f.endsWith('.png')).length, 2, 'two files, no duplicate');
  });

  it('a delivered image gets its thumbnail before it is listed; removing the item removes both files', async () => {
    const { taskId, urls } = await finishedTask('two bananas [sim:two]');
    const store = new ImageStore(dir, 50, { apiBaseUrl: () => sim.url });
    await store.load();
    const listedWithThumb: boolean[] = [];
    const job = {
      id: 'j1',
      taskId,
      request: { model: 'google/gempix2', prompt: 'two bananas' },
      state: 'downloading',
      createdAt: 0,
      updatedAt: 0,
      pollCount: 1,
    } as JobRecord;
    const add = store.history.add.bind(store.history);
    store.history.add = (item) => {
      listedWithThumb.push(store.thumbs.has(item.fileName));
      return add(item);
    };
    await store.deliver(job, urls, new AbortController().signal);
    assert.deepEqual(listedWithThumb, [true, true]);
    const [first, second] = store.history.list();
    assert.deepEqual((await readdir(path.join(store.dir, 'thumbs'))).sort(), [`${first.fileName}.jpg`, `${second.fileName}.jpg`].sort());
    await store.history.remove(first.id);
    assert.deepEqual(await readdir(path.join(store.dir, 'thumbs')), [`${second.fileName}.jpg`]);
    assert.ok(!(await readdir(store.dir)).includes(first.fileName));
    store.thumbs.dispose();
  });

  it('refuses result images on this computer when the API is not on it, says so in the log, and stores nothing', async () => {
    const { taskId, urls } = await finishedTask('a banana');
    const lines: string[] = [];
    const store = new ImageStore(dir, 50, { apiBaseUrl: () => 'https://api.defapi.org', log: (l) => lines.push(l) });
    await store.load();
    const job = {
      id: 'j1',
      taskId,
      request: { model: 'google/gempix2', prompt: 'a banana' },
      state: 'downloading',
      createdAt: 0,
      updatedAt: 0,
      pollCount: 1,
    } as JobRecord;
    await assert.rejects(
      store.deliver(job, urls, new AbortController().signal),
      (e: unknown) => e instanceof NanoError && e.kind === 'image' && !e.retryable && /points to this computer \(127\.0\.0\.1\)/.test(e.message),
    );
    assert.deepEqual(fileRequests(), [], 'the simulator never saw the download');
    assert.equal(lines.length, 1);
    assert.match(lines[0], new RegExp(`^job j1 \\(task ${taskId}\\): image 1 of 1 not delivered: The image URL points to this computer`));
    assert.deepEqual(store.history.list(), []);
  });

  describe('streamed to disk', () => {
    const jobOf = (id: string, taskId: string): JobRecord => ({
      id,
      taskId,
      request: { model: 'google/gempix2', prompt: 'a banana' },
      state: 'downloading',
      createdAt: 0,
      updatedAt: 0,
      pollCount: 1,
    });

    it('a 12 MB image arrives whole, named by its bytes, with no download file left beside it', async () => {
      const { taskId, urls } = await finishedTask('a big banana [sim:size-mb=12]');
      const store = new ImageStore(dir, 50, { apiBaseUrl: () => sim.url });
      await store.load();
      const [id] = await store.deliver(jobOf('j1', taskId), urls, new AbortController().signal);
      const item = store.history.get(id)!;
      assert.equal(item.mime, 'image/png');
      assert.equal(item.bytes, 12 * 1024 * 1024);
      assert.equal((await stat(store.pathOf(item))).size, item.bytes);
      assert.deepEqual(
        (await readdir(store.dir)).filter((f) => f.endsWith('.part')),
        [],
      );
    });

    it('a body that is not an image, or too large, fails and leaves no file behind', async () => {
      const { taskId: a, urls: notImage } = await finishedTask('html [sim:not-image]');
      const store = new ImageStore(dir, 50, { apiBaseUrl: () => sim.url });
      await store.load();
      await assert.rejects(
        store.deliver(jobOf('j1', a), notImage, new AbortController().signal),
        (e: unknown) => e instanceof NanoError && e.kind === 'image' && /not a PNG, JPEG, WebP or GIF image/.test(e.message),
      );
      const { taskId: b, urls: endless } = await finishedTask('endless [sim:endless]');
      await assert.rejects(
        store.deliver(jobOf('j2', b), endless, new AbortController().signal),
        (e: unknown) => e instanceof NanoError && e.kind === 'image' && /larger than 50 MB/.test(e.message),
      );
      assert.deepEqual(await readdir(store.dir), [], 'no image, no download file');
    });

    it('a download file left by a crash long ago is removed on load; a recent one (another window) is kept', async () => {
      const store = new ImageStore(dir, 50, { apiBaseUrl: () => sim.url });
      await mkdir(store.dir, { recursive: true });
      const old = path.join(store.dir, '.nano-banana-old.part');
      const recent = path.join(store.dir, '.nano-banana-recent.part');
      await writeFile(old, 'half an image');
      await writeFile(recent, 'half an image');
      const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
      await utimes(old, twoHoursAgo, twoHoursAgo);
      await store.load();
      assert.deepEqual(await readdir(store.dir), ['.nano-banana-recent.part']);
    });
  });

  describe('result hosts like the real ones', () => {
    let client: ApiClient;
    let requeries: number;
    beforeEach(() => {
      client = new ApiClient({ baseUrl: sim.url, apiKey: () => sim.apiKey, userAgent: 'nano-banana-vscode/test' });
      requeries = 0;
    });
    afterEach(() => client.close());

    /** A store and a job for `prompt`'s finished task, and a requery wired like services.ts does it. */
    async function setup(prompt: string) {
      const { taskId, urls } = await finishedTask(prompt);
      const lines: string[] = [];
      const store = new ImageStore(dir, 50, { apiBaseUrl: () => sim.url, log: (l) => lines.push(l) });
      await store.load();
      const job = {
        id: 'j1',
        taskId,
        request: { model: 'google/gempix2', prompt },
        state: 'downloading',
        createdAt: 0,
        updatedAt: 0,
        pollCount: 1,
      } as JobRecord;
      const requery = async () => {
        requeries++;
        return (await client.query(taskId)).images;
      };
      return { store, job, urls, lines, requery, signal: new AbortController().signal };
    }

    it('a .png link serving JPEG bytes is saved as a .jpg, recorded as image/jpeg', async () => {
      const { store, job, urls, signal } = await setup('a banana [sim:jpeg]');
      assert.match(urls[0], /\.png$/);
      const [id] = await store.deliver(job, urls, signal);
      const item = store.history.get(id)!;
      assert.equal(item.mime, 'image/jpeg');
      assert.match(item.fileName, /\.jpg$/);
      const files = await readdir(store.dir);
      assert.deepEqual(
        files.filter((f) => !f.endsWith('.json') && f !== 'thumbs'),
        [item.fileName],
      );
    });

    it('a browser-only host gives the extension its image', async () => {
      const { store, job, urls, signal } = await setup('a banana [sim:browser-only]');
      const ids = await store.deliver(job, urls, signal);
      assert.deepEqual(ids, ['j1-1']);
      assert.equal(fileRequests().length, 1);
    });

    it('an expired link: one re-query, then the image from the fresh link', async () => {
      const { store, job, urls, lines, requery, signal } = await setup('a banana [sim:expire=1]');
      const ids = await store.deliver(job, urls, signal, { requery });
      assert.deepEqual(ids, ['j1-1']);
      assert.equal(requeries, 1);
      assert.equal(fileRequests().length, 2, 'the expired link, then the fresh one');
      assert.notEqual(fileRequests()[0], fileRequests()[1]);
      assert.equal(store.history.get('j1-1')?.mime, 'image/png');
      assert.equal(lines.length, 1);
      assert.match(lines[0], /image 1: .*HTTP 410.*Asking the API for fresh links, once\./);
    });

    it('two images, the first link expired: one re-query serves both', async () => {
      const { store, job, urls, requery, signal } = await setup('two bananas [sim:two] [sim:expire=1]');
      const ids = await store.deliver(job, urls, signal, { requery });
      assert.deepEqual(ids, ['j1-1', 'j1-2']);
      assert.equal(requeries, 1);
      assert.equal(fileRequests().length, 3, 'expired first link, then both fresh links');
    });

    it('expired twice: a clear failure after exactly one re-query, nothing stored', async () => {
      const { store, job, urls, lines, requery, signal } = await setup('a banana [sim:expire=2] [sim:expire-status=403]');
      await assert.rejects(store.deliver(job, urls, signal, { requery }), (e: unknown) => {
        assert.ok(e instanceof NanoError);
        assert.equal(e.kind, 'image');
        assert.equal(e.retryable, false);
        assert.equal(e.status, 403);
        assert.match(
          e.message,
          /HTTP 403, access to the image was refused \(the link may have expired\), even from a fresh link the API gave when asked again\.$/,
        );
        return true;
      });
      assert.equal(requeries, 1);
      assert.equal(fileRequests().length, 2);
      assert.deepEqual(store.history.list(), []);
      assert.match(lines.at(-1)!, /not delivered: .*even from a fresh link/);
    });

    it('without a requery an expired link fails at once', async () => {
      const { store, job, urls, signal } = await setup('a banana [sim:expire=1]');
      await assert.rejects(store.deliver(job, urls, signal), (e: unknown) => e instanceof NanoError && e.status === 410 && !/fresh link/.test(e.message));
      assert.equal(fileRequests().length, 1);
    });

    it('a 1010 block is not answered with a re-query', async () => {
      const { taskId, urls } = await finishedTask('a banana [sim:browser-only]');
      const store = new ImageStore(dir, 50, { apiBaseUrl: () => sim.url });
      await store.load();
      const job = {
        id: 'j2',
        taskId,
        request: { model: 'google/gempix2', prompt: 'a banana' },
        state: 'downloading',
        createdAt: 0,
        updatedAt: 0,
        pollCount: 1,
      } as JobRecord;
      // The real extension always looks like a browser; a host that still says 1010 is simulated here.
      sim.inject('file', { kind: 'status', status: 403, body: 'error code: 1010' });
      await assert.rejects(
        store.deliver(job, urls, new AbortController().signal, { requery: () => (requeries++, Promise.resolve(urls)) }),
        (e: unknown) => e instanceof NanoError && /not coming from a browser \(HTTP 403, error code 1010\)/.test(e.message),
      );
      assert.equal(requeries, 0);
    });
  });
});
