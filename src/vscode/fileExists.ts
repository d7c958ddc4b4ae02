import * as vscode from 'vscode';

/**
 * Whether anything is at `uri`, on any file system VS Code knows. Its own module: the Markdown lens
 * runs at activation and must not bring the engine's modules with it.
 */
export async function fileExists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
