/**
 * Writing images into the extension's own store without ever replacing a file: bytes go to a
 * temporary file in the target folder, which is then hard-linked to the final name (link fails
 * with EEXIST instead of overwriting, so concurrent writers can never clobber each other). Where
 * hard links are not supported, `copyFile` with COPYFILE_EXCL gives the same no-overwrite rule.
 */
import { constants as fsConstants, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { NanoError, isNanoError } from '../errors';
import { prepareFolderInside, type Confinement } from './confine';
import { sanitizeBaseName, sanitizeExt, uniqueName } from './naming';

/** The file-system operation that can be swapped in tests (e.g. to simulate a FAT volume). */
export interface WriteFsOps {
  link(existingPath: string, newPath: string): Promise<void>;
}

const defaultOps: WriteFsOps = { link: (a, b) => fsp.link(a, b) };

/** Error codes meaning "this volume cannot hard-link", after which copyFile is used instead. */
const LINK_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK', 'EINVAL', 'EISDIR', 'UNKNOWN']);

function codeOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The fs error code (`EACCES`, `ENOSPC`, ...) behind an io NanoError of this module, or of a raw fs error. */
export function ioCodeOf(e: unknown): string | undefined {
  return codeOf(e) ?? codeOf((e as { cause?: unknown } | null)?.cause);
}

function reasonFor(code: string | undefined): string {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk is full';
    case 'EROFS':
      return 'the folder is on a read-only drive';
    case 'ENOTDIR':
    case 'EEXIST':
      return 'part of the path is a file, not a folder';
    case 'ENOENT':
      return 'the folder does not exist';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'EBUSY':
      return 'the file is in use';
    default:
      return code ? `error ${code}` : 'unexpected error';
  }
}

/** An `io` NanoError saying the image could not be saved in `dir` (a NanoError is kept as it is). */
export function ioError(dir: string, e: unknown): NanoError {
  if (isNanoError(e)) return e;
  const code = codeOf(e);
  return new NanoError({
    kind: 'io',
    message: `Could not save the image in the folder ${dir}: ${reasonFor(code)}.`,
    retryable: code === 'EBUSY' || code === 'ENOSPC' || code === 'EDQUOT',
    detail: e instanceof Error ? e.message : undefined,
    cause: e,
  });
}

function splitName(name: string): { base: string; ext: string } {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? { base: name.slice(0, dot), ext: name.slice(dot + 1) } : { base: name, ext: '' };
}

function assertPlainName(dir: string, name: string): void {
  const ok =
    typeof name === 'string' && name !== '' && name !== '.' && name !== '..' && !/[/\\]/.test(name) && !name.includes('\0') && path.basename(name) === name;
  if (!ok) {
    throw new NanoError({
      kind: 'io',
      message: `Could not save the image in the folder ${dir}: "${String(name)}" is not a plain file name.`,
      retryable: false,
    });
  }
}

/** Writes `bytes` to a fresh hidden temporary file in `dir` (flushed to disk); returns its path. */
async function writeTemp(dir: string, bytes: Uint8Array): Promise<string> {
  // Unique per call (not per process or millisecond), and short: the final name may use all 255 bytes.
  const tmp = path.join(dir, `.nano-banana-${randomUUID()}.tmp`);
  const fh = await fsp.open(tmp, 'wx');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await fsp.unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fh.close().catch(async (e) => {
    await fsp.unlink(tmp).catch(() => undefined);
    throw e;
  });
  return tmp;
}

/**
 * Publishes the temp file under the first free name among `base.ext`, `base-2.ext`, ...: each
 * attempt is an atomic no-overwrite link (or exclusive copy), so "exists" and "claim" are one step.
 */
async function placeNoOverwrite(dir: string, base: string, ext: string, bytes: Uint8Array, ops: WriteFsOps, maxTries?: number): Promise<string> {
  await fsp.mkdir(dir, { recursive: true });
  return placeTemp(dir, base, ext, await writeTemp(dir, bytes), ops, maxTries);
}

