import * as assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decode as decodeJpeg, encode as encodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import { makeThumbnail, THUMB_SIDE, thumbFileName } from '../../../../src/core/images/thumbnail';
import { ImageWorkers } from '../../../../src/core/images/imageWorkers';
import { ThumbnailStore } from '../../../../src/core/images/thumbnailStore';
import { sniffImage } from '../../../../src/core/images/sniff';
import { webpOf } from './encoders';

/** A noisy RGBA picture: left half red, right half blue (so orientation and scaling can be checked). */
function pixels(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  let seed = 7;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const n = seed % 16;
      const i = (y * width + x) * 4;
      const left = x < width / 2;
      data[i] = left ? 240 - n : n;
      data[i + 1] = n;
      data[i + 2] = left ? n : 240 - n;
      data[i + 3] = 255;
    }
  }
  return data;
}

function png(width: number, height: number): Buffer {
  const img = new PNG({ width, height });
  pixels(width, height).copy(img.data);
  return PNG.sync.write(img);
}

function jpeg(width: number, height: number): Buffer {
  return encodeJpeg({ width, height, data: pixels(width, height) }, 90).data;
}

/** The decoded thumbnail's pixel at (x, y) as [r, g, b]. */
function pixelAt(bytes: Uint8Array, x: number, y: number): number[] {
  const img = decodeJpeg(bytes, { useTArray: true });
  const i = (y * img.width + x) * 4;
  return [img.data[i], img.data[i + 1], img.data[i + 2]];
}

