/**
 * The messages between the extension host and the image worker (imageWorker.ts): what is asked
 * and what comes back. Types only, so both sides share them without the worker's decoders.
 */
import type { PrepareOptions, ReferenceProblem } from './referenceCheck';
import type { ImageMime } from './sniff';
import type { ThumbnailOptions } from './thumbnail';

export type ImageRequest =
  /** The thumbnail of an image file; the worker reads the file itself, so the host never holds it. */
  | { kind: 'thumbnail'; file: string; opts?: ThumbnailOptions }
  /** A reference image made small enough to send (resize.ts's prepareReference). */
  | { kind: 'reference'; bytes: Uint8Array; opts: PrepareOptions }
  /** A PNG as JPEG or a JPEG as PNG (convert.ts). */
  | { kind: 'convert'; bytes: Uint8Array; to: 'png' | 'jpeg'; quality?: number }
  /** Compiles the decoders now, so the next request does not wait for them. */
  | { kind: 'warm' };

export interface ImageResult {
  bytes: Uint8Array;
  mime?: ImageMime;
  width?: number;
  height?: number;
  resized?: boolean;
  /** Parts of it (rows of a resample, an orientation or an encode) that the worker's helper thread made. */
  helperParts?: number;
}

export type ImageAnswer =
  { id: number; ok: true; result: ImageResult; threadId: number } | { id: number; ok: false; message: string; problem?: ReferenceProblem };
