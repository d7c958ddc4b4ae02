import * as vscode from 'vscode';
import type { NanoConfig } from '../core/config';
import { currentConfig } from './settings';

export interface SettingsChange {
  before: NanoConfig;
  after: NanoConfig;
  /** VS Code's event, to ask which setting (also outside `nanoBanana`, e.g. `http.proxy`) changed. */
  affects(section: string): boolean;
}

/** The current `nanoBanana` settings, re-read when they (or `http.proxy`) change; services subscribe. */
export class LiveSettings implements vscode.Disposable {
  private value = currentConfig();
  private readonly emitter = new vscode.EventEmitter<SettingsChange>();
  private readonly sub: vscode.Disposable;
  readonly onDidChange = this.emitter.event;

  constructor() {
    this.sub = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('nanoBanana') && !e.affectsConfiguration('http.proxy')) return;
      const before = this.value;
      this.value = currentConfig();
      this.emitter.fire({ before, after: this.value, affects: (s) => e.affectsConfiguration(s) });
    });
  }

  get current(): NanoConfig {
    return this.value;
  }

  /** For those who read the settings later, at the moment they need them. */
  readonly get = (): NanoConfig => this.value;

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}
