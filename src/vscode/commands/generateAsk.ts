import * as vscode from 'vscode';
import type { NanoConfig } from '../../core/config';
import { defaultOptions, isGenerateArgs, resolvePromptSource, type ChosenOptions, type GenerateArgs, type PromptSource } from '../../core/generateOptions';
import type { GroupChoice } from '../../core/groups';
import type { Lineage } from '../../core/lineage';
import { validatePrompt } from '../../core/validate';
import { LAST_PROMPT_KEY } from '../ids';
import { pickOptions } from '../optionsStep';
import { sharedImageWorkers } from '../../core/images/imageWorkers';
import { prepareReferencesAhead } from '../references';

/**
 * The asking half of the generate flow: prompt (given, selected or asked) and the options step. It
 * needs neither the engine nor undici, nor the image code that reads the reference images, so the
 * first command shows its prompt box before those are loaded (src/front.ts); GenerateFlow.start
 * (generate.ts) reads the references, checks the request and starts the job.
 */
export interface AskDeps {
  globalState: vscode.Memento;
  keys: { ensure(): Promise<string | undefined> };
  config: () => NanoConfig;
  /** Called once a box is on its way to the screen (the person is busy for a while). */
  onAsking?: () => void;
}

/** What a caller already knows: the prompt to prefill, the reference images chosen. */
export interface GeneratePreset {
  prompt?: string;
  references?: vscode.Uri[];
  /** The aspect ratio to preselect (from the alt text of a link), unless the arguments name one. */
  aspectRatio?: string;
  /** The workspace file (URI string) the image is to be written to. */
  target?: string;
  /** The model and image size to preselect (a refinement keeps its original's), unless the arguments name them. */
  model?: string;
  imageSize?: string;
  /** The image this one refines (core/lineage.ts), recorded in the job. */
  lineage?: Lineage;
}

/** The answers: what to start as a job. */
export interface GenerateInput {
  prompt: string;
  options: ChosenOptions;
  /** Reference images named in the command's arguments (paths or URIs), read as one group. */
  argReferences: string[];
  /** Reference images chosen (explorer, dialog, gallery), read as another group. */
  references: vscode.Uri[];
  target?: string;
  lineage?: Lineage;
  /** Variations or models to compare (core/groups.ts); absent or one variation: one job. */
  group?: GroupChoice;
}

/** `nanoBanana.generate`'s questions; undefined when the person dismissed one (or the prompt is empty, said so). */
export async function askGenerate(d: AskDeps, arg: unknown, preset?: GeneratePreset): Promise<GenerateInput | undefined> {
  const args = isGenerateArgs(arg) ? arg : undefined;
  const source = promptSource(d, args, preset);
  if (!(await d.keys.ensure())) return undefined;
  const prompt = await askPrompt(d, source);
  if (prompt === undefined) return undefined;
  return askOptions(d, { prompt, args, referenceUris: preset?.references ?? [], interactive: !args, preset });
}

/** Read before anything is shown: the editor's selection as the command was run. */
function promptSource(d: AskDeps, args: GenerateArgs | undefined, preset: GeneratePreset | undefined): PromptSource {
  if (preset?.prompt !== undefined) return { kind: 'ask', initial: preset.prompt };
  const editor = vscode.window.activeTextEditor;
  const selection = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : undefined;
  return resolvePromptSource(args, selection, d.globalState.get<string>(LAST_PROMPT_KEY));
}

/** The prompt, checked; undefined when the box was dismissed or the prompt is empty (said so). */
async function askPrompt(d: AskDeps, source: PromptSource): Promise<string | undefined> {
  let prompt: string | undefined;
  if (source.kind === 'given') {
    prompt = source.prompt;
  } else {
    const box = vscode.window.showInputBox({
      title: vscode.l10n.t('Nano Banana: Generate Image'),
      prompt: vscode.l10n.t('Describe the image you want'),
      value: source.initial,
      valueSelection: [0, source.initial.length],
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('The prompt is empty: describe the image you want.')),
    });
    d.onAsking?.();
    prompt = await box;
  }
  if (prompt === undefined) return undefined;
  try {
    return validatePrompt(prompt);
  } catch {
    void vscode.window.showErrorMessage(vscode.l10n.t('The prompt is empty: describe the image you want.'));
    return undefined;
  }
}

interface OptionsInput {
  prompt: string;
  args?: GenerateArgs;
  referenceUris: vscode.Uri[];
  interactive: boolean;
  preset?: GeneratePreset;
}

/** What the caller preselected (a link's aspect ratio, a refined image's options), unless the arguments name it. */
function presetOptions(options: ChosenOptions, args: GenerateArgs | undefined, preset: GeneratePreset | undefined): ChosenOptions {
  const out = { ...options };
  if (preset?.aspectRatio && !args?.aspectRatio?.trim()) out.aspectRatio = preset.aspectRatio;
  if (preset?.model && !args?.model?.trim()) out.model = preset.model;
  if (preset?.imageSize && !args?.imageSize?.trim()) out.imageSize = preset.imageSize;
  return out;
}

/** The options step (when interactive). */
async function askOptions(d: AskDeps, input: OptionsInput): Promise<GenerateInput | undefined> {
  let options = presetOptions(defaultOptions(input.args, d.config()), input.args, input.preset);
  let references = input.referenceUris;
  let group: GroupChoice = { variations: input.args?.variations, models: input.args?.models };
  if (input.interactive) {
    // A link's target is one file: no group for it.
    const asking = pickOptions(options, input.referenceUris, input.prompt, input.preset?.target ? undefined : { variations: 1, models: [] });
    d.onAsking?.();
    const picked = await asking;
    if (!picked) return undefined;
    options = picked.options;
    references = picked.references;
    group = picked.group;
  }
  const { target, lineage } = input.preset ?? {};
  return { prompt: input.prompt, options, argReferences: input.args?.references ?? [], references, target, lineage, group };
}

/** Explorer menu (multi-select): the images become references, then the prompt is asked. */
export async function askWithReferences(d: AskDeps, clicked: unknown, selected: unknown): Promise<GenerateInput | undefined> {
  // A large photo is decoded in the image worker: start it (and its decoders) while the person picks.
  sharedImageWorkers().warm();
  let uris: vscode.Uri[] = Array.isArray(selected) ? selected.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : [];
  if (!uris.length && clicked instanceof vscode.Uri) uris = [clicked];
  if (isGenerateArgs(clicked)) return askGenerate(d, clicked);
  if (!uris.length) {
    const chosen = await vscode.window.showOpenDialog({
      canSelectMany: true,
      title: vscode.l10n.t('Choose up to {0} reference images', 4),
      filters: { [vscode.l10n.t('Images')]: ['png', 'jpg', 'jpeg', 'webp', 'gif'] },
    });
    if (!chosen?.length) return undefined;
    uris = chosen;
  }
  if (uris.length > 4) {
    void vscode.window.showErrorMessage(vscode.l10n.t('{0} reference images were chosen; at most {1} can be used. Pick fewer.', uris.length, 4));
    return undefined;
  }
  prepareReferencesAhead(uris); // prepared while the person writes the prompt
  return askGenerate(d, undefined, { prompt: d.globalState.get<string>(LAST_PROMPT_KEY) ?? '', references: uris });
}
