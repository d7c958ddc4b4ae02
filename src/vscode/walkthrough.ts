/**
 * The Getting Started walkthrough (`contributes.walkthroughs`): the context keys its steps complete
 * on, and opening it once, on the first run. Kept free of heavy imports: the activation entry uses it.
 *
 * - `nanoBanana.hasApiKey` follows SecretStorage (at activation and on every change of the key);
 * - `nanoBanana.hasGeneratedImage` and `nanoBanana.hasUsedChatTool` become true on the first image
 *   that arrives and the first call of `#generateImage`, and stay true (kept in globalState).
 */
import * as vscode from 'vscode';
import { SECRET_KEY } from './ids';

/** `<publisher>.<name>#<walkthrough id>`, for `workbench.action.openWalkthrough`. */
export const WALKTHROUGH = 'nano-banana-vscode.nano-banana-vscode#nanoBanana.gettingStarted';

/** Milestones that complete a step and are remembered (globalState key → context key). */
const MILESTONES = {
  firstImage: { state: 'nanoBanana.walkthrough.firstImage', context: 'nanoBanana.hasGeneratedImage' },
  chatTool: { state: 'nanoBanana.walkthrough.chatTool', context: 'nanoBanana.hasUsedChatTool' },
} as const;
export type Milestone = keyof typeof MILESTONES;

const OPENED_KEY = 'nanoBanana.walkthrough.opened';
const setContext = (key: string, value: boolean) => vscode.commands.executeCommand('setContext', key, value);

/** Records a milestone (once) and completes its step. */
export async function reachMilestone(context: vscode.ExtensionContext, m: Milestone): Promise<void> {
  const { state, context: key } = MILESTONES[m];
  if (context.globalState.get<boolean>(state) !== true) await context.globalState.update(state, true);
  await setContext(key, true);
}

/** Sets the context keys, keeps `hasApiKey` in step with the secret, and opens the walkthrough on a first run. */
export function registerWalkthrough(context: vscode.ExtensionContext): vscode.Disposable {
  const syncKey = async () => {
    const key = await context.secrets.get(SECRET_KEY);
    await setContext('nanoBanana.hasApiKey', !!key);
  };
  const sub = context.secrets.onDidChange((e) => {
    if (e.key === SECRET_KEY) void syncKey();
  });
  void syncKey();
  for (const { state, context: key } of Object.values(MILESTONES)) {
    if (context.globalState.get<boolean>(state) === true) void setContext(key, true);
  }
  void openOnFirstRun(context);
  return sub;
}

/**
 * Opens the walkthrough the first time the installed extension runs in this profile, unless the
 * person turned off VS Code's own "open walkthroughs on install".
 */
async function openOnFirstRun(context: vscode.ExtensionContext): Promise<void> {
  if (context.globalState.get<boolean>(OPENED_KEY) === true) return;
  // Only an installed extension: not under test, not in a development host (F5, the UI tests).
  if (context.extensionMode !== vscode.ExtensionMode.Production) return;
  if (!vscode.workspace.getConfiguration('workbench').get<boolean>('welcomePage.walkthroughs.openOnInstall', true)) return;
  await context.globalState.update(OPENED_KEY, true);
  await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH, false);
}
