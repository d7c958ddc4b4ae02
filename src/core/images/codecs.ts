/**
 * The WebAssembly decoders for images: libjpeg-turbo for JPEG (./turboJpeg, which decodes straight
 * to a smaller size) and libwebp for WebP (Squoosh's build, from @jsquash/webp). They decode a
 * 12-megapixel photo several times faster than pure-JS jpeg-js, and WebP at all, while running on
 * every platform — unlike a native module, which would need one .vsix per platform.
 *
 * The .wasm files ship next to the bundled worker, brotli-packed (esbuild.mjs writes dist/*.wasm.br); under
 * tsc/mocha they are read from node_modules. Each module is compiled and instantiated
 * synchronously on first use (Emscripten calls `instantiateWasm` in place, so `decode` exists when
 * the factory returns), which keeps {@link ./resize}'s `prepareReference` synchronous. No `vscode`.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import webpFactory from '@jsquash/webp/codec/dec/webp_dec.js';
import { turboDecode, turboJpegImports, type Allocate, type AtLeast, type TurboDecoded, type TurboJpegExports } from './turboJpeg';

export type { Allocate, AtLeast } from './turboJpeg';

/** RGBA pixels as the decoders give them. */
export interface DecodedRgba {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

interface DecoderModule {
  decode(data: Uint8Array): DecodedRgba | null;
}

// The WebAssembly global, typed here: the project's `lib` (ES2022, no DOM) does not declare it.
type WasmModule = object;
interface WasmInstance {
  exports: object;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => WasmInstance;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface EmscriptenOptions {
  noInitialRun: boolean;
  print: (s: string) => void;
  printErr: (s: string) => void;
  instantiateWasm: (imports: object, done: (i: WasmInstance) => void) => object;
}
type Factory = (opts: EmscriptenOptions) => Promise<unknown>;

/** The .wasm files esbuild.mjs copies into dist/, and where they are in node_modules. */
export const WASM_FILES = {
  jpeg: { file: 'jpeg-turbo.wasm.br', module: '@cwasm/jpeg-turbo/jpeg-turbo.wasm' },
  webp: { file: 'webp_dec.wasm.br', module: '@jsquash/webp/codec/dec/webp_dec.wasm' },
} as const;
type Kind = keyof typeof WASM_FILES;

const compiled = new Map<Kind, WasmModule>();

function compile(kind: Kind): WasmModule {
  let wasm = compiled.get(kind);
  if (!wasm) compiled.set(kind, (wasm = new wasmApi.Module(wasmBytes(kind))));
  return wasm;
}

function wasmBytes(kind: Kind): Buffer {
  const { file, module } = WASM_FILES[kind];
  const beside = path.join(__dirname, file); // dist/ in the bundle, brotli-packed (a fifth smaller in the .vsix)
  return existsSync(beside) ? brotliDecompressSync(readFileSync(beside)) : readFileSync(require.resolve(module));
}

/** A fresh instance (its own memory); `warnings` collects what libjpeg/libwebp print. */
function instantiate(kind: Kind, factory: Factory, warnings: string[]): DecoderModule {
  const module = compile(kind);
  const opts = {
    noInitialRun: true,
    print: () => undefined,
    printErr: (s: string) => void warnings.push(s),
    instantiateWasm: (imports: object, done: (i: WasmInstance) => void) => {
      const instance = new wasmApi.Instance(module, imports);
      done(instance);
      return instance.exports;
    },
  };
  factory(opts).catch(() => undefined); // a failed start throws below; never an unhandled rejection
  const decoder = opts as unknown as Partial<DecoderModule>;
  if (typeof decoder.decode !== 'function') throw new Error(`the ${kind} decoder did not start`);
  return decoder as DecoderModule;
}

/** One live Emscripten decoder (libwebp); dropped after a failure, since a decoder that aborted is not reused. */
class Codec {
  private instance: DecoderModule | undefined;
  private readonly warnings: string[] = [];
  constructor(
    private readonly kind: Kind,
    private readonly factory: Factory,
  ) {}

  /** Compiles and starts the decoder now (the first decode then does not wait for it). */
  warm(): void {
    this.instance ??= instantiate(this.kind, this.factory, this.warnings);
  }

  /** Decodes, or throws; `warnings` are what the library printed while decoding these bytes. */
  decode(bytes: Uint8Array): { image: DecodedRgba; warnings: string[] } {
    this.warnings.length = 0;
    const instance = (this.instance ??= instantiate(this.kind, this.factory, this.warnings));
    let image: DecodedRgba | null;
    try {
      image = instance.decode(bytes);
    } catch (e) {
      this.instance = undefined;
      throw e instanceof Error ? e : new Error(`the ${this.kind} decoder stopped: ${this.warnings.join('; ') || String(e)}`);
    }
    if (!image) throw new Error(`the ${this.kind} decoder could not read the image`);
    return { image, warnings: [...this.warnings] };
  }
}

/** A new libjpeg-turbo instance (its own memory). */
function newTurboJpeg(): TurboJpegExports {
  return new wasmApi.Instance(compile('jpeg'), turboJpegImports()).exports as TurboJpegExports;
}

/** One live libjpeg-turbo instance; dropped after any throw (libjpeg's error exit leaves its heap in use). */
class JpegCodec {
  private instance: TurboJpegExports | undefined;

  warm(): void {
    this.instance ??= newTurboJpeg();
  }

  decode(bytes: Uint8Array, atLeast?: AtLeast, allocate?: Allocate): TurboDecoded {
    const instance = (this.instance ??= newTurboJpeg());
    try {
      return turboDecode(instance, bytes, atLeast, allocate);
    } catch (e) {
      this.instance = undefined;
      throw e;
    }
  }
}

const jpeg = new JpegCodec();
const webp = new Codec('webp', webpFactory);

/** Compiles both decoders ahead of the first image (an idle worker does it while the person picks). */
export function warmCodecs(): void {
  jpeg.warm();
  webp.warm();
}

/**
 * A JPEG as RGBA, not rotated (the EXIF orientation is applied later, to the smaller image): at
 * full size, or at the smallest eighth of it that still covers `atLeast` (libjpeg scales in its
 * inverse DCT). A file that ends before its image does is an error here, where libjpeg itself
 * would fill the missing rows with grey. The pixels go into memory from `allocate` when given.
 */
export function decodeJpegRgba(bytes: Uint8Array, atLeast?: AtLeast, allocate?: Allocate): TurboDecoded {
  return jpeg.decode(bytes, atLeast, allocate);
}

/** A still WebP (lossy, lossless, with or without alpha) as RGBA. */
export function decodeWebpRgba(bytes: Uint8Array): DecodedRgba {
  return webp.decode(bytes).image;
}
