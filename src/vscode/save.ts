import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { NanoError, isNanoError } from '../core/errors';
import type { HistoryItem } from '../core/history';
import { inert } from '../core/inert';
import { candidateName, formatBaseName, isSafeRelativeFolder } from '../core/images/naming';
import { ioCodeOf, writeUniqueInside, type FolderRefusal } from '../core/images/write';
import { htmlImageTag, linkFormatFor, markdownImageLink, relativePosix } from '../core/links';

/**
 * Saving into the workspace: never outside the workspace folder (not through `..`, not through a
 * symbolic link), never over an existing file, never with a name too long for the disk. On disk
 * (`file:`) through node fs, which can create exclusively and resolve real paths; elsewhere
 * (virtual and remote file systems) through `vscode.workspace.fs`.
 */

const SETTING = 'nanoBanana.outputFolder';

/** The workspace folder to save into: the active editor's, else the first. */
export function targetWorkspaceFolder(preferred?: vscode.Uri): vscode.WorkspaceFolder | undefined {
  const folders = vscode.workspace.workspaceFolders;
  if (!folders?.length) return undefined;
  const fromEditor = preferred ? vscode.workspace.getWorkspaceFolder(preferred) : undefined;
  return fromEditor ?? folders[0];
}

const configError = (message: string) => new NanoError({ kind: 'config', message, retryable: false });

function refusalError(r: FolderRefusal, setting: string): NanoError {
  if (r.reason === 'outside') {
    return configError(
      vscode.l10n.t(
        'The output folder "{0}" leads outside the workspace folder: {1} is a symbolic link to {2}. Nothing was saved and the image is still in the gallery. Set {3} to a folder inside the workspace.',
        inert(setting),
        inert(r.link ?? ''),
        inert(r.target ?? ''),
        SETTING,
      ),
    );
  }
  if (r.reason === 'broken-link') {
    return configError(
      vscode.l10n.t(
        'The output folder "{0}" cannot be used: {1} is a symbolic link that leads nowhere. Nothing was saved and the image is still in the gallery. Fix the link, or set {2} to another folder.',
        inert(setting),
        inert(r.link ?? ''),
        SETTING,
      ),
    );
  }
  return configError(
    vscode.l10n.t('The output folder "{0}" must be a relative folder inside the workspace (check the nanoBanana.outputFolder setting).', inert(setting)),
  );
}

/** A save that failed on the file system, in words that name the folder and the next step. */
function ioFailure(folder: string, code: string | undefined, cause: unknown): NanoError {
  let message: string;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'NoPermissions') {
    message = vscode.l10n.t(
      'the folder {0} is read-only or you may not write there. The image is still in the gallery: make the folder writable, or set {1} to another folder.',
      inert(folder),
      SETTING,
    );
  } else if (code === 'ENOSPC' || code === 'EDQUOT') {
    message = vscode.l10n.t('the disk that holds {0} is full. The image is still in the gallery: free some space, then save it again.', inert(folder));
  } else if (code === 'EEXIST' || code === 'ENOTDIR' || code === 'FileNotADirectory' || code === 'FileExists') {
    message = vscode.l10n.t(
      '{0} is a file, not a folder (or a file stands in its path). The image is still in the gallery: move the file, or set {1} to another folder.',
      inert(folder),
      SETTING,
    );
  } else {
    const why = code ?? (cause instanceof Error ? cause.message : String(cause));
    message = vscode.l10n.t('saving into {0} failed ({1}). The image is still in the gallery.', inert(folder), why);
  }
  const detail = cause instanceof Error ? cause.message : undefined;
  return new NanoError({ kind: 'io', message, retryable: code === 'ENOSPC' || code === 'EDQUOT', detail, cause });
}

// ---- on disk

async function saveOnDisk(root: string, rel: string, setting: string, base: string, ext: string, bytes: Uint8Array): Promise<vscode.Uri> {
  const folder = path.join(root, ...rel.split('/').filter(Boolean));
  let result: Awaited<ReturnType<typeof writeUniqueInside>>;
  try {
    result = await writeUniqueInside(root, rel, base, ext, bytes);
  } catch (e) {
    if (isNanoError(e) && e.kind !== 'io') throw e;
    throw ioFailure(folder, ioCodeOf(e), e);
  }
  if (!result.ok) throw refusalError(result, setting);
  return vscode.Uri.file(result.path);
}

// ---- through vscode.workspace.fs (virtual and remote workspaces)

function fsCodeOf(e: unknown): string | undefined {
  return e instanceof vscode.FileSystemError ? e.code : ioCodeOf(e);
}

/**
 * The first existing segment of `segments` under `root` that is a symbolic link. Such a file
 * system cannot say where a link leads, so any link on the way is refused.
 */
export async function symlinkOnTheWay(root: vscode.Uri, segments: string[]): Promise<vscode.Uri | undefined> {
  for (let i = 1; i <= segments.length; i++) {
    const uri = vscode.Uri.joinPath(root, ...segments.slice(0, i));
    let type: vscode.FileType;
    try {
      type = (await vscode.workspace.fs.stat(uri)).type;
    } catch (e) {
      if (fsCodeOf(e) === 'FileNotFound') return undefined; // the rest is created below
      throw e;
    }
    if (type & vscode.FileType.SymbolicLink) return uri;
  }
  return undefined;
}

/**
 * Writes `bytes` as the first free `base.ext`, `base-2.ext`, ... in `folder`: to a temporary name
 * unique to this call, then renamed without overwrite; a name taken meanwhile moves on to the next.
 */
