/**
 * Who this window is, for the job leases (core/jobs/leases): an owner that stays the same across a
 * window reload and an extension-host restart, and a session that is new each activation. Kept free
 * of heavy imports: the activation entry uses it.
 */
import { createHash, randomUUID } from 'node:crypto';
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
    owner = 'ws-' + createHash('sha256').update(ws.toString()).digest('hex').slice(0, 24);
  } else {
    let id = context.workspaceState.get<string>(WINDOW_ID_KEY);
    if (typeof id !== 'string' || !id) {
      id = randomUUID();
      void context.workspaceState.update(WINDOW_ID_KEY, id);
    }
    owner = 'win-' + id;
  }
  return { owner, session: randomUUID() };
}

/** The folder of the job files (shared by all windows of the profile). */
export function jobsDir(context: vscode.ExtensionContext): string {
  return path.join(context.globalStorageUri.fsPath, 'jobs');
}
