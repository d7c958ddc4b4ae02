/**
 * The image worker's helper thread, for real: this test's thread plays the image worker, and the
 * helper is a thread of the compiled entry (out/…/imageWorker.js with `role: 'bands'`), as the
 * bundle starts it. Its faults are real ones too: a helper whose thread was ended, one too slow
 * for its deadline.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { encodeInBands, oneThread, resampleOriented, type BandTask } from '../../../../src/core/images/bands';
import type { Bitmap } from '../../../../src/core/images/bitmap';
import { decodeJpegRgba } from '../../../../src/core/images/codecs';
import { HelperThread } from '../../../../src/core/images/helperThread';
import { prepareReference } from '../../../../src/core/images/resize';
import { resample } from '../../../../src/core/images/resample';
import { photoPixels, progressiveJpegOf } from './encoders';

const ENTRY = path.join(__dirname, '..', '..', '..', '..', 'src', 'core', 'images', 'imageWorker.js');

/** Waits (letting the helper's ready message in) until it is ready, or fails after 10 s. */
async function ready(helper: HelperThread): Promise<void> {
  const until = Date.now() + 10_000;
  while (helper.threads < 2) {
    if (Date.now() > until) throw new Error('the helper thread never said it was ready');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const pixelsOf = (jpeg: Uint8Array) => Buffer.from(decodeJpegRgba(jpeg).data);

describe('HelperThread (a second thread for the resample and the encode)', function () {
  this.timeout(60_000);
  const src: Bitmap = { ...photoPixels(800, 600), channels: 4, opaque: true };
  const helpers: HelperThread[] = [];
  const helperFor = (opts?: { timeoutMs?: number }) => {
    const h = new HelperThread(ENTRY, opts);
    helpers.push(h);
    return h;
  };
  after(() => helpers.forEach((h) => h.dispose()));

  it('does one task of each step on its thread once ready, and the result is the one-thread result', async () => {
    const helper = helperFor();
    helper.start();
    assert.equal(helper.threads, 1, 'not ready the moment it starts: a step then runs here alone');
    await ready(helper);
    const shared = resampleOriented(src, 400, 300, 6, helper);
    const jpeg = encodeInBands(shared, 85, helper);
    assert.equal(helper.helped, 3, 'its rows of the resample, the turn and the encode');
    const alone = encodeInBands(resampleOriented(src, 400, 300, 6, oneThread), 85, oneThread);
    assert.ok(pixelsOf(jpeg).equals(pixelsOf(alone)), 'the same pixels as one thread makes');
  });

  it('prepares a progressive JPEG reference with it, to the pixels one thread makes', async () => {
    const helper = helperFor();
    helper.start();
    await ready(helper);
    const input = await progressiveJpegOf(photoPixels(1600, 1200));
    const opts = { maxSide: 1024 };
    const withHelper = prepareReference(input, opts, helper);
    assert.ok(helper.helped >= 2, `the helper made ${helper.helped} parts`);
    const alone = prepareReference(input, opts);
    assert.deepEqual([withHelper.width, withHelper.height], [1024, 768]);
    assert.ok(pixelsOf(withHelper.bytes).equals(pixelsOf(alone.bytes)));
  });

  it('does a task here when its memory is not shared (the helper would write into a copy)', async () => {
    const helper = helperFor();
    helper.start();
    await ready(helper);
    const dst = { width: 400, height: 300, data: new Uint8Array(400 * 300 * 4) };
    const tasks: BandTask[] = [
      { kind: 'resample', src, dst, from: 0, to: 150 },
      { kind: 'resample', src, dst, from: 150, to: 300 },
    ];
    helper.run(tasks);
    assert.equal(helper.helped, 0);
    assert.ok(dst.data.subarray(300 * 400 * 4 - 4).every((v, i) => i === 3 || v > 0) && dst.data[300 * 400 * 4 - 1] === 255, 'the last row made');
  });

  it('does the task here when the helper thread has ended, and starts a new helper next time', async () => {
    const helper = helperFor();
    helper.start();
    await ready(helper);
    const alone = encodeInBands(resampleOriented(src, 400, 300, 1, oneThread), 85, oneThread);
    // End its thread for real, then give it work.
    const shared = resampleOriented(src, 400, 300, 1, helper);
    const helpedBefore = helper.helped;
    await (helper as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    const t0 = Date.now();
    const jpeg = encodeInBands(shared, 85, helper);
    assert.ok(Date.now() - t0 < 10_000, 'no longer than the deadline');
    assert.equal(helper.helped, helpedBefore, 'the ended helper made nothing');
    assert.ok(pixelsOf(jpeg).equals(pixelsOf(alone)), 'the whole image all the same');
    helper.start();
    assert.equal(helper.started, 2, 'a new helper');
    await ready(helper);
    encodeInBands(shared, 85, helper);
    assert.equal(helper.helped, helpedBefore + 1, 'which works');
  });

  it('gives up on a helper too slow for its deadline: its part is made here, and the image is whole', async () => {
    const helper = helperFor({ timeoutMs: 1 });
    helper.start();
    await ready(helper);
    const big: Bitmap = { ...photoPixels(2400, 1800), channels: 4, opaque: true };
    // No thread resamples 750 rows of 2000 px in 1 ms; the step completes all the same.
    const shared = resampleOriented(big, 2000, 1500, 1, helper);
    assert.equal(helper.helped, 0);
    assert.equal(helper.threads, 1, 'retired');
    assert.ok(Buffer.from(shared.data).equals(Buffer.from(resample(big, 2000, 1500).data)), 'every row made');
  });

  it('ends a helper that did not answer in time even when this thread’s own part failed', async () => {
    const helper = helperFor({ timeoutMs: 1 });
    helper.start();
    await ready(helper);
    const big: Bitmap = { ...photoPixels(2400, 1800), channels: 4, opaque: true };
    const dst = { width: 2000, height: 1500, data: helper.alloc(2000 * 1500 * 4, 'resampled') };
    const src = { ...big, data: helper.alloc(big.data.length, 'source') };
    src.data.set(big.data);
    const broken = { width: 2000, height: 1500, data: dst.data.subarray(0, 100) };
    assert.throws(
      () =>
        helper.run([
          { kind: 'encode', img: broken, quality: 85, from: 0, to: 10 },
          { kind: 'resample', src, dst, from: 0, to: 1500 },
        ]),
      RangeError,
    );
    // Still busy with its 1,500 rows past the deadline: it must not go on writing into memory the next image uses.
    assert.equal(helper.threads, 1, 'ended');
  });

  it('fails a step with the error of its task, without hanging, when the helper fails it too', async () => {
    const helper = helperFor();
    helper.start();
    await ready(helper);
    const img = resampleOriented(src, 400, 300, 1, helper);
    const broken = { width: 400, height: 300, data: img.data.subarray(0, 100) };
    assert.throws(
      () =>
        helper.run([
          { kind: 'encode', img, quality: 85, from: 0, to: 10 },
          { kind: 'encode', img: broken, quality: 85, from: 10, to: 19 },
        ]),
      RangeError,
    );
    assert.equal(helper.threads, 1, 'a helper that failed a task is replaced');
  });
});
