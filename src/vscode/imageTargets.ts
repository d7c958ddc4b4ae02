import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { NanoError, isNanoError } from '../core/errors';
import type { HistoryItem } from '../core/history';
import { inert } from '../core/inert';
import { sharedImageWorkers } from '../core/images/imageWorkers';
import { prepareFolderInside } from '../core/images/confine';
import { sniffImage } from '../core/images/sniff';
import type { ImageStore } from '../core/images/imageStore';
import { findImageRefs, formatForTarget, localTarget, resolveInRoot, withExtension } from '../core/markdownImages';
import type { Log } from './log';
import { fileExists } from './fileExists';
import { symlinkOnTheWay } from './save';

/**
 * Images generated for a link that named a missing file: written to exactly that file, in the
 * format its extension asks for, inside the workspace, never over an existing file.
 */

const refused = (message: string) => new NanoError({ kind: 'config', message, retryable: false });

/** The workspace folder holding `target` and the path inside it; throws when there is none. */
export function placeInWorkspace(target: vscode.Uri): { folder: vscode.WorkspaceFolder; rel: string } {
  const folder = vscode.workspace.getWorkspaceFolder(target);
  const rel = folder ? resolveInRoot(folder.uri.path + '/x', path.posix.relative(folder.uri.path, target.path), folder.uri.path) : undefined;
  if (!folder || rel === undefined) {
    throw refused(vscode.l10n.t('{0} is not inside a workspace folder: images are only written into the workspace.', inert(target.toString(true))));
  }
  return { folder, rel };
}

const existsError = (target: vscode.Uri) =>
  new NanoError({
    kind: 'io',
    message: vscode.l10n.t('{0} already exists and was not overwritten. The image is in the gallery.', inert(vscode.workspace.asRelativePath(target))),
    retryable: false,
  });

/**
 * Writes `bytes` to exactly `target` through `workspace.fs`: the folders on the way must stay in the
 * workspace (no symbolic link out of it), and an existing file is never replaced (a temporary file
 * in the same folder, renamed without overwrite).
 */
export async function writeExactly(target: vscode.Uri, bytes: Uint8Array): Promise<void> {
  const { folder, rel } = placeInWorkspace(target);
  const dirRel = path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel);
  if (folder.uri.scheme === 'file') {
    const c = await prepareFolderInside(folder.uri.fsPath, dirRel);
    if (!c.ok)
      throw refused(
        vscode.l10n.t(
          'The folder of {0} cannot be used: it is not a plain folder inside the workspace, or a symbolic link leads out of it. Nothing was written.',
          inert(rel),
        ),
      );
  } else {
    const segments = dirRel.split('/').filter(Boolean);
    if (await symlinkOnTheWay(folder.uri, segments))
      throw refused(
        vscode.l10n.t(
          'The folder of {0} cannot be used: it is not a plain folder inside the workspace, or a symbolic link leads out of it. Nothing was written.',
          inert(rel),
        ),
      );
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(folder.uri, ...segments));
  }
  if (await fileExists(target)) throw existsError(target);
  const tmp = vscode.Uri.joinPath(target, '..', `.nano-banana-${randomUUID()}.tmp`);
  await vscode.workspace.fs.writeFile(tmp, bytes);
  try {
    await vscode.workspace.fs.rename(tmp, target, { overwrite: false });
  } catch (e) {
    await vscode.workspace.fs.delete(tmp).then(undefined, () => undefined);
    if (isNanoError(e)) throw e;
    const code = e instanceof vscode.FileSystemError ? e.code : (e as { code?: string }).code;
    if (code === 'FileExists' || code === 'EEXIST') throw existsError(target);
    throw e;
  }
}

