import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { NanoError } from '../core/errors';
import type { HistoryItem } from '../core/history';
import { inert } from '../core/inert';
import { formatBaseName, isSafeRelativeFolder } from '../core/images/naming';
import { htmlImageTag, linkFormatFor, markdownImageLink, relativePosix } from '../core/links';

/**
 * Saving into the workspace, through `vscode.workspace.fs` so remote and virtual workspaces work.
 * Never outside the workspace folder, never over an existing file.
 */

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** The workspace folder to save into: the active editor's, else the first. */
export function targetWorkspaceFolder(preferred?: vscode.Uri): vscode.WorkspaceFolder | undefined {
  const folders = vscode.workspace.workspaceFolders;
  if (!folders?.length) return undefined;
  const fromEditor = preferred ? vscode.workspace.getWorkspaceFolder(preferred) : undefined;
  return fromEditor ?? folders[0];
}

/** Writes `bytes` under a unique name in `folder` (temporary name, then rename without overwrite). */
export async function writeUniqueInFolder(folder: vscode.Uri, base: string, ext: string, bytes: Uint8Array): Promise<vscode.Uri> {
  await vscode.workspace.fs.createDirectory(folder);
  for (let n = 1; n <= 1000; n++) {
    const name = n === 1 ? `${base}.${ext}` : `${base}-${n}.${ext}`;
    const target = vscode.Uri.joinPath(folder, name);
    if (await exists(target)) continue;
    const tmp = vscode.Uri.joinPath(folder, `.${name}.${Date.now().toString(36)}.tmp`);
    await vscode.workspace.fs.writeFile(tmp, bytes);
    try {
      await vscode.workspace.fs.rename(tmp, target, { overwrite: false });
      return target;
    } catch (e) {
      await vscode.workspace.fs.delete(tmp).then(undefined, () => undefined);
      if (await exists(target)) continue; // lost a race for this name: take the next one
      throw e;
    }
  }
  throw new NanoError({ kind: 'io', message: vscode.l10n.t('No free file name for {0} in {1}.', inert(`${base}.${ext}`), inert(folder.fsPath)), retryable: false });
}

export interface SaveSettings {
  outputFolder: string;
  fileNamePattern: string;
}

/**
 * Saves a history image into the workspace. With no folder open, asks where with a save dialog;
 * undefined when the user dismisses it.
 */
export async function saveToWorkspace(item: HistoryItem, bytes: Uint8Array, ext: string, settings: SaveSettings, preferred?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const base = formatBaseName(settings.fileNamePattern, { prompt: item.prompt, date: new Date(item.createdAt), taskId: item.taskId, model: item.model });
  const ws = targetWorkspaceFolder(preferred);
  if (!ws) {
    const target = await vscode.window.showSaveDialog({
      title: vscode.l10n.t('Save generated image'),
      defaultUri: vscode.Uri.file(path.join(os.homedir(), `${base}.${ext}`)),
      filters: { [vscode.l10n.t('Images')]: [ext] },
    });
    if (!target) return undefined;
    await vscode.workspace.fs.writeFile(target, bytes);
    return target;
  }
  const rel = settings.outputFolder.replace(/\\/g, '/').replace(/^\.\/+/, '').replace(/\/+$/, '');
  if (rel !== '' && !isSafeRelativeFolder(rel)) {
    throw new NanoError({
      kind: 'config',
      // A workspace's settings are outside text: quoted inert.
      message: vscode.l10n.t('The output folder "{0}" must be a relative folder inside the workspace (check the nanoBanana.outputFolder setting).', inert(settings.outputFolder)),
      retryable: false,
    });
  }
  const folder = rel === '' ? ws.uri : vscode.Uri.joinPath(ws.uri, ...rel.split('/'));
  return writeUniqueInFolder(folder, base, ext, bytes);
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