describe('thumbnails: makeThumbnail', () => {
  it('turns a large PNG into a much smaller JPEG, longest side THUMB_SIDE, aspect and content kept', () => {
    const source = png(1024, 576);
    const t = makeThumbnail(source);
    assert.equal(sniffImage(t.bytes)?.mime, 'image/jpeg');
    assert.deepEqual([t.width, t.height], [THUMB_SIDE, Math.round((576 * THUMB_SIDE) / 1024)]);
    assert.ok(t.bytes.byteLength * 10 < source.byteLength, `${t.bytes.byteLength} bytes from ${source.byteLength}`);
    const left = pixelAt(t.bytes, 10, 100);
    const right = pixelAt(t.bytes, THUMB_SIDE - 10, 100);
    assert.ok(left[0] > 180 && left[2] < 60, `left is red: ${left.join(',')}`);
    assert.ok(right[2] > 180 && right[0] < 60, `right is blue: ${right.join(',')}`);
  });

  it('shrinks a JPEG too, and never enlarges a small image', () => {
    const big = makeThumbnail(jpeg(300, 600), { side: 100 });
    assert.deepEqual([big.width, big.height], [50, 100]);
    const small = makeThumbnail(png(40, 30));
    assert.deepEqual([small.width, small.height], [40, 30]);
  });

  it('shrinks a WebP (the API may answer one), alpha on white; an animated WebP keeps showing itself', async () => {
    const px = { width: 400, height: 200, data: pixels(400, 200) };
    for (let i = 3; i < px.data.length; i += 4) if ((i >> 2) % 400 >= 390) px.data[i] = 0; // a transparent right edge
    const webp = await webpOf(px, 90);
    const t = makeThumbnail(webp, { side: 100 });
    assert.deepEqual([t.width, t.height], [100, 50]);
    const left = pixelAt(t.bytes, 5, 25);
    assert.ok(left[0] > 180 && left[2] < 60, `left is red: ${left.join(',')}`);
    const edge = pixelAt(t.bytes, 99, 25);
    assert.ok(
      edge.every((c) => c > 200),
      `the transparent edge is white: ${edge.join(',')}`,
    );
    const animated = Buffer.from(webp);
    animated.write('VP8X', 12, 'latin1');
    animated[20] = 0x02; // the animation flag of an extended WebP header
    assert.throws(() => makeThumbnail(animated), /animated WebP/);
  });

  it('refuses what it cannot decode, with the reason', () => {
    const gif = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00', 'binary');
    assert.throws(() => makeThumbnail(gif), /no thumbnail for image\/gif/);
    assert.throws(() => makeThumbnail(Buffer.from('not an image')), /no thumbnail for an unknown type/);
    assert.throws(() => makeThumbnail(png(300, 200), { maxPixels: 10_000 }), /300×200 pixels/);
    const broken = png(300, 200);
    broken.fill(0, 60, 200);
    assert.throws(() => makeThumbnail(broken));
  });

  it('runs in a worker thread that reads the file itself and stays for the next image', async () => {
    // tsc compiles the worker entry beside imageWorkers.js; the extension uses dist/imageWorker.js.
    const workers = new ImageWorkers({ backgroundConcurrency: 2 });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'nb-thumbw-'));
    try {
      const files = [png(400, 400), jpeg(400, 200), png(300, 150)].map((b, i) => ({ b, f: path.join(dir, `${i}.img`) }));
      for (const { b, f } of files) await writeFile(f, b);
      const results = await Promise.all(files.map(({ f }) => workers.thumbnail(f, { side: 100 })));
      assert.deepEqual(
        results.map((r) => [r.width, r.height]),
        [
          [100, 100],
          [100, 50],
          [100, 50],
        ],
      );
      assert.equal(decodeJpeg(results[0].bytes).width, 100, 'the bytes are the thumbnail');
      await writeFile(path.join(dir, 'nope'), 'nope');
      await assert.rejects(workers.thumbnail(path.join(dir, 'nope')), /no thumbnail for an unknown type/);
      await assert.rejects(workers.thumbnail(path.join(dir, 'missing.png')), /ENOENT/);
      assert.equal(workers.spawned, 2, 'two workers at most, kept between images');
    } finally {
      workers.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('thumbnails: ThumbnailStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'nb-thumbs-'));
  });
  afterEach(async () => {
    await chmod(dir, 0o755).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('stores the thumbnail in thumbs/ next to the image, once, and says so', async () => {
    await writeFile(path.join(dir, 'a.png'), png(600, 600));
    const made: string[] = [];
    const thumbs = new ThumbnailStore(dir);
    thumbs.onDidCreate((f) => made.push(f));
    assert.equal(thumbs.has('a.png'), false);
    const [first, again] = await Promise.all([thumbs.ensure('a.png'), thumbs.ensure('a.png')]);
    assert.deepEqual([first, again], [true, true]);
    assert.equal(thumbs.pathOf('a.png'), path.join(dir, 'thumbs', thumbFileName('a.png')));
    const bytes = await readFile(thumbs.pathOf('a.png'));
    assert.equal(sniffImage(bytes)?.mime, 'image/jpeg');
    assert.deepEqual(made, ['a.png'], 'two calls, one thumbnail');
    const written = (await stat(thumbs.pathOf('a.png'))).mtimeMs;
    assert.equal(await thumbs.ensure('a.png'), true);
    assert.equal((await stat(thumbs.pathOf('a.png'))).mtimeMs, written, 'not made again');
    assert.deepEqual(await readdir(path.join(dir, 'thumbs')), ['a.png.jpg'], 'no temporary file left');
    thumbs.dispose();
  });

  it('learns existing thumbnails from the disk (another window made them)', async () => {
    await writeFile(path.join(dir, 'a.png'), png(64, 64));
    const first = new ThumbnailStore(dir);
    await first.ensure('a.png');
    const second = new ThumbnailStore(dir);
    assert.equal(second.has('a.png'), false);
    await second.scan();
    assert.equal(second.has('a.png'), true);
    assert.equal(second.has('b.png'), false);
  });

  it('a failure is logged once and leaves the image as it was', async () => {
    const gif = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00', 'binary');
    await writeFile(path.join(dir, 'anim.gif'), gif);
    const lines: string[] = [];
    const thumbs = new ThumbnailStore(dir, { log: (l) => lines.push(l) });
    assert.equal(await thumbs.ensure('anim.gif'), false);
    assert.equal(await thumbs.ensure('anim.gif'), false);
    assert.equal(await thumbs.ensure('missing.png'), false);
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[0], /^no thumbnail for anim\.gif: no thumbnail for image\/gif/);
    assert.match(lines[1], /^no thumbnail for missing\.png: .*ENOENT/);
    assert.deepEqual(await readFile(path.join(dir, 'anim.gif')), gif);
    assert.equal(thumbs.has('anim.gif'), false);
  });

  it('a read-only store: no thumbnail, no exception, the image still there', async function () {
    if (process.platform === 'win32' || process.getuid?.() === 0) this.skip();
    await writeFile(path.join(dir, 'a.png'), png(300, 300));
    await chmod(dir, 0o555);
    const lines: string[] = [];
    const thumbs = new ThumbnailStore(dir, { log: (l) => lines.push(l) });
    assert.equal(await thumbs.ensure('a.png'), false);
    assert.match(lines[0], /^no thumbnail for a\.png: .*(EACCES|EPERM|EROFS)/);
    assert.equal((await readFile(path.join(dir, 'a.png'))).byteLength > 0, true);
  });

  it('remove deletes the thumbnail; a missing one is fine', async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'a.png'), png(64, 64));
    const thumbs = new ThumbnailStore(dir);
    await thumbs.ensure('a.png');
    await thumbs.remove('a.png');
    assert.equal(thumbs.has('a.png'), false);
    assert.deepEqual(await readdir(path.join(dir, 'thumbs')), []);
    await thumbs.remove('never.png');
  });
});
