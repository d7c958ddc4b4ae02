import * as vscode from 'vscode';
import { inert } from '../../core/inert';
import { isActive, type JobRecord } from '../../core/jobs/types';
import { stateWord } from '../statusBar';
import type { CommandHandler } from './registry';

/** A job id given as the argument, or picked from `jobs` (undefined when there is none or the pick was dismissed). */
async function jobId(arg: unknown, jobs: ReadonlyArray<Readonly<JobRecord>>, none: string, title: string): Promise<string | undefined> {
  if (typeof arg === 'string') return arg;
  if (!jobs.length) {
    void vscode.window.showInformationMessage(none);
    return undefined;
  }
  // Prompts and model ids are outside text; a quick pick renders `$(icon)` in them.
  const picked = await vscode.window.showQuickPick(
    jobs.map((j) => ({ label: inert(j.request.prompt), description: `${stateWord(j.state)} · ${inert(j.request.model)}`, id: j.id })),
    { title },
  );
  return picked?.id;
}

export const cancelJob: CommandHandler = async (c, args) => {
  const id = await jobId(args[0], c.scheduler.active(), vscode.l10n.t('No job is running.'), vscode.l10n.t('Cancel which job?'));
  return id ? c.scheduler.cancel(id) : false;
};

export const resumeJob: CommandHandler = async (c, args) => {
  const resumable = c.scheduler.list().filter((j) => j.resumable && !isActive(j.state));
  const id = await jobId(args[0], resumable, vscode.l10n.t('No cancelled or timed-out job to resume.'), vscode.l10n.t('Resume which job?'));
  return id ? c.scheduler.resume(id) : false;
};
