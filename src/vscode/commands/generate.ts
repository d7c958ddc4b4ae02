import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { NanoConfig } from '../../core/config';
import { buildRequest } from '../../core/generateOptions';
import { groupSlots, planGroup } from '../../core/groups';
import type { JobScheduler } from '../../core/jobs/scheduler';
import { validateRequest } from '../../core/validate';
import { LAST_PROMPT_KEY } from '../ids';
import type { Log } from '../log';
import { groupProblemMessage } from '../groupStep';
import { resolveReferences } from '../references';
import type { ApiKeyStore } from '../secrets';
import { askGenerate, askWithReferences, type GenerateInput, type GeneratePreset } from './generateAsk';
import type { CommandHandler } from './registry';

export type { GenerateInput, GeneratePreset } from './generateAsk';

export interface GenerateDeps {
  globalState: vscode.Memento;
  keys: ApiKeyStore;
  scheduler: JobScheduler;
  log: Log;
  config: () => NanoConfig;
}

/** The generate flow: the questions (generateAsk.ts), then a new job. */
export class GenerateFlow {
  constructor(private readonly d: GenerateDeps) {}

  /** `nanoBanana.generate`: returns the new job's id, or undefined when nothing was started. */
  async generate(arg: unknown, preset?: GeneratePreset): Promise<string | undefined> {
    const input = await askGenerate(this.d, arg, preset);
    return input && this.start(input);
  }

  /** Explorer menu (multi-select): the images become references, then the prompt is asked. */
  async withReferences(clicked: unknown, selected: unknown): Promise<string | undefined> {
    const input = await askWithReferences(this.d, clicked, selected);
    return input && this.start(input);
  }

  /**
   * A new job for answers already given (also by the first command, asked before the engine
   * loaded), or the jobs of a group (variations, a model comparison), each through the scheduler
   * like any other; the (first) job's id, undefined when the group was refused (said so).
   */
  async start(input: GenerateInput): Promise<string | undefined> {
    const plan = planGroup(input.options, input.group);
    if (!plan.ok) {
      void vscode.window.showErrorMessage(groupProblemMessage(plan.problem));
      return undefined;
    }
    const refs = [...(await resolveReferences(input.argReferences)), ...(await resolveReferences(input.references))];
    const images = refs.map((r) => r.value);
    const requests = plan.jobs.map((o) => validateRequest(buildRequest(input.prompt, o, images, this.d.config().callbackUrl)));
    await this.d.globalState.update(LAST_PROMPT_KEY, input.prompt);
    const slots = groupSlots(randomUUID(), requests.length);
    const ids = requests.map((request, i) => {
      const job = this.d.scheduler.start(request, {
        referenceNames: refs.map((r) => r.name),
        referenceSources: refs.flatMap((r) => (r.source ? [r.source] : [])),
        target: input.target,
        lineage: input.lineage,
        group: slots[i],
      });
      const from = job.request.lineage ? `, refines ${job.request.lineage.parentId} (v${job.request.lineage.version})` : '';
      const inGroup = slots[i] ? ` (group ${slots[i]?.id}, ${i + 1} of ${requests.length})` : '';
      this.d.log.info(`job ${job.id} started: model ${request.model}, ${refs.length} reference(s)${from}${inGroup}`);
      return job.id;
    });
    return ids[0];
  }
}

export const generate: CommandHandler = (c, args) => c.generate.generate(args[0]);
export const generateWithReferences: CommandHandler = (c, args) => c.generate.withReferences(args[0], args[1]);