/** Publishes the temp file `tmp` (in `dir`) under the first free name; `tmp` is gone afterwards. */
async function placeTemp(dir: string, base: string, ext: string, tmp: string, ops: WriteFsOps, maxTries?: number): Promise<string> {
  let linkWorks = true;
  try {
    const claim = async (name: string): Promise<boolean> => {
      const target = path.join(dir, name);
      if (linkWorks) {
        try {
          await ops.link(tmp, target);
          return false; // claimed
        } catch (e) {
          const code = codeOf(e);
          if (code === 'EEXIST') return true;
          if (!code || !LINK_UNSUPPORTED.has(code)) throw e;
          linkWorks = false; // e.g. FAT/exFAT or some network drives: fall back to an exclusive copy
        }
      }
      try {
        await fsp.copyFile(tmp, target, fsConstants.COPYFILE_EXCL);
        return false;
      } catch (e) {
        if (codeOf(e) === 'EEXIST') return true;
        throw e;
      }
    };
    const name = await uniqueName(base, ext, claim, maxTries);
    return path.join(dir, name);
  } finally {
    await fsp.unlink(tmp).catch(() => undefined);
  }
}

/**
 * Writes `bytes` as `dir/name` without ever overwriting: when the name is taken (now or by a
 * concurrent writer) the next free `name-2.ext`, `name-3.ext`, ... is used. Creates `dir`. Returns
 * the final path. Never leaves a temporary file behind; failures are NanoError kind `io`.
 */
export async function writeFileAtomicNoOverwrite(dir: string, name: string, bytes: Uint8Array, ops: WriteFsOps = defaultOps): Promise<string> {
  assertPlainName(dir, name);
  const { base, ext } = splitName(name);
  try {
    return await placeNoOverwrite(dir, base, ext, bytes, ops);
  } catch (e) {
    throw ioError(dir, e);
  }
}

/**
 * Moves `tmp`, a finished file in `dir` (a download streamed to disk), to the first free
 * `base.ext`, `base-2.ext`, ... in `dir`, like {@link writeUnique}. `tmp` is gone afterwards.
 */
export async function placeUnique(dir: string, base: string, ext: string, tmp: string, ops: WriteFsOps = defaultOps): Promise<string> {
  try {
    return await placeTemp(dir, sanitizeBaseName(base), sanitizeExt(ext), tmp, ops);
  } catch (e) {
    await fsp.unlink(tmp).catch(() => undefined);
    throw ioError(dir, e);
  }
}

/**
 * Saves `bytes` as the first free `base.ext`, `base-2.ext`, ... in `dir` (created if needed).
 * `base` is sanitised into a safe file name first. Returns the final path.
 */
export async function writeUnique(dir: string, base: string, ext: string, bytes: Uint8Array, ops: WriteFsOps = defaultOps): Promise<string> {
  try {
    return await placeNoOverwrite(dir, sanitizeBaseName(base), sanitizeExt(ext), bytes, ops);
  } catch (e) {
    throw ioError(dir, e);
  }
}

/** Refusals of `writeUniqueInside`, as values: the VS Code layer words them. */
export type FolderRefusal = Extract<Confinement, { ok: false }>;

/**
 * `writeUnique` into the folder `rel` (posix, relative) of `root`, refusing (as a value, writing
 * nothing) when that folder or any folder above it leads outside `root` through a symbolic link.
 * Failures to create the folder or the file are NanoError kind `io` naming the folder. With
 * `maxTries` 1 only `base.ext` itself is tried (an `io` error when it exists: nothing is replaced).
 */
export async function writeUniqueInside(
  root: string,
  rel: string,
  base: string,
  ext: string,
  bytes: Uint8Array,
  ops: WriteFsOps = defaultOps,
  maxTries?: number,
): Promise<{ ok: true; path: string } | FolderRefusal> {
  const named = path.join(root, ...rel.split('/').filter((s) => s !== '' && s !== '.'));
  let folder: Confinement;
  try {
    folder = await prepareFolderInside(root, rel);
  } catch (e) {
    throw ioError(named, e);
  }
  if (!folder.ok) return folder;
  try {
    const written = await placeNoOverwrite(folder.real ?? folder.dir, sanitizeBaseName(base), sanitizeExt(ext), bytes, ops, maxTries);
    return { ok: true, path: path.join(folder.dir, path.basename(written)) };
  } catch (e) {
    throw ioError(folder.dir, e);
  }
}
