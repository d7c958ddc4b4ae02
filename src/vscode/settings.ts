import * as vscode from 'vscode';
import { readConfig, type NanoConfig } from '../core/config';

/** Current settings of the `nanoBanana` section, sanitised. */
export function currentConfig(scope?: vscode.ConfigurationScope): NanoConfig {
  const cfg = vscode.workspace.getConfiguration('nanoBanana', scope);
  return readConfig((key) => cfg.get(key));
}

/** VS Code's own proxy setting (`http.proxy`), when set. */
export function currentProxy(): string | undefined {
  const p = vscode.workspace.getConfiguration('http').get<string>('proxy');
  return p && p.trim() ? p.trim() : undefined;
}
