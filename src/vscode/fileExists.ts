/** Whether a file exists, as far as the lens and link targets are concerned (kept light: the lens runs at activation). */
import * as vscode from 'vscode';

/** True when `uri` can be stat'ed; any error (missing, unreadable) counts as absent. */
export async function fileExists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
