/**
 * The bundled worker as it ships: dist/imageWorker.js and its .wasm decoders, copied alone into a
 * temporary folder (no node_modules above it, like an installed .vsix), driven through
 * ImageWorkers with real photos. Needs `npm run build` first (`npm test` does it).
 */
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import { decode as decodeJpeg, encode as encodeJpeg } from 'jpeg-js';
import { WASM_FILES } from '../../../../src/core/images/codecs';
import { ImageWorkers } from '../../../../src/core/images/imageWorkers';
import { jpegOrientation, prepareReference, ReferenceImageError, type PreparedReference } from '../../../../src/core/images/resize';
import { photoPixels, progressiveJpegOf, webpOf, withOrientation } from './encoders';

const dist = path.join(__dirname, '..', '..', '..', '..', '..', 'dist');
const SHIPPED = ['imageWorker.js', ...Object.values(WASM_FILES).map((w) => w.file)];

function decoded(out: PreparedReference) {
  assert.equal(out.mime, 'image/jpeg');
  const d = decodeJpeg(out.bytes, { useTArray: true });
  assert.deepEqual([d.width, d.height], [out.width, out.height], 'the bytes are the image they claim');
  return { ...d, rgb: (x: number, y: number) => Array.from(d.data.subarray((y * d.width + x) * 4, (y * d.width + x) * 4 + 3)) };
}

describe('imageWorker (the bundled dist/imageWorker.js with its .wasm files)', function () {
  this.timeout(180_000); // 12-megapixel inputs are made here with pure-JS and wasm encoders, on a shared machine
  let dir: string;
  let workers: ImageWorkers;

  before(function () {
    if (!SHIPPED.every((f) => existsSync(path.join(dist, f)))) {
      throw new Error(`dist/ lacks ${SHIPPED.join(', ')}: run \`npm run build\` before the unit tests`);
    }
    dir = mkdtempSync(path.join(tmpdir(), 'nb-worker-'));
    for (const f of SHIPPED) copyFileSync(path.join(dist, f), path.join(dir, f));
    workers = new ImageWorkers({ workerFile: path.join(dir, 'imageWorker.js') });
  });
  after(() => {
    workers.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('downscales a 12-megapixel progressive JPEG to 2048 px, off this thread', async () => {
    const input = await progressiveJpegOf(photoPixels(4000, 3000));
    const out = await workers.reference(input);
    assert.notEqual(out.threadId, threadId);
    assert.equal(out.resized, true);
    assert.deepEqual([out.width, out.height], [2048, 1536]);
    const d = decoded(out);
    assert.ok(d.rgb(30, 768)[0] < 40 && d.rgb(2017, 768)[0] > 215, `red ${d.rgb(30, 768)[0]} → ${d.rgb(2017, 768)[0]}`);
    assert.ok(d.rgb(1024, 10)[1] < 40 && d.rgb(1024, 1525)[1] > 215, `green ${d.rgb(1024, 10)[1]} → ${d.rgb(1024, 1525)[1]}`);
  });

  it('shares the resample and the encode with its helper thread, to the pixels one thread makes', async () => {
    const input = withOrientation(await progressiveJpegOf(photoPixels(2400, 1800)), 6);
    workers.warm(); // starts the helper, as opening the picker does
    await workers.reference(input);
    const out = await workers.reference(input);
    assert.ok((out.helperParts ?? 0) >= 3, `the helper made ${out.helperParts} parts (resample, turn, encode)`);
    assert.deepEqual([out.width, out.height], [1536, 2048]);
    const alone = prepareReference(input); // this thread, alone
    assert.equal(alone.helperParts, undefined);
    assert.ok(Buffer.from(decoded(out).data).equals(Buffer.from(decoded(alone).data)), 'the same pixels');
  });

  it('a baseline 12-megapixel JPEG too', async () => {
    const px = photoPixels(3000, 4000, 7);
    const out = await workers.reference(encodeJpeg(px, 90).data);
    assert.deepEqual([out.width, out.height], [1536, 2048]);
    decoded(out);
  });

  it('turns an EXIF-rotated JPEG upright', async () => {
    const input = withOrientation(await progressiveJpegOf(photoPixels(3000, 1000)), 6);
    assert.equal(jpegOrientation(input), 6);
    const out = await workers.reference(input);
    assert.deepEqual([out.width, out.height], [683, 2048]); // rotated 90° clockwise: portrait
    const d = decoded(out);
    // source left (little red) is now at the top, source right (much red) at the bottom
    assert.ok(d.rgb(340, 10)[0] < 40 && d.rgb(340, 2037)[0] > 215, `red ${d.rgb(340, 10)[0]} → ${d.rgb(340, 2037)[0]}`);
  });

  it('downscales a large WebP', async () => {
    const out = await workers.reference(await webpOf(photoPixels(4000, 2500)));
    assert.notEqual(out.threadId, threadId);
    assert.deepEqual([out.width, out.height], [2048, 1280]);
    const d = decoded(out);
    assert.ok(d.rgb(30, 640)[0] < 40 && d.rgb(2017, 640)[0] > 215, `red ${d.rgb(30, 640)[0]} → ${d.rgb(2017, 640)[0]}`);
  });

  it('answers broken bytes with the clear error, and keeps working after it', async () => {
    const good = await progressiveJpegOf(photoPixels(2500, 1000));
    const cut = good.subarray(0, Math.floor(good.length / 2));
    const header = Buffer.from(good);
    header.fill(7, 200, 400); // tables garbled
    for (const [bytes, label] of [
      [cut, 'truncated'],
      [header, 'garbled'],
    ] as const) {
      await assert.rejects(workers.reference(bytes, { name: 'x.jpg' }), (e: unknown) => {
        assert.ok(e instanceof ReferenceImageError, `${label}: ${String(e)}`);
        assert.equal(e.problem.reason, 'corrupt', label);
        assert.match(e.message, /^x\.jpg could not be read as a JPEG image; it may be damaged or truncated\.$/);
        return true;
      });
    }
    const out = await workers.reference(good);
    assert.deepEqual([out.width, out.height], [2048, 819]);
  });
});
