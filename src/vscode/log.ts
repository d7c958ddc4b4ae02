import * as vscode from 'vscode';

/** The extension's log channel. Every line passes through `redact` so the key never reaches it. */
export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  private secrets = new Set<string>();

  constructor(name = 'Nano Banana') {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  /** Registers a value (the API key) that must never be written out. */
  addSecret(value: string | undefined): void {
    if (value && value.length >= 4) this.secrets.add(value);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('«redacted»');
    // Belt and braces: anything shaped like a bearer token or a dk- key.
    return out.replace(/Bearer\s+[^\s"']+/gi, 'Bearer «redacted»').replace(/\bdk-[A-Za-z0-9]{6,}/g, 'dk-«redacted»');
  }

  info(text: string): void {
    this.channel.info(this.redact(text));
  }
  warn(text: string): void {
    this.channel.warn(this.redact(text));
  }
  error(text: string): void {
    this.channel.error(this.redact(text));
  }
  debug(text: string): void {
    this.channel.debug(this.redact(text));
  }
  show(): void {
    this.channel.show(true);
  }
  dispose(): void {
    this.channel.dispose();
  }
}
