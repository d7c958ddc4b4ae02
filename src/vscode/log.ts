import * as vscode from 'vscode';
import { defangSchemes } from '../core/inert';

/**
 * The extension's log channel. Every line passes through `redact` so the key never reaches it, and
 * through `defangSchemes`: lines quote the API's words, file names and settings, and the output
 * channel would make every `https://…` or `file://…` in them a link (issue 7). Brackets stay: the
 * channel renders no Markdown, so the log stays close to what was said.
 */
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

  /** What a line looks like in the channel: no key, no link. */
  line(text: string): string {
    return defangSchemes(this.redact(text));
  }

  info(text: string): void {
    this.channel.info(this.line(text));
  }
  warn(text: string): void {
    this.channel.warn(this.line(text));
  }
  error(text: string): void {
    this.channel.error(this.line(text));
  }
  debug(text: string): void {
    this.channel.debug(this.line(text));
  }
  show(): void {
    this.channel.show(true);
  }
  dispose(): void {
    this.channel.dispose();
  }
}