export async function writeUniqueInFolder(folder: vscode.Uri, base: string, ext: string, bytes: Uint8Array): Promise<vscode.Uri> {
  const tmp = vscode.Uri.joinPath(folder, `.nano-banana-${randomUUID()}.tmp`);
  await vscode.workspace.fs.writeFile(tmp, bytes);
  let placed = false;
  try {
    for (let n = 1; n <= 1000; n++) {
      const target = vscode.Uri.joinPath(folder, candidateName(base, ext, n));
      try {
        await vscode.workspace.fs.rename(tmp, target, { overwrite: false });
        placed = true;
        return target;
      } catch (e) {
        if (fsCodeOf(e) === 'FileExists' || fsCodeOf(e) === 'EEXIST') continue; // taken: the next name
        throw e;
      }
    }
  } finally {
    if (!placed) await vscode.workspace.fs.delete(tmp).then(undefined, () => undefined);
  }
  throw new NanoError({
    kind: 'io',
    message: vscode.l10n.t('No free file name for {0} in {1}.', inert(candidateName(base, ext, 1)), inert(folder.toString(true))),
    retryable: false,
  });
}

/**
 * One save at a time per folder in this window: `rename` without overwrite is a check, then a
 * rename, in most file system providers, so two saves racing for one name could both "win".
 */
const folderQueues = new Map<string, Promise<unknown>>();

function inFolderQueue<T>(folder: vscode.Uri, fn: () => Promise<T>): Promise<T> {
  const key = folder.toString();
  const run = (folderQueues.get(key) ?? Promise.resolve()).then(fn, fn);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  folderQueues.set(key, tail);
  void tail.then(() => folderQueues.get(key) === tail && folderQueues.delete(key));
  return run;
}

export async function saveWithWorkspaceFs(root: vscode.Uri, rel: string, setting: string, base: string, ext: string, bytes: Uint8Array): Promise<vscode.Uri> {
  const segments = rel.split('/').filter((s) => s !== '' && s !== '.');
  const folder = vscode.Uri.joinPath(root, ...segments);
  const refuse = (link: vscode.Uri) =>
    configError(
      vscode.l10n.t(
        'The output folder "{0}" goes through the symbolic link {1}, and this workspace cannot tell where it leads. Nothing was saved and the image is still in the gallery. Set {2} to a folder without links.',
        inert(setting),
        inert(link.toString(true)),
        SETTING,
      ),
    );
  try {
    const before = await symlinkOnTheWay(root, segments);
    if (before) throw refuse(before);
    await vscode.workspace.fs.createDirectory(folder);
    const after = await symlinkOnTheWay(root, segments); // a link made meanwhile
    if (after) throw refuse(after);
    return await inFolderQueue(folder, () => writeUniqueInFolder(folder, base, ext, bytes));
  } catch (e) {
    if (isNanoError(e)) throw e;
    throw ioFailure(folder.toString(true), fsCodeOf(e), e);
  }
}

export interface SaveSettings {
  outputFolder: string;
  fileNamePattern: string;
}

/**
 * Saves a history image into the workspace. With no folder open, asks where with a save dialog;
 * undefined when the user dismisses it. A refused folder or a failed write throws a NanoError
 * (`config` or `io`); the history copy is never touched.
 */
export async function saveToWorkspace(
  item: HistoryItem,
  bytes: Uint8Array,
  ext: string,
  settings: SaveSettings,
  preferred?: vscode.Uri,
): Promise<vscode.Uri | undefined> {
  const base = formatBaseName(settings.fileNamePattern, { prompt: item.prompt, date: new Date(item.createdAt), taskId: item.taskId, model: item.model });
  const ws = targetWorkspaceFolder(preferred);
  if (!ws) {
    const target = await vscode.window.showSaveDialog({
      title: vscode.l10n.t('Save generated image'),
      defaultUri: vscode.Uri.file(path.join(os.homedir(), candidateName(base, ext, 1))),
      filters: { [vscode.l10n.t('Images')]: [ext] },
    });
    if (!target) return undefined;
    await vscode.workspace.fs.writeFile(target, bytes);
    return target;
  }
  const rel = settings.outputFolder
    .replace(/\\/g, '/')
    .replace(/^\.\/+/, '')
    .replace(/\/+$/, '');
  if (rel !== '' && !isSafeRelativeFolder(rel)) throw refusalError({ ok: false, reason: 'not-relative' }, settings.outputFolder);
  if (ws.uri.scheme === 'file') return saveOnDisk(ws.uri.fsPath, rel, settings.outputFolder, base, ext, bytes);
  return saveWithWorkspaceFs(ws.uri, rel, settings.outputFolder, base, ext, bytes);
}

/** The link text for `target` as seen from `document`. */
export function linkFor(document: vscode.TextDocument, target: vscode.Uri, item: HistoryItem, format?: 'markdown' | 'html'): string {
  const fmt = format ?? linkFormatFor(document.languageId);
  const sameRoot = document.uri.scheme === target.scheme && document.uri.authority === target.authority && !document.isUntitled;
  let ref: string;
  let isUri = false;
  if (sameRoot) {
    ref = relativePosix(document.uri.path, target.path);
  } else {
    const ws = targetWorkspaceFolder(target);
    if (ws) ref = relativePosix(ws.uri.path + '/', target.path);
    else {
      // No workspace folder to be relative to (an empty window, another file system): the full URI.
      ref = target.toString();
      isUri = true;
    }
  }
  return fmt === 'html' ? htmlImageTag(ref, item.prompt, item.width, item.height, isUri) : markdownImageLink(ref, item.prompt, isUri);
}

/** Inserts the link at the editor's selection (replacing it). */
export async function insertLink(editor: vscode.TextEditor, text: string): Promise<boolean> {
  return editor.edit((b) => {
    for (const sel of editor.selections) b.replace(sel, text);
  });
}
