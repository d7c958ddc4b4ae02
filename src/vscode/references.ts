import * as vscode from 'vscode';
import { AheadCache } from '../core/aheadCache';
import { NanoError } from '../core/errors';
import { inert } from '../core/inert';
import { MAX_REFERENCES } from '../core/api/types';
import { megabytes } from '../core/format';
import { sharedImageWorkers } from '../core/images/imageWorkers';
import { DEFAULT_MAX_BYTES, ReferenceImageError, screenReference, type PreparedReference, type ReferenceProblem } from '../core/images/referenceCheck';

/** Largest local file read as a reference at all; larger PNG/JPEG/WebP files under it are downscaled. */
export const MAX_REFERENCE_FILE_BYTES = 50 * 1024 * 1024;
/** Largest image sent as a data URI (the request body carries it base64-encoded). */
export const MAX_REFERENCE_BYTES = DEFAULT_MAX_BYTES;

export interface ResolvedReference {
  /** What is sent: an https URL or a data URI. */
  value: string;
  /** What is shown and persisted. */
  name: string;
  /** Where it can be read again (a file URI or https URL; none for a data URI), for "Refine…". */
  source?: string;
}

function toUri(ref: string): vscode.Uri {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref) && !/^[a-z]:[\\/]/i.test(ref)) return vscode.Uri.parse(ref);
  return vscode.Uri.file(ref);
}

function tooLarge(name: string, bytes: number): NanoError {
  return new NanoError({
    kind: 'invalid-input',
    message: vscode.l10n.t(
      '{0} is {1} MB; reference images can be at most {2} MB. Use a smaller copy.',
      name,
      megabytes(bytes),
      MAX_REFERENCE_FILE_BYTES / 1048576,
    ),
    retryable: false,
  });
}

/** The engine's reason, said in the user's language. */
function describeProblem(name: string, p: ReferenceProblem): string {
  switch (p.reason) {
    case 'not-image':
      return vscode.l10n.t('{0} is not a PNG, JPEG, WebP or GIF image.', name);
    case 'corrupt':
      return vscode.l10n.t('{0} could not be read as a {1} image; it may be damaged or truncated.', name, p.format);
    case 'undecodable-too-large':
      return vscode.l10n.t(
        '{0} is a {1} of {2} MB (at most {3} MB can be sent); convert it to PNG or JPEG or use a smaller one.',
        name,
        p.format,
        megabytes(p.bytes),
        megabytes(p.maxBytes),
      );
    case 'animated':
      return vscode.l10n.t(
        '{0} is an animated WebP of {1} MB (at most {2} MB can be sent), and animations cannot be downscaled; use a still image or a smaller file.',
        name,
        megabytes(p.bytes),
        megabytes(p.maxBytes),
      );
    case 'too-many-pixels':
      return vscode.l10n.t(
        '{0} is {1}×{2} pixels, too large to downscale (at most {3} megapixels); use a smaller copy.',
        name,
        p.width,
        p.height,
        Math.round(p.maxPixels / 1e6),
      );
    case 'cannot-fit':
      return vscode.l10n.t('{0} could not be made smaller than {1} MB, even downscaled; use a smaller copy.', name, megabytes(p.maxBytes));
  }
}

// Shared by the bundles that ask (front.js, while the person picks) and that submit (services.js).
const AHEAD = Symbol.for('nanoBanana.referencesAhead');
const holder = globalThis as { [AHEAD]?: AheadCache<ResolvedReference> };
/** Prepared references stay this long unless used (four prepared photos hold about 20 MB). */
const AHEAD_TTL_MS = 90_000;

/**
 * Starts preparing picked reference images now (in the image worker), while the person answers the
 * remaining questions; the submit then finds them ready. Failures surface at the submit, as before.
 */
export function prepareReferencesAhead(uris: readonly vscode.Uri[]): void {
  for (const uri of uris) readReference(uri).catch(() => undefined);
}

/**
 * Reads a local image (any file system VS Code knows) into a data URI: small images as they are,
 * large PNG/JPEG/WebP images downscaled to a JPEG of at most 2048 px and {@link MAX_REFERENCE_BYTES}.
 * A file prepared ahead (same size and time) is not prepared again.
 */
export async function readReference(uri: vscode.Uri): Promise<ResolvedReference> {
  const name = uri.path.split('/').pop() || uri.toString();
  // A file name is outside text: messages quote it inert, so it never becomes a link or an icon.
  const shown = inert(name);
  let stat: vscode.FileStat;
  try {
    stat = await vscode.workspace.fs.stat(uri);
  } catch (e) {
    throw unreadable(shown, e);
  }
  if (stat.size > MAX_REFERENCE_FILE_BYTES) throw tooLarge(shown, stat.size);
  const cache = (holder[AHEAD] ??= new AheadCache<ResolvedReference>(AHEAD_TTL_MS));
  return cache.get(`${uri.toString()}|${stat.size}|${stat.mtime}`, () => prepare(uri, name, shown));
}

function unreadable(shown: string, cause: unknown): NanoError {
  return new NanoError({ kind: 'invalid-input', message: vscode.l10n.t('The reference image {0} could not be read.', shown), retryable: false, cause });
}

async function prepare(uri: vscode.Uri, name: string, shown: string): Promise<ResolvedReference> {
  let bytes: Uint8Array;
  try {
    bytes = await vscode.workspace.fs.readFile(uri);
  } catch (e) {
    throw unreadable(shown, e);
  }
  if (bytes.byteLength > MAX_REFERENCE_FILE_BYTES) throw tooLarge(shown, bytes.byteLength);
  let prepared: PreparedReference;
  try {
    const opts = { maxBytes: MAX_REFERENCE_BYTES, name };
    const screened = screenReference(bytes, opts);
    // Decoding a large photo takes hundreds of ms: in the image worker, off the extension host's thread.
    prepared = 'done' in screened ? screened.done : await sharedImageWorkers().reference(bytes, opts);
  } catch (e) {
    if (e instanceof ReferenceImageError) {
      throw new NanoError({ kind: 'invalid-input', message: describeProblem(shown, e.problem), retryable: false, cause: e });
    }
    throw unreadable(shown, e);
  }
  return {
    value: `data:${prepared.mime};base64,${Buffer.from(prepared.bytes.buffer, prepared.bytes.byteOffset, prepared.bytes.byteLength).toString('base64')}`,
    name,
    source: uri.toString(),
  };
}

/** Resolves argument references (https URLs, data URIs, paths, file URIs), at most four. */
export async function resolveReferences(refs: ReadonlyArray<string | vscode.Uri>): Promise<ResolvedReference[]> {
  if (refs.length > MAX_REFERENCES) {
    throw new NanoError({
      kind: 'invalid-input',
      message: vscode.l10n.t('{0} reference images were chosen; at most {1} can be used. Pick fewer.', refs.length, MAX_REFERENCES),
      retryable: false,
    });
  }
  const out: ResolvedReference[] = [];
  for (const ref of refs) {
    // An https URL kept from an earlier job comes back as a Uri (see GeneratePreset.references).
    const r = typeof ref !== 'string' && ref.scheme === 'https' ? ref.toString(true) : ref;
    if (typeof r === 'string' && r.startsWith('data:')) {
      out.push({ value: r, name: 'image' });
    } else if (typeof r === 'string' && r.startsWith('https://')) {
      out.push({ value: r, name: r.split('/').pop() || r, source: r });
    } else {
      out.push(await readReference(typeof r === 'string' ? toUri(r) : r));
    }
  }
  return out;
}
