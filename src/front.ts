/**
 * The first command's questions, bundled apart from the engine (`dist/front.js`, a few KiB): the
 * prompt box and the options step of `nanoBanana.generate` need neither undici nor the job
 * engine, so they show before those load (`extension.ts` loads them while the person answers).
 */
import * as vscode from 'vscode';
import { askGenerate, askWithReferences, type GenerateInput } from './vscode/commands/generateAsk';
import type { CommandId } from './vscode/ids';
import { ApiKeyStore } from './vscode/secrets';
import { currentConfig } from './vscode/settings';

export type { GenerateInput } from './vscode/commands/generateAsk';

export interface Front {
  /** The answers of command `id`; undefined when nothing is to be started. `onAsking`: a box is on its way. */
  ask(id: CommandId, args: unknown[], onAsking: () => void): Promise<GenerateInput | undefined>;
}

export function createFront(context: vscode.ExtensionContext): Front {
  // The engine's own key store tells the log about the key (to mask it) before anything is sent.
  const keys = new ApiKeyStore(context.secrets, () => undefined);
  return {
    ask: (id, args, onAsking) => {
      const d = { globalState: context.globalState, keys, config: () => currentConfig(), onAsking };
      return id === 'nanoBanana.generateWithReferences' ? askWithReferences(d, args[0], args[1]) : askGenerate(d, args[0]);
    },
  };
}
