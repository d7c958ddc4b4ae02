/**
 * Who this window is, for the job leases (core/jobs/leases): an owner that stays the same across a
 * window reload and an extension-host restart, and a session that is new each activation. Kept free
 * of heavy imports: the activation entry uses it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WindowIdentity } from '../core/jobs/leases';

const WINDOW_ID_KEY = 'nanoBanana.windowId';

/**
 * The owner is derived from the workspace (its .code-workspace file, else its first folder), so it
 * needs no write that a crash could lose; a window without a saved workspace keeps a random id in
 * its workspaceState. Two windows can only share an owner by showing the same workspace; then the
 * newer one takes the running jobs, and the older one lets them go at its next poll.
 */
export function windowIdentity(context: vscode.ExtensionContext): WindowIdentity {
  const ws = vscode.workspace.workspaceFile ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  let owner: string;
  if (ws && ws.scheme !== 'untitled') {
    owner = 'ws-' + fnv1a(ws.toString());
  } else {
    let id = context.workspaceState.get<string>(WINDOW_ID_KEY);
    if (typeof id !== 'string' || !id) {
      id = randomId();
      void context.workspaceState.update(WINDOW_ID_KEY, id);
    }
    owner = 'win-' + id;
  }
  return { owner, session: randomId() };
}

/** The folder of the job files (shared by all windows of the profile). */
export function jobsDir(context: vscode.ExtensionContext): string {
  return path.join(context.globalStorageUri.fsPath, 'jobs');
}

/**
 * A 64-bit FNV-1a hash of `text` as 16 hex digits: a stable name for a workspace, not a secret.
 * (node:crypto would do too, but its first use costs about a millisecond of activation.)
 */
function fnv1a(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x01000193 ^ 0x5bd1e995) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}

/** A random id for a session (unique enough: time plus 64 random bits). */
function randomId(): string {
  const r = () => Math.floor(Math.random() * 2 ** 32).toString(36);
  return `${Date.now().toString(36)}-${r()}${r()}`;
}
