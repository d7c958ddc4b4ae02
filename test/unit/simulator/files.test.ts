import * as assert from 'node:assert/strict';
import { decode as decodeJpeg } from 'jpeg-js';
import { readPng } from '../../simulator/png';
import { BOT_BLOCK_BODY, startSimulator, type Simulator } from '../../simulator/server';
import { asTask, call, firstImage, imageUrls, query, submit } from './util';

/** What Chrome sends for an <img>. */
const BROWSER = {
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  accept: 'image/avif,image/webp,image/apng,image/*,*/*;q=0.8',
};

describe('simulator: result image hosts that behave like the real ones', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ durationMs: 0 });
  });
  after(() => sim.close());
  beforeEach(() => sim.reset());

  /** Submits `prompt` and returns the task id and the image URLs of its first answer. */
  async function finished(prompt: string): Promise<{ id: string; urls: string[] }> {
    const id = await submit(sim, { prompt });
    const q = await query(sim, id);
    assert.equal(q.status, 200, q.text);
    return { id, urls: imageUrls(asTask(q).data) };
  }

  describe('[sim:browser-only]', () => {
    it('answers 403 "error code: 1010" to a client that does not look like a browser', async () => {
      const { urls } = await finished('a banana [sim:browser-only]');
      const plain = await call(sim, urls[0], { key: null });
      assert.equal(plain.status, 403);
      assert.equal(plain.text, 'error code: 1010');
      assert.equal(BOT_BLOCK_BODY, 'error code: 1010');
      const agentOnly = await call(sim, urls[0], { key: null, headers: { 'user-agent': BROWSER['user-agent'], accept: 'image/*' } });
      assert.equal(agentOnly.status, 403, 'a browser agent with a non-browser Accept is still blocked');
      const acceptOnly = await call(sim, urls[0], { key: null, headers: { 'user-agent': 'curl/8.5.0', accept: BROWSER.accept } });
      assert.equal(acceptOnly.status, 403, 'a browser Accept with a tool agent is still blocked');
    });

    it('serves the image to a browser-like client', async () => {
      const { urls } = await finished('a banana [sim:browser-only]');
      const ok = await call(sim, urls[0], { key: null, headers: BROWSER });
      assert.equal(ok.status, 200);
      readPng(ok.bytes);
    });

    it('the browserOnlyImages option blocks every task, and leaves the API alone', async () => {
      const strict = await startSimulator({ durationMs: 0, browserOnlyImages: true });
      try {
        const id = await submit(strict, { prompt: 'a plain banana' });
        const q = await query(strict, id);
        assert.equal(q.status, 200, 'the API itself accepts any client');
        const url = firstImage(q);
        assert.equal((await call(strict, url, { key: null })).status, 403);
        assert.equal((await call(strict, url, { key: null, headers: BROWSER })).status, 200);
      } finally {
        await strict.close();
      }
    });

    it('without the directive any client gets the image', async () => {
      const { urls } = await finished('a banana');
      assert.equal((await call(sim, urls[0], { key: null })).status, 200);
    });
  });

  it('[sim:jpeg] serves real JPEG bytes from a .png URL labelled image/png', async () => {
    const id = await submit(sim, { prompt: 'a banana [sim:jpeg]', aspect_ratio: '16:9' });
    const q = await query(sim, id);
    const url = firstImage(q);
    assert.match(url, /\/0\.png$/);
    const a = await call(sim, url, { key: null });
    assert.equal(a.status, 200);
    assert.equal(a.headers.get('content-type'), 'image/png');
    assert.deepEqual([...a.bytes.subarray(0, 3)], [0xff, 0xd8, 0xff]);
    const decoded = decodeJpeg(a.bytes);
    assert.deepEqual([decoded.width, decoded.height], [128, 72]);
  });

  describe('[sim:expire=N]', () => {
    it('the first answer links are expired (410 by default); the next query gives fresh, working ones', async () => {
      const { id, urls } = await finished('a banana [sim:expire=1]');
      const first = await call(sim, urls[0], { key: null });
      assert.equal(first.status, 410);
      const again = await query(sim, id);
      const fresh = firstImage(again);
      assert.notEqual(fresh, urls[0]);
      const ok = await call(sim, fresh, { key: null });
      assert.equal(ok.status, 200);
      readPng(ok.bytes);
      assert.equal((await call(sim, urls[0], { key: null })).status, 410, 'an expired link stays expired');
    });

    it('expire=2 expires the links of the first two answers', async () => {
      const { id, urls } = await finished('[sim:expire=2] [sim:two]');
      assert.equal(urls.length, 2);
      const second = imageUrls(asTask(await query(sim, id)).data);
      const third = imageUrls(asTask(await query(sim, id)).data);
      for (const u of [...urls, ...second]) assert.equal((await call(sim, u, { key: null })).status, 410, u);
      for (const u of third) assert.equal((await call(sim, u, { key: null })).status, 200, u);
    });

    it('[sim:expire-status=S] picks 403 or 404 instead', async () => {
      for (const status of [403, 404]) {
        const { urls } = await finished(`[sim:expire=1] [sim:expire-status=${status}]`);
        assert.equal((await call(sim, urls[0], { key: null })).status, status);
      }
    });

    it('a link without the answer number is expired too (no guessing around the expiry)', async () => {
      const { urls } = await finished('[sim:expire=1]');
      assert.equal((await call(sim, urls[0].replace(/\?.*$/, ''), { key: null })).status, 410);
    });
  });

  it('[sim:images=9] lists nine different, downloadable images', async () => {
    const { urls } = await finished('nine bananas [sim:images=9]');
    assert.equal(urls.length, 9);
    assert.equal(new Set(urls).size, 9);
    for (const u of urls) assert.equal((await call(sim, u, { key: null })).status, 200, u);
  });

  it('[sim:answer-bytes=N] pads every query answer to exactly N bytes of valid JSON, data unchanged', async () => {
    const id = await submit(sim, { prompt: 'a banana [sim:answer-bytes=1048577]' });
    const q = await query(sim, id);
    assert.equal(q.status, 200);
    assert.equal(q.bytes.length, 1024 * 1024 + 1);
    const { code, data } = asTask(q);
    assert.equal(code, 0);
    assert.equal(data.task_id, id);
    assert.equal(data.status, 'success');
    assert.match(firstImage(q), /\/files\/.*\/0\.png$/);
    const small = await submit(sim, { prompt: 'a banana [sim:answer-bytes=10]' });
    const s = await query(sim, small);
    assert.ok(s.bytes.length > 10, 'an answer already longer is left as it is');
    assert.ok(typeof s.json === 'object' && s.json !== null && !('padding' in s.json), 'no padding field');
  });
});
