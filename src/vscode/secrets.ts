import * as vscode from 'vscode';
import { SECRET_KEY } from './ids';

/** The API key, kept only in VS Code's SecretStorage. */
export class ApiKeyStore {
  private cached: string | undefined;
  private loaded = false;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly onKey: (key: string | undefined) => void,
  ) {
    secrets.onDidChange((e) => {
      if (e.key === SECRET_KEY) this.loaded = false;
    });
  }

  async get(): Promise<string | undefined> {
    if (!this.loaded) {
      this.cached = (await this.secrets.get(SECRET_KEY)) || undefined;
      this.loaded = true;
      this.onKey(this.cached);
    }
    return this.cached;
  }

  async set(key: string): Promise<void> {
    const k = key.trim();
    await this.secrets.store(SECRET_KEY, k);
    this.cached = k;
    this.loaded = true;
    this.onKey(k);
  }

  async clear(): Promise<void> {
    await this.secrets.delete(SECRET_KEY);
    this.cached = undefined;
    this.loaded = true;
  }

  /** Asks for the key in a password box; undefined when the user dismisses it. */
  async prompt(reason?: string): Promise<string | undefined> {
    const key = await vscode.window.showInputBox({
      title: vscode.l10n.t('Nano Banana: API key'),
      prompt: reason ?? vscode.l10n.t("Paste your defapi.org API key. It is kept in VS Code's secret storage, never in settings."),
      placeHolder: 'dk-…',
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => validateKeyText(v),
    });
    if (key === undefined) return undefined;
    await this.set(key);
    return key.trim();
  }

  /** The key, asking for it first when none is stored. */
  async ensure(): Promise<string | undefined> {
    return (await this.get()) ?? (await this.prompt(vscode.l10n.t('Nano Banana needs an API key before it can generate images. Paste your defapi.org key.')));
  }
}

export function validateKeyText(v: string): string | undefined {
  const t = v.trim();
  if (!t) return vscode.l10n.t('The key is empty.');
  if (/\s/.test(t)) return vscode.l10n.t('A key has no spaces.');
  return undefined;
}
