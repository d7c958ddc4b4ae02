// Renders the Marketplace icon media/icon.png (128×128) from the banana of media/icon.svg: the same
// two paths, large, on a dark rounded square with a sparkle. Run after changing the design:
//   node scripts/render-icon.mjs            (Chromium from NB_CHROMIUM, else /usr/bin/chromium;
//                                            after `npm run compile-tests`, for the PNG decoder)
// The screenshot is stored as a palette PNG (scripts/lib/palettePng.mjs): 5 KB instead of 13.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { palettePng } from './lib/palettePng.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const small = readFileSync(path.join(root, 'media', 'icon.svg'), 'utf8');
const paths = [...small.matchAll(/<path[^>]*\/>/g)].map((m) => m[0]).join('');
if (!paths) throw new Error('media/icon.svg has no <path> to draw');

const SIZE = 128;
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 128 128">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#2B2D3A"/><stop offset="1" stop-color="#15161D"/></linearGradient>
    <radialGradient id="glow" cx="0.55" cy="0.5" r="0.5"><stop offset="0" stop-color="#E8C33A" stop-opacity="0.28"/><stop offset="1" stop-color="#E8C33A" stop-opacity="0"/></radialGradient>
  </defs>
  <rect x="4" y="4" width="120" height="120" rx="26" fill="url(#bg)"/>
  <circle cx="68" cy="66" r="52" fill="url(#glow)"/>
  <g transform="translate(2 14) scale(6.6)">${paths}</g>
  <path d="M34 22l3.2 8.8L46 34l-8.8 3.2L34 46l-3.2-8.8L22 34l8.8-3.2z" fill="#FFF4C2"/>
  <path d="M98 90l1.8 4.2L104 96l-4.2 1.8L98 102l-1.8-4.2L92 96l4.2-1.8z" fill="#FFF4C2" opacity="0.85"/>
</svg>`;

const browser = await chromium.launch({ executablePath: process.env.NB_CHROMIUM || '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE }, deviceScaleFactor: 1 });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
  const shot = await page.locator('svg').screenshot({ omitBackground: true });
  const { decodePng } = createRequire(import.meta.url)(path.join(root, 'out', 'src', 'core', 'images', 'png.js'));
  const img = decodePng(shot);
  const rgba = img.channels === 4 ? img.data : Uint8Array.from({ length: SIZE * SIZE * 4 }, (_, i) => (i % 4 === 3 ? 255 : img.data[(i >> 2) * 3 + (i % 4)]));
  const { file, colours, original } = palettePng(img.width, img.height, rgba);
  writeFileSync(path.join(root, 'media', 'icon.png'), file);
  console.log(`media/icon.png: ${SIZE}×${SIZE}, ${colours} of ${original} colours, ${file.length} bytes (the screenshot: ${shot.length})`);
} finally {
  await browser.close();
}
