import * as vscode from 'vscode';
import type { NanoConfig } from '../core/config';
import { formatCredits } from '../core/format';
import { inert } from '../core/inert';
import type { JobRecord } from '../core/jobs/types';
import { describeJob, stepLabel, type NextStep } from './errorMessages';

export type SuccessChoice = 'openGallery' | 'save' | 'insertLink';

/** Notifications for finished jobs; successes only when the gallery is not in view. */
export class Notifier {
  constructor(
    private readonly gallery: { visible: boolean },
    private readonly config: () => NanoConfig,
  ) {}

  async success(job: Readonly<JobRecord>, balance: number | undefined): Promise<SuccessChoice | undefined> {
    if (this.gallery.visible) return undefined;
    // The prompt (from any selected file) and the API's figure are outside text: inert, never links.
    const prompt = inert(job.request.prompt.length > 60 ? job.request.prompt.slice(0, 59) + '…' : job.request.prompt);
    const credits = job.consumed ? ' ' + vscode.l10n.t('Credits used: {0}.', inert(formatCredits(job.consumed, 'en'))) : '';
    const left = balance !== undefined ? ' ' + vscode.l10n.t('Balance: {0}.', balance) : '';
    const open = vscode.l10n.t('Open gallery');
    const save = vscode.l10n.t('Save');
    const insert = vscode.l10n.t('Insert link');
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Image ready: “{0}”.', prompt) + credits + left, open, save, insert);
    return choice === open ? 'openGallery' : choice === save ? 'save' : choice === insert ? 'insertLink' : undefined;
  }

  async failure(job: Readonly<JobRecord>): Promise<NextStep | undefined> {
    // describeJob words what the API and the files said inert.
    const d = describeJob(job, this.config().maxWaitMinutes);
    const labels = d.steps.map((s) => stepLabel(s));
    const choice = await vscode.window.showErrorMessage(d.message, ...labels);
    const i = choice ? labels.indexOf(choice) : -1;
    return i >= 0 ? d.steps[i] : undefined;
  }
}
