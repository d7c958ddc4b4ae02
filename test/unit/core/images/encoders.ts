/**
 * Real WebP and progressive JPEG inputs for the reference tests, made with the @jsquash encoders
 * (mozjpeg, libwebp). Their .wasm files are in node_modules only: the extension ships decoders.
 */
import { readFileSync } from 'node:fs';
import encodeJpegWasm, { init as initJpegEncoder } from '@jsquash/jpeg/encode.js';
import encodeWebpWasm, { init as initWebpEncoder } from '@jsquash/webp/encode.js';

interface Pixels {
  width: number;
  height: number;
  data: Uint8Array;
}
type Encode = (image: { width: number; height: number; data: Uint8ClampedArray }, options: object) => Promise<ArrayBuffer>;
type Init = (module: object) => Promise<unknown>;
const wasm = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object } }).WebAssembly;
const compile = (file: string) => new wasm.Module(readFileSync(require.resolve(file)));

let ready: Promise<unknown> | undefined;
function encoders(): Promise<unknown> {
  ready ??= Promise.all([
    (initJpegEncoder as unknown as Init)(compile('@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm')),
    (initWebpEncoder as unknown as Init)(compile('@jsquash/webp/codec/enc/webp_enc_simd.wasm')),
  ]);
  return ready;
}

const clamped = (p: Pixels) => ({ width: p.width, height: p.height, data: new Uint8ClampedArray(p.data.buffer, p.data.byteOffset, p.data.byteLength) });

/** A lossy WebP of RGBA pixels (alpha kept). */
export async function webpOf(pixels: Pixels, quality = 80): Promise<Buffer> {
  await encoders();
  return Buffer.from(await (encodeWebpWasm as unknown as Encode)(clamped(pixels), { quality }));
}

/** A progressive JPEG (mozjpeg's default) of RGBA pixels. */
export async function progressiveJpegOf(pixels: Pixels, quality = 90): Promise<Buffer> {
  await encoders();
  return Buffer.from(await (encodeJpegWasm as unknown as Encode)(clamped(pixels), { quality, progressive: true }));
}

/** Inserts an APP1 Exif segment with the given orientation right after SOI. */
export function withOrientation(jpeg: Uint8Array, orientation: number): Buffer {
  const tiff = Buffer.from([0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0, 0, 0]);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'binary'), tiff]);
  const head = Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff]);
  return Buffer.concat([jpeg.subarray(0, 2), head, body, jpeg.subarray(2)]);
}

/** A photo-like RGBA image: gradients, a soft pattern and noise (so it compresses like a photo). */
export function photoPixels(width: number, height: number, seed = 12345): Pixels {
  const data = new Uint8Array(width * height * 4);
  let s = seed;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      const n = (s % 41) - 20;
      const i = (y * width + x) * 4;
      data[i] = clamp(Math.floor((x * 255) / width) + n);
      data[i + 1] = clamp(Math.floor((y * 255) / height) - n);
      data[i + 2] = clamp(128 + Math.round(60 * Math.sin(x / 40) * Math.cos(y / 55)) + (n >> 1));
      data[i + 3] = 255;
    }
  }
  return { width, height, data };
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Seeded bytes, so a failure can be replayed. */
export function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}
