// The reference-image pixel pipeline in this thread, stage by stage: libjpeg-turbo (WASM) decode,
// straight to the smallest eighth of the size that covers 2048 px (and, for comparison, at full
// size), area-average resample to 2048 px, JPEG encode at q85 (ours, and jpeg-js for comparison). No
// worker, no file: what the worker spends on pixels, without the thread start and the copies.
// Prints the median and the shortest run (the machine is shared: the shortest is the nearest to
// what the code costs on a quiet machine).
// Needs `npm run compile-tests`. Inputs as in reference.mjs (photo-like pixels; progressive from
// mozjpeg, baseline from jpeg-js). Median of --runs (default 5) after one warm-up run.
// CLI: node scripts/bench/pixels.mjs [--runs N]
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { median } from './common.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const out = (p) => require(path.join(root, 'out', p));

/**
 * The median time of `runs` calls of `fn` (after one untimed call), the shortest (on a shared
 * machine the nearest to what the code costs on a quiet one), and the last result.
 */
function time(fn, runs) {
  let last = fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = fn();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), minMs: Math.min(...times), last };
}

export async function run(ctx = {}) {
  const runs = ctx.runs ?? 5;
  const { decodeJpegRgba } = out('src/core/images/codecs.js');
  const { fitInside, resample } = out('src/core/images/bitmap.js');
  const { photoPixels, progressiveJpegOf } = out('test/unit/core/images/encoders.js');
  const ours = existsSync(path.join(root, 'out', 'src', 'core', 'images', 'jpegEncode.js')) ? out('src/core/images/jpegEncode.js').encodeJpeg : undefined;
  const jpegJs = require('jpeg-js');
  const inputs = [
    ['12 MP progressive', await progressiveJpegOf(photoPixels(4000, 3000)), 4000, 3000],
    ['12 MP baseline', jpegJs.encode(photoPixels(4000, 3000), 90).data, 4000, 3000],
    ['4.5 MP progressive', await progressiveJpegOf(photoPixels(2592, 1728)), 2592, 1728],
  ];
  const rows = [];
  for (const [name, bytes, w, h] of inputs) {
    const target = fitInside(w, h, 2048);
    const full = time(() => decodeJpegRgba(bytes), runs);
    const dec = time(() => decodeJpegRgba(bytes, target), runs);
    const img = dec.last;
    const bitmap = {
      width: img.width,
      height: img.height,
      channels: 4,
      data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength),
      opaque: true,
    };
    const res = time(() => resample(bitmap, target.width, target.height), runs);
    const small = res.last;
    const enc = ours ? time(() => ours(small, 85), runs) : undefined;
    const encJs = time(() => jpegJs.encode(small, 85).data, runs);
    const final = enc ?? encJs;
    rows.push({
      name,
      decodeMs: dec.ms,
      decodedSize: `${img.width}×${img.height}`,
      fullDecodeMs: full.ms,
      resampleMs: res.ms,
      encodeMs: enc?.ms,
      encodeBytes: enc?.last.byteLength,
      jpegJsMs: encJs.ms,
      jpegJsBytes: encJs.last.byteLength,
      totalMs: dec.ms + res.ms + final.ms,
      minMs: { decode: dec.minMs, resample: res.minMs, encode: final.minMs, total: dec.minMs + res.minMs + final.minMs },
    });
  }
  return { runs, rows };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--runs');
  const r = await run({ runs: i > 0 ? Number(process.argv[i + 1]) : 5 });
  const f = (x) => (x === undefined ? '—' : `${Math.round(x)} ms`);
  const kb = (x) => (x === undefined ? '—' : `${Math.round(x / 1024)} KB`);
  console.log(
    `pixel pipeline in this thread (median of ${r.runs}; load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')})`,
  );
  for (const row of r.rows) {
    console.log(
      `  ${row.name.padEnd(19)} decode ${f(row.decodeMs)} (to ${row.decodedSize}; full size ${f(row.fullDecodeMs)})  resample ${f(row.resampleMs)}  encode q85 ${f(row.encodeMs)} (${kb(row.encodeBytes)})` +
        `  [jpeg-js ${f(row.jpegJsMs)}, ${kb(row.jpegJsBytes)}]  total ${f(row.totalMs)}`,
    );
    const m = row.minMs;
    console.log(`  ${'  shortest run'.padEnd(19)} decode ${f(m.decode)}  resample ${f(m.resample)}  encode q85 ${f(m.encode)}  total ${f(m.total)}`);
  }
}
