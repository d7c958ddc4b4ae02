import * as vscode from 'vscode';
import type { CommandHandler } from './registry';

export const setApiKey: CommandHandler = async (c, args) => {
  const arg = args[0];
  if (typeof arg === 'string') {
    if (!arg.trim() || /\s/.test(arg.trim())) {
      void vscode.window.showErrorMessage(vscode.l10n.t('That API key is empty or has spaces; it was not saved.'));
      return false;
    }
    await c.keys.set(arg);
  } else if (!(await c.keys.prompt())) {
    return false;
  }
  void vscode.window.showInformationMessage(vscode.l10n.t("API key saved in VS Code's secret storage."));
  void c.balance.refresh();
  return true;
};

export const clearApiKey: CommandHandler = async (c) => {
  await c.keys.clear();
  void vscode.window.showInformationMessage(vscode.l10n.t('The Nano Banana API key was removed from secret storage.'));
  return true;
};
