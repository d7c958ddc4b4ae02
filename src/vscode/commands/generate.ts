import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { NanoConfig } from '../../core/config';
import { buildRequest, defaultOptions, isGenerateArgs, resolvePromptSource, type GenerateArgs, type PromptSource } from '../../core/generateOptions';
import { groupSlots, planGroup, type GroupChoice } from '../../core/groups';
import type { JobScheduler } from '../../core/jobs/scheduler';
import { validatePrompt, validateRequest } from '../../core/validate';
import { LAST_PROMPT_KEY } from '../ids';
import type { Log } from '../log';
import { groupProblemMessage } from '../groupStep';
import { pickOptions } from '../optionsStep';
import { resolveReferences, type ResolvedReference } from '../references';
import type { ApiKeyStore } from '../secrets';
import type { CommandHandler } from './registry';

export interface GenerateDeps {
  globalState: vscode.Memento;
  keys: ApiKeyStore;
  scheduler: JobScheduler;
  log: Log;
  config: () => NanoConfig;
}

/** What a caller already knows: the prompt to prefill, the reference images chosen. */
export interface GeneratePreset {
  prompt?: string;
  references?: vscode.Uri[];
  /** The aspect ratio to preselect (from the alt text of a link), unless the arguments name one. */
  aspectRatio?: string;
  /** The workspace file (URI string) the image is to be written to. */
  target?: string;
}

interface StartInput {
  prompt: string;
  args?: GenerateArgs;
  references: ResolvedReference[];
  referenceUris: vscode.Uri[];
  interactive: boolean;
  preset?: GeneratePreset;
}

/** The generate flow: prompt (given, selected or asked), the options step, then a new job. */
export class GenerateFlow {
  constructor(private readonly d: GenerateDeps) {}

  /** `nanoBanana.generate`: returns the new job's id, or undefined when nothing was started. */
  async generate(arg: unknown, preset?: GeneratePreset): Promise<string | undefined> {
    const args = isGenerateArgs(arg) ? arg : undefined;
    const source = this.promptSource(args, preset);
    if (!(await this.d.keys.ensure())) return undefined;
    const prompt = await this.prompt(source);
    if (prompt === undefined) return undefined;
    const refs = args?.references ? await resolveReferences(args.references) : [];
    return this.start({ prompt, args, references: refs, referenceUris: preset?.references ?? [], interactive: !args, preset });
  }

  /** Read before anything is shown: the editor's selection as the command was run. */
  private promptSource(args: GenerateArgs | undefined, preset: GeneratePreset | undefined): PromptSource {
    if (preset?.prompt !== undefined) return { kind: 'ask', initial: preset.prompt };
    const editor = vscode.window.activeTextEditor;
    const selection = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : undefined;
    return resolvePromptSource(args, selection, this.d.globalState.get<string>(LAST_PROMPT_KEY));
  }

  /** The prompt, checked; undefined when the box was dismissed or the prompt is empty (said so). */
  private async prompt(source: PromptSource): Promise<string | undefined> {
    const prompt =
      source.kind === 'given'
        ? source.prompt
        : await vscode.window.showInputBox({
            title: vscode.l10n.t('Nano Banana: Generate Image'),
            prompt: vscode.l10n.t('Describe the image you want'),
            value: source.initial,
            valueSelection: [0, source.initial.length],
            ignoreFocusOut: true,
            validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('The prompt is empty: describe the image you want.')),
          });
    if (prompt === undefined) return undefined;
    try {
      return validatePrompt(prompt);
    } catch {
      void vscode.window.showErrorMessage(vscode.l10n.t('The prompt is empty: describe the image you want.'));
      return undefined;
    }
  }

  /**
   * Starts the job, or the jobs of a group (variations, a model comparison), each through the
   * scheduler like any other; returns the (first) job's id.
   */
  private async start(input: StartInput): Promise<string | undefined> {
    const config = this.d.config();
    let options = defaultOptions(input.args, config);
    if (input.preset?.aspectRatio && !input.args?.aspectRatio?.trim()) options = { ...options, aspectRatio: input.preset.aspectRatio };
    let refs = input.references;
    let choice: GroupChoice = { variations: input.args?.variations, models: input.args?.models };
    if (input.interactive) {
      // A link's target is one file: no group for it.
      const picked = await pickOptions(options, input.referenceUris, input.prompt, input.preset?.target ? undefined : { variations: 1, models: [] });
      if (!picked) return undefined;
      options = picked.options;
      choice = picked.group;
      refs = [...refs, ...(await resolveReferences(picked.references))];
    } else if (input.referenceUris.length) {
      refs = [...refs, ...(await resolveReferences(input.referenceUris))];
    }
    const plan = planGroup(options, choice);
    if (!plan.ok) {
      void vscode.window.showErrorMessage(groupProblemMessage(plan.problem));
      return undefined;
    }
    const images = refs.map((r) => r.value);
    const requests = plan.jobs.map((o) => validateRequest(buildRequest(input.prompt, o, images, config.callbackUrl)));
    await this.d.globalState.update(LAST_PROMPT_KEY, input.prompt);
    const slots = groupSlots(randomUUID(), requests.length);
    const ids = requests.map((request, i) => {
      const job = this.d.scheduler.start(request, { referenceNames: refs.map((r) => r.name), target: input.preset?.target, group: slots[i] });
      const inGroup = slots[i] ? ` (group ${slots[i]?.id}, ${i + 1} of ${requests.length})` : '';
      this.d.log.info(`job ${job.id} started: model ${request.model}, ${refs.length} reference(s)${inGroup}`);
      return job.id;
    });
    return ids[0];
  }

  /** Explorer menu (multi-select): the images become references, then the prompt is asked. */
  async withReferences(clicked: unknown, selected: unknown): Promise<string | undefined> {
    let uris: vscode.Uri[] = Array.isArray(selected) ? selected.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : [];
    if (!uris.length && clicked instanceof vscode.Uri) uris = [clicked];
    if (isGenerateArgs(clicked)) return this.generate(clicked);
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
    return this.generate(undefined, { prompt: this.d.globalState.get<string>(LAST_PROMPT_KEY) ?? '', references: uris });
  }
}

export const generate: CommandHandler = (c, args) => c.generate.generate(args[0]);
export const generateWithReferences: CommandHandler = (c, args) => c.generate.withReferences(args[0], args[1]);
