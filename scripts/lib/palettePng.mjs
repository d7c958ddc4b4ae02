// An RGBA picture as a palette PNG of at most 256 colours (median cut, each pixel to its nearest
// entry): the Marketplace icon's few gradients and edges need no more, and the file is a third of
// Chromium's RGBA screenshot. Used by scripts/render-icon.mjs. Its chunks are written by the
// extension's own PNG code (out/src/core/images/png.js, after `npm run compile-tests`).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { pngChunk } = createRequire(import.meta.url)(path.join(root, 'out', 'src', 'core', 'images', 'png.js'));
const chunk = (type, data) => Buffer.from(pngChunk(type, data));

/** Splits the colour list (with counts) into at most `max` boxes along their widest channel. */
function medianCut(colours, max) {
  const boxes = [colours];
  while (boxes.length < max) {
    let best = -1;
    let bestRange = 0;
    let channel = 0;
    boxes.forEach((box, i) => {
      if (box.length < 2) return;
      for (let c = 0; c < 4; c++) {
        let lo = 255;
        let hi = 0;
        for (const col of box) [lo, hi] = [Math.min(lo, col.v[c]), Math.max(hi, col.v[c])];
        if (hi - lo > bestRange) [best, bestRange, channel] = [i, hi - lo, c];
      }
    });
    if (best < 0) break;
    const box = boxes[best].sort((a, b) => a.v[channel] - b.v[channel]);
    const total = box.reduce((n, col) => n + col.count, 0);
    let half = 0;
    let cut = 1;
    for (; cut < box.length - 1 && half + box[cut - 1].count < total / 2; cut++) half += box[cut - 1].count;
    boxes.splice(best, 1, box.slice(0, cut), box.slice(cut));
  }
  return boxes.map((box) => {
    const n = box.reduce((s, col) => s + col.count, 0);
    return [0, 1, 2, 3].map((c) => Math.round(box.reduce((s, col) => s + col.v[c] * col.count, 0) / n));
  });
}

/** `rgba` (width × height × 4) as a palette PNG; returns the file and the number of colours used. */
export function palettePng(width, height, rgba) {
  const counts = new Map();
  for (let i = 0; i < rgba.length; i += 4) {
    const key = ((rgba[i] << 24) | (rgba[i + 1] << 16) | (rgba[i + 2] << 8) | rgba[i + 3]) >>> 0;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const colours = [...counts].map(([key, count]) => ({ v: [key >>> 24, (key >>> 16) & 255, (key >>> 8) & 255, key & 255], count }));
  const palette = medianCut(colours, 256);
  const nearest = new Map();
  const indexOf = (key, v) => {
    let found = nearest.get(key);
    if (found === undefined) {
      let best = Infinity;
      palette.forEach((p, i) => {
        const d = (p[0] - v[0]) ** 2 + (p[1] - v[1]) ** 2 + (p[2] - v[2]) ** 2 + 2 * (p[3] - v[3]) ** 2;
        if (d < best) [best, found] = [d, i];
      });
      nearest.set(key, found);
    }
    return found;
  };
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const key = ((rgba[i] << 24) | (rgba[i + 1] << 16) | (rgba[i + 2] << 8) | rgba[i + 3]) >>> 0;
      raw[y * (width + 1) + 1 + x] = indexOf(key, [rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]]);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 3, 0, 0, 0], 8);
  const file = Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('PLTE', Buffer.from(palette.flatMap((p) => p.slice(0, 3)))),
    chunk('tRNS', Buffer.from(palette.map((p) => p[3]))),
    chunk('IDAT', deflateSync(raw, { level: 9, memLevel: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  return { file, colours: palette.length, original: counts.size };
}
