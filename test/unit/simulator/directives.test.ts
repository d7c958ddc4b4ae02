import * as assert from 'node:assert/strict';
import { readPng } from '../../simulator/png';
import { FAIL_REASON, HUGE_PADDING_BYTES, startSimulator, TEXT_ANSWER, type Simulator } from '../../simulator/server';
import type { TaskStatus } from '../../simulator/types';
import { asTask, call, fakeClock, imageUrls, query, sleep, submit, type TaskData } from './util';

describe('simulator: prompt directives', function () {
  this.timeout(5000);
  let sim: Simulator;
  const clock = fakeClock();
  before(async () => {
    sim = await startSimulator({ now: clock.now, durationMs: 1000, slowImageMs: 400 });
  });
  after(() => sim.close());
  beforeEach(() => sim.reset());

  /** Submits `prompt`, lets the task finish, and returns its query data. */
  async function finished(prompt: string, extra: Record<string, unknown> = {}): Promise<{ id: string; data: TaskData }> {
    const id = await submit(sim, { prompt, ...extra });
    sim.completeNow(id);
    const q = await query(sim, id);
    assert.equal(q.status, 200);
    return { id, data: asTask(q).data };
  }

  it('[sim:fail] ends failed with the reason, no result and nothing consumed', async () => {
    const { data } = await finished('a banana [sim:fail]');
    assert.equal(data.status, 'failed');
    assert.equal(data.result, null);
    assert.deepEqual(data.status_reason, { message: FAIL_REASON });
    assert.equal(FAIL_REASON, 'Image generation failed: content policy violation (simulated)');
    assert.equal(data.consumed, '0.000000');
  });

  it('[sim:fail] is still in progress before the end', async () => {
    const id = await submit(sim, { prompt: '[sim:fail]' });
    clock.advance(500);
    const q = await query(sim, id);
    assert.equal(asTask(q).data.status, 'in_progress');
    assert.deepEqual(asTask(q).data.status_reason, { message: null });
  });

  it('[sim:text] succeeds with a text item and no image', async () => {
    const { id, data } = await finished('[sim:text] draw it');
    assert.equal(data.status, 'success');
    assert.deepEqual(data.result, [{ text: TEXT_ANSWER }]);
    assert.equal(TEXT_ANSWER, "I can't draw that, but here is a poem about bananas.");
    assert.equal((await call(sim, `/files/${id}/0.png`, { key: null })).status, 404);
  });

  it('[sim:single] gives one object instead of an array', async () => {
    const { id, data } = await finished('[sim:single]');
    assert.ok(!Array.isArray(data.result));
    assert.deepEqual(data.result, { image: `${sim.url}/files/${id}/0.png` });
  });

  it('[sim:two] gives two different downloadable images', async () => {
    const { id, data } = await finished('two please [sim:two]');
    assert.deepEqual(data.result, [{ image: `${sim.url}/files/${id}/0.png` }, { image: `${sim.url}/files/${id}/1.png` }]);
    const [first, second] = imageUrls(data);
    const a = await call(sim, first, { key: null });
    const b = await call(sim, second, { key: null });
    readPng(a.bytes);
    readPng(b.bytes);
    assert.notDeepEqual(a.bytes, b.bytes);
  });

  it('[sim:data] gives a data:image/png;base64 URI holding a valid PNG of the right size', async () => {
    const { data } = await finished('[sim:data]', { aspect_ratio: '4:3' });
    const [uri] = imageUrls(data);
    assert.match(uri, /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    const info = readPng(Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64'));
    assert.equal(info.width * 3, info.height * 4);
  });

  it('[sim:bad-url] points at a missing file that 404s', async () => {
    const { id, data } = await finished('[sim:bad-url]');
    assert.equal(imageUrls(data)[0], `${sim.url}/files/${id}/missing.png`);
    assert.equal((await call(sim, imageUrls(data)[0], { key: null })).status, 404);
  });

  it('[sim:not-image] serves text/html with status 200 under a .png name', async () => {
    const { data } = await finished('[sim:not-image]');
    assert.match(imageUrls(data)[0], /\/0\.png$/);
    const a = await call(sim, imageUrls(data)[0], { key: null });
    assert.equal(a.status, 200);
    assert.match(a.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(a.text, '<html>not an image</html>');
  });

  it('[sim:huge] streams a valid PNG of more than 8 MiB with content-length', async () => {
    const { data } = await finished('[sim:huge]');
    const a = await call(sim, imageUrls(data)[0], { key: null });
    assert.equal(a.status, 200);
    assert.equal(a.headers.get('content-type'), 'image/png');
    assert.equal(Number(a.headers.get('content-length')), a.bytes.length);
    assert.ok(a.bytes.length > HUGE_PADDING_BYTES && a.bytes.length < HUGE_PADDING_BYTES + 64 * 1024, String(a.bytes.length));
    assert.ok(a.bytes.length >= 8 * 1024 * 1024);
    readPng(a.bytes);
  });

  it('[sim:slow-image] sends headers at once, then trickles the body over slowImageMs', async () => {
    const { data } = await finished('[sim:slow-image]');
    const t0 = Date.now();
    const res = await fetch(imageUrls(data)[0]);
    const headersAt = Date.now() - t0;
    const bytes = Buffer.from(await res.arrayBuffer());
    const doneAt = Date.now() - t0;
    assert.equal(res.status, 200);
    // Relative to the headers, so a slow machine that delays everything still passes: a server that
    // sent the whole file at once would have the body right behind its headers.
    assert.ok(doneAt - headersAt >= 200, `body done ${doneAt - headersAt} ms after the headers (slowImageMs 400)`);
    assert.ok(doneAt >= 400, `body done after ${doneAt} ms`);
    assert.equal(Number(res.headers.get('content-length')), bytes.length);
    readPng(bytes);
  });

  it('[sim:notfound=2] answers 404 task not found to the first two queries', async () => {
    const id = await submit(sim, { prompt: '[sim:notfound=2]' });
    for (let i = 0; i < 2; i++) {
      const q = await query(sim, id);
      assert.equal(q.status, 404);
      assert.deepEqual(q.json, { code: 1, message: 'task not found' });
    }
    const q = await query(sim, id);
    assert.equal(q.status, 200);
    assert.equal(asTask(q).data.task_id, id);
    assert.equal(sim.tasks.get(id)?.queries, 3);
  });

  it('[sim:status500=2] answers 500 to the first two queries', async () => {
    const id = await submit(sim, { prompt: '[sim:status500=2]' });
    assert.equal((await query(sim, id)).status, 500);
    assert.equal((await query(sim, id)).status, 500);
    assert.equal((await query(sim, id)).status, 200);
  });

  it('[sim:notfound=1] then [sim:status500=1] come in that order', async () => {
    const id = await submit(sim, { prompt: '[sim:status500=1] [sim:notfound=1]' });
    assert.deepEqual([(await query(sim, id)).status, (await query(sim, id)).status, (await query(sim, id)).status], [404, 500, 200]);
  });

  it("[sim:duration=MS] sets this task's duration", async () => {
    const id = await submit(sim, { prompt: '[sim:duration=5000]' });
    assert.equal(sim.tasks.get(id)?.durationMs, 5000);
    clock.advance(4999);
    assert.equal(asTask(await query(sim, id)).data.status, 'in_progress');
    clock.advance(1);
    assert.equal(asTask(await query(sim, id)).data.status, 'success');
  });

  it('combines directives ([sim:two] [sim:data] [sim:single])', async () => {
    const { data } = await finished('[sim:two][sim:data][sim:single]');
    const single = data.result;
    assert.ok(single !== null && !Array.isArray(single), 'one object, not an array');
    assert.match(single.image ?? '', /^data:image\/png;base64,/);
  });

  it('real clock (the default): a 2 s task moves through every status in order, each at its time', async function () {
    this.timeout(10_000);
    const real = await startSimulator({ durationMs: 2000 });
    // The lifecycle of the simulator: pending until 10 %, submitted until 30 %, in progress until 100 %.
    const ages: Partial<Record<TaskStatus, [number, number]>> = {
      pending: [0, 200],
      submitted: [200, 600],
      in_progress: [600, 2000],
      success: [2000, Infinity],
    };
    try {
      const t0 = Date.now();
      const id = await submit(real);
      const submitAnswered = Date.now() - t0;
      const seen: TaskStatus[] = [];
      for (;;) {
        const sent = Date.now() - t0;
        const { status } = asTask(await query(real, id)).data;
        const back = Date.now() - t0;
        // The task was created between t0 and the submit's answer, so its age at this query lies in
        // [sent - submitAnswered, back]: the status must be one that age range allows (no tight window).
        const [from, to] = ages[status] ?? [NaN, NaN];
        assert.ok(from <= back && to > sent - submitAnswered, `${status} at an age between ${sent - submitAnswered} and ${back} ms`);
        if (seen.at(-1) !== status) seen.push(status);
        if (status === 'success') break;
        assert.ok(back < 6000, `still ${status} after ${back} ms`);
        await sleep(10);
      }
      assert.deepEqual(seen, ['pending', 'submitted', 'in_progress', 'success']);
    } finally {
      await real.close();
    }
  });
});
