import * as assert from 'node:assert/strict';
import { decode as decodeJpeg } from 'jpeg-js';
import { NanoError } from '../../../../src/core/errors';
import { BOT_BLOCK_DETAIL, fetchImage, linkMayHaveExpired } from '../../../../src/core/images/fetch';
import { startSimulator, type Simulator } from '../../../simulator/server';
import { call, firstImage, query, submit } from '../../simulator/util';
import { isKind } from './helpers';

describe('images/answers: what result hosts answer, against the simulator', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ durationMs: 0 });
  });
  after(() => sim.close());
  beforeEach(() => sim.reset());

  async function firstUrl(prompt: string): Promise<string> {
    const id = await submit(sim, { prompt });
    return firstImage(await query(sim, id));
  }
  const fileRequests = () => sim.requests.filter((r) => r.path.startsWith('/files/'));
  const api = () => ({ apiBaseUrl: sim.url });

  it('a browser-only host serves the image to the extension (browser agent and Accept, no key)', async () => {
    const url = await firstUrl('a banana [sim:browser-only]');
    assert.equal((await call(sim, url, { key: null })).status, 403, 'the host does block a plain client');
    const img = await fetchImage(url, api());
    assert.equal(img.mime, 'image/png');
    const h = fileRequests().at(-1)!.headers;
    assert.match(String(h['user-agent']), /^Mozilla\/5\.0 \(/);
    assert.equal(h.accept, 'image/avif,image/webp,image/apng,image/*,*/*;q=0.8');
    assert.equal(h.authorization, undefined);
  });

  it('a 1010 block (here: a non-browser agent) is named as such, not as an expired link, and not retried', async () => {
    const url = await firstUrl('a banana [sim:browser-only]');
    let caught: unknown;
    await assert.rejects(fetchImage(url, { ...api(), userAgent: 'curl/8.5.0' }), (e: unknown) => {
      caught = e;
      return isKind('image', false, /refused the download as not coming from a browser \(HTTP 403, error code 1010\)/)(e);
    });
    const e = caught as NanoError;
    assert.equal(e.status, 403);
    assert.equal(e.detail, 'error code: 1010');
    assert.equal(e.detail, BOT_BLOCK_DETAIL);
    assert.doesNotMatch(e.message, /expired/);
    assert.equal(linkMayHaveExpired(e), false);
  });

  it('an expired link (403, 404, 410) says it may have expired, and counts as one', async () => {
    for (const status of [403, 404, 410]) {
      const url = await firstUrl(`a banana [sim:expire=1] [sim:expire-status=${status}]`);
      let caught: unknown;
      await assert.rejects(fetchImage(url, api()), (e: unknown) => {
        caught = e;
        return isKind('image', false, new RegExp(`HTTP ${status}, .*may have expired`))(e);
      });
      assert.equal((caught as NanoError).status, status);
      assert.equal(linkMayHaveExpired(caught), true, String(status));
    }
  });

  it('other failures are not expired links', () => {
    const make = (status: number | undefined, kind: 'image' | 'network' = 'image') => new NanoError({ kind, message: 'x', retryable: false, status });
    assert.equal(linkMayHaveExpired(make(500)), false);
    assert.equal(linkMayHaveExpired(make(401)), false);
    assert.equal(linkMayHaveExpired(make(undefined)), false);
    assert.equal(linkMayHaveExpired(make(404, 'network')), false);
    assert.equal(linkMayHaveExpired(new Error('404')), false);
  });

  it('a .png URL that serves JPEG bytes gives a JPEG: the type comes from the bytes', async () => {
    const url = await firstUrl('a banana [sim:jpeg]');
    assert.match(url, /\.png$/);
    const img = await fetchImage(url, api());
    assert.equal(img.mime, 'image/jpeg');
    assert.equal(img.ext, 'jpg');
    const decoded = decodeJpeg(Buffer.from(img.bytes));
    assert.deepEqual([img.width, img.height], [decoded.width, decoded.height]);
    assert.deepEqual([img.width, img.height], [96, 96]);
  });
});
