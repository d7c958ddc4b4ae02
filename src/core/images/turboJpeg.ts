/**
 * JPEG decoding with libjpeg-turbo's TurboJPEG API (the WebAssembly build of @cwasm/jpeg-turbo; our
 * own loader, the package's .wasm only). Unlike the mozjpeg build it replaces, TurboJPEG decodes
 * straight to a smaller size: libjpeg's inverse DCT makes 1/8…8/8 of the image, so a 12-megapixel
 * photo meant for 2048 px is decoded at 5/8 (2500×1875) and never exists at full size. That skips
 * most of the IDCT, colour conversion and resampling work, and three fifths of the memory.
 *
 * The module has no exception handling of its own: libjpeg's `longjmp` on a fatal error is a
 * thrown JS error here, which leaves that instance's heap half-used, so the caller drops the
 * instance after any throw. A warning does not stop the decode (the call returns -1); the only one
 * that matters, a file that ends early, is told by the missing end-of-image marker. No `vscode`.
 */

/** The exports the build has (turbojpeg.h). */
export interface TurboJpegExports {
  memory: { buffer: ArrayBuffer };
  malloc(size: number): number;
  free(ptr: number): void;
  tjInitDecompress(): number;
  tjDecompressHeader3(handle: number, src: number, size: number, width: number, height: number, subsamp: number, colorspace: number): number;
  tjDecompress2(
    handle: number,
    src: number,
    size: number,
    dst: number,
    width: number,
    pitch: number,
    height: number,
    pixelFormat: number,
    flags: number,
  ): number;
  tjDestroy(handle: number): number;
}

/** TJPF_RGBA: 4 bytes a pixel, alpha 255. */
const TJPF_RGBA = 7;

/** A size the decoded image should at least have (each side), when a smaller one will do. */
export interface AtLeast {
  width: number;
  height: number;
}

/** Pixels as decoded (maybe scaled), with the JPEG's own size. */
export interface TurboDecoded {
  width: number;
  height: number;
  data: Uint8ClampedArray;
  sourceWidth: number;
  sourceHeight: number;
}

/** libjpeg's scaled size for M/8 (TJSCALED: rounded up). */
const scaled = (side: number, m: number) => Math.ceil((side * m) / 8);

/** The smallest M/8 whose decoded size still covers `atLeast` on both sides (8/8 without it). */
export function jpegDecodeScale(width: number, height: number, atLeast?: AtLeast): number {
  if (!atLeast) return 8;
  for (let m = 1; m < 8; m++) if (scaled(width, m) >= atLeast.width && scaled(height, m) >= atLeast.height) return m;
  return 8;
}

/** The imports the build needs: setjmp/longjmp (libjpeg's errors) and a few WASI calls it never makes in use. */
export function turboJpegImports(): object {
  const unused = (name: string) => () => {
    throw new Error(`the JPEG decoder called ${name}`);
  };
  return {
    env: {
      setjmp: () => 0,
      longjmp: () => {
        throw new JpegFatalError();
      },
    },
    wasi_snapshot_preview1: {
      proc_exit: unused('proc_exit'),
      environ_sizes_get: () => 0,
      environ_get: unused('environ_get'),
      fd_close: unused('fd_close'),
      fd_seek: unused('fd_seek'),
      fd_write: unused('fd_write'),
    },
  };
}

/** What libjpeg's error exit becomes: the data could not be decoded. */
export class JpegFatalError extends Error {
  constructor() {
    super('the JPEG data could not be decoded');
  }
}

/** Whether the data ends with the end-of-image marker (FF D9), trailing zero bytes aside. */
export function endsWithEoi(bytes: Uint8Array): boolean {
  let end = bytes.length;
  while (end > 2 && bytes[end - 1] === 0) end--;
  return end >= 2 && bytes[end - 2] === 0xff && bytes[end - 1] === 0xd9;
}

/** Memory for decoded pixels (a SharedArrayBuffer, when other threads are to read them). */
export type Allocate = (bytes: number) => Uint8Array;

/**
 * Decodes `bytes` as RGBA, at the smallest eighth that covers `atLeast`, into memory from
 * `allocate` (default: this thread's own); throws on damaged data (a `JpegFatalError` leaves `ex`
 * unusable) and on a file that ends before its image does.
 */
export function turboDecode(ex: TurboJpegExports, bytes: Uint8Array, atLeast?: AtLeast, allocate?: Allocate): TurboDecoded {
  const src = ex.malloc(bytes.length);
  const meta = ex.malloc(16);
  const handle = ex.tjInitDecompress();
  if (!src || !meta || !handle) throw new Error('the JPEG decoder is out of memory');
  new Uint8Array(ex.memory.buffer, src, bytes.length).set(bytes);
  new Int32Array(ex.memory.buffer, meta, 4).fill(0);
  // -1 also after a warning (stray bytes between segments); libjpeg's fatal errors throw instead.
  ex.tjDecompressHeader3(handle, src, bytes.length, meta, meta + 4, meta + 8, meta + 12);
  const [sourceWidth, sourceHeight] = new Int32Array(ex.memory.buffer, meta, 2);
  if (!(sourceWidth > 0 && sourceHeight > 0)) throw new JpegFatalError();
  const m = jpegDecodeScale(sourceWidth, sourceHeight, atLeast);
  const width = scaled(sourceWidth, m);
  const height = scaled(sourceHeight, m);
  const size = width * height * 4;
  const dst = ex.malloc(size);
  if (!dst) throw new Error('the JPEG decoder is out of memory');
  const warned = ex.tjDecompress2(handle, src, bytes.length, dst, width, 0, height, TJPF_RGBA, 0) !== 0;
  // libjpeg fills the rows past an early end with grey and only warns ("Premature end of JPEG file").
  if (warned && !endsWithEoi(bytes)) throw new Error('the JPEG file is truncated');
  const into = allocate?.(size);
  const data = into ? new Uint8ClampedArray(into.buffer, into.byteOffset, size) : new Uint8ClampedArray(size);
  data.set(new Uint8Array(ex.memory.buffer, dst, size));
  ex.tjDestroy(handle);
  ex.free(dst);
  ex.free(meta);
  ex.free(src);
  return { width, height, data, sourceWidth, sourceHeight };
}
