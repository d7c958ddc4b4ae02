/**
 * Keeping saves inside a root folder on the local disk. A relative folder without `..` can still
 * lead elsewhere when it, or any folder above it, is a symbolic link (a cloned repository can
 * ship one): so the decision is made on real paths, the real path of the deepest part of the
 * folder that exists against the real path of the root.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { joinSafe } from './naming';

/** Why a folder is refused. */
export type RefusalReason =
  | 'not-relative' // absolute, `..`, `~`, or a name Windows cannot hold
  | 'outside' // the folder or a folder above it is a link that resolves outside the root
  | 'broken-link'; // a link on the way points to nothing (or loops): where it would lead is unknown

export type Confinement =
  | {
      ok: true;
      /** The folder as the user named it: root joined with the relative folder. */
      dir: string;
      /** Its real path once it exists (links resolved); undefined while it does not exist yet. */
      real?: string;
    }
  | {
      ok: false;
      reason: RefusalReason;
      /** The folder as the user named it (root joined with the relative folder), when it is one. */
      dir?: string;
      /** The part of the folder that is a link (for `outside` and `broken-link`). */
      link?: string;
      /** Where that link really leads (for `outside`). */
      target?: string;
    };

function codeOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isInside(realRoot: string, real: string): boolean {
  const back = path.relative(realRoot, real);
  return back === '' || (!back.startsWith('..') && !path.isAbsolute(back));
}

/** The deepest of `dir` and its parents (up to `root`) that exists, without following its last link. */
async function deepestExisting(root: string, dir: string): Promise<string> {
  for (let p = dir; ; p = path.dirname(p)) {
    try {
      await fsp.lstat(p);
      return p;
    } catch (e) {
      const code = codeOf(e);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
      if (p === root || path.dirname(p) === p) return root;
    }
  }
}

/** The first segment from `root` down to `existing` that is a symbolic link (for the message). */
async function firstLink(root: string, existing: string): Promise<string> {
  const segments = path.relative(root, existing).split(path.sep).filter(Boolean);
  let p = root;
  for (const seg of segments) {
    p = path.join(p, seg);
    const st = await fsp.lstat(p).catch(() => undefined);
    if (st?.isSymbolicLink()) return p;
  }
  return existing;
}

/**
 * Where `rel` (posix, relative) lands under `root`, refused when it could leave `root`: lexically
 * (`..`, absolute) or through a symbolic link anywhere on the way. Links that stay inside `root`
 * are fine. Reads the file system, writes nothing. Throws only for unexpected fs errors (e.g. the
 * root itself does not exist or cannot be read).
 */
export async function confineFolder(root: string, rel: string): Promise<Confinement> {
  const dir = joinSafe(root, rel);
  if (dir === undefined) return { ok: false, reason: 'not-relative' };
  const base = path.resolve(root);
  const realRoot = await fsp.realpath(base);
  const existing = await deepestExisting(base, dir);
  let real: string;
  try {
    real = await fsp.realpath(existing);
  } catch (e) {
    const code = codeOf(e);
    if (code !== 'ENOENT' && code !== 'ELOOP' && code !== 'ENOTDIR') throw e;
    return { ok: false, reason: 'broken-link', dir, link: await firstLink(base, existing) };
  }
  if (!isInside(realRoot, real)) return { ok: false, reason: 'outside', dir, link: await firstLink(base, existing), target: real };
  return existing === dir ? { ok: true, dir, real } : { ok: true, dir };
}

/**
 * `confineFolder`, then creates the folder and checks again now that all of it exists (so a link
 * created meanwhile is caught too), returning its real path to write into. Throws the fs error
 * when the folder cannot be created (a file in its place, a read-only parent, a full disk).
 */
export async function prepareFolderInside(root: string, rel: string): Promise<Confinement> {
  const first = await confineFolder(root, rel);
  if (!first.ok) return first;
  await fsp.mkdir(first.dir, { recursive: true }); // no-op for a folder; EEXIST/ENOTDIR for a file in its place
  const second = await confineFolder(root, rel);
  if (second.ok && second.real === undefined) {
    // Still missing right after mkdir: something removed it; report it as the fs would.
    throw Object.assign(new Error(`ENOENT: no such directory, ${second.dir}`), { code: 'ENOENT' });
  }
  return second;
}