/** The links in open Markdown/HTML documents that point at `from`, changed to point at `to`. */
async function relink(from: vscode.Uri, to: vscode.Uri): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  const newName = path.posix.basename(to.path);
  for (const doc of vscode.workspace.textDocuments) {
    if (doc.languageId !== 'markdown' && doc.languageId !== 'html') continue;
    const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
    if (!folder) continue;
    const text = doc.getText();
    const rewrite = (start: number, end: number, raw: string) => {
      const at = text.indexOf(raw, start);
      if (at < 0 || at + raw.length > end) return;
      const replaced = withExtension(raw, newName.slice(newName.lastIndexOf('.') + 1));
      edit.replace(doc.uri, new vscode.Range(doc.positionAt(at), doc.positionAt(at + raw.length)), replaced);
    };
    const seen = new Set<string>();
    for (const ref of findImageRefs(text, doc.languageId)) {
      const rel = localTarget(ref.target);
      const inRoot = rel === undefined ? undefined : resolveInRoot(doc.uri.path, rel, folder.uri.path);
      if (inRoot === undefined || vscode.Uri.joinPath(folder.uri, ...inRoot.split('/')).toString() !== from.toString()) continue;
      if (ref.kind !== 'reference') rewrite(ref.start, ref.end, ref.target);
      else if (!seen.has(ref.target)) {
        seen.add(ref.target);
        const def = new RegExp(`^ {0,3}\\[[^\\]\\n]+\\]:[ \\t]*<?`, 'gm');
        for (const m of text.matchAll(def)) {
          const start = (m.index ?? 0) + m[0].length;
          if (text.startsWith(ref.target, start)) rewrite(start, start + ref.target.length, ref.target);
        }
      }
    }
  }
  await vscode.workspace.applyEdit(edit);
}

/**
 * `bytes` in the format the link asks for: as they are when already in it, converted in the image
 * worker (decoding a 2048² image takes a second, never on this thread) when PNG↔JPEG, undefined
 * for formats that cannot be converted.
 */
async function convertedTo(bytes: Uint8Array, produced: string | undefined, wanted: 'png' | 'jpeg'): Promise<Uint8Array | undefined> {
  if (produced === (wanted === 'png' ? 'png' : 'jpg')) return bytes;
  if (produced !== 'png' && produced !== 'jpg') return undefined;
  return sharedImageWorkers().convert(bytes, wanted);
}

/** Delivers finished images to the file their link named. */
export class ImageTargets {
  constructor(
    private readonly store: ImageStore,
    private readonly log: Log,
  ) {}

  /** Writes `item` to its target (converted, or under a changed link); the written file, or undefined. */
  async deliver(item: HistoryItem, targetUri: string): Promise<vscode.Uri | undefined> {
    let target = vscode.Uri.parse(targetUri);
    let bytes: Uint8Array = await readFile(this.store.pathOf(item));
    const produced = sniffImage(bytes)?.ext ?? 'png';
    const wanted = formatForTarget(target.path);
    const converted = wanted === 'other' ? undefined : await convertedTo(bytes, sniffImage(bytes)?.ext, wanted);
    if (converted) bytes = converted;
    else {
      const ext = path.posix.extname(target.path).slice(1).toLowerCase();
      const same = ext === produced || (produced === 'jpg' && ext === 'jpeg');
      if (!same) {
        const changed = target.with({ path: withExtension(target.path, produced) });
        const change = vscode.l10n.t('Change the link');
        const choice = await vscode.window.showInformationMessage(
          vscode.l10n.t(
            'The link names {0}, but the image came back as {1}. Change the link to {2}?',
            inert(vscode.workspace.asRelativePath(target)),
            produced.toUpperCase(),
            inert(path.posix.basename(changed.path)),
          ),
          change,
        );
        if (choice !== change) return undefined;
        await writeExactly(changed, bytes);
        await relink(target, changed);
        target = changed;
        this.log.info(`image ${item.id} written to ${target.toString()} (link changed)`);
        return target;
      }
    }
    await writeExactly(target, bytes);
    this.log.info(`image ${item.id} written to ${target.toString()}`);
    return target;
  }
}
