import type { JobScheduler } from '../../core/jobs/scheduler';
import type { NanoConfig } from '../../core/config';
import type { Balance } from '../apiClients';
import type { Credits } from '../credits';
import type { CommandId } from '../ids';
import type { Log } from '../log';
import type { ApiKeyStore } from '../secrets';
import { clearApiKey, setApiKey } from './apiKey';
import { generate, generateWithReferences, type GenerateFlow } from './generate';
import { generateAllMissingImages, generateImageAt } from './imageLinks';
import { cancelJob, resumeJob } from './jobControl';
import { refineImage, type RefineFlow } from './refine';
import { showGallery, showLog } from './show';

/** What a command handler may use. */
export interface CommandContext {
  log: Log;
  keys: ApiKeyStore;
  scheduler: JobScheduler;
  balance: Balance;
  /** What images cost (the confirmations quote it). */
  credits: Pick<Credits, 'quote'>;
  config: () => NanoConfig;
  gallery: { show(focusId?: string): void };
  generate: GenerateFlow;
  refine: RefineFlow;
}

/** A command's body: the arguments VS Code passed; the result goes back to `executeCommand`. */
export type CommandHandler = (context: CommandContext, args: unknown[]) => unknown;

/** Every command of package.json, one line each (the type makes a missing one a compile error). */
export const COMMANDS: { readonly [K in CommandId]: CommandHandler } = {
  'nanoBanana.generate': generate,
  'nanoBanana.generateWithReferences': generateWithReferences,
  'nanoBanana.setApiKey': setApiKey,
  'nanoBanana.clearApiKey': clearApiKey,
  'nanoBanana.showGallery': showGallery,
  'nanoBanana.cancelJob': cancelJob,
  'nanoBanana.resumeJob': resumeJob,
  'nanoBanana.showLog': showLog,
  'nanoBanana.generateImageAt': generateImageAt,
  'nanoBanana.generateAllMissingImages': generateAllMissingImages,
  'nanoBanana.refineImage': refineImage,
};
