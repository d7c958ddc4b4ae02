import * as vscode from 'vscode';
import type { SerializedError } from '../core/errors';
import { inert } from '../core/inert';
import type { JobRecord } from '../core/jobs/types';

/** Next steps a message can offer as buttons. */
export type NextStep = 'updateKey' | 'retry' | 'resume' | 'openLog' | 'openSettings' | 'openGallery';

export interface Described {
  message: string;
  steps: NextStep[];
}

export function stepLabel(step: NextStep): string {
  switch (step) {
    case 'updateKey':
      return vscode.l10n.t('Update API key');
    case 'retry':
      return vscode.l10n.t('Retry');
    case 'resume':
      return vscode.l10n.t('Resume');
    case 'openLog':
      return vscode.l10n.t('Open log');
    case 'openSettings':
      return vscode.l10n.t('Open settings');
    case 'openGallery':
      return vscode.l10n.t('Open gallery');
  }
}

/**
 * A request that may have reached the API (so a task may exist, and be charged) although its id
 * never arrived: the user must check the account before submitting again. Undefined otherwise.
 */
function describeMaybeCharged(e: SerializedError): Described | undefined {
  if (!e.maybeDelivered) return undefined;
  switch (e.kind) {
    case 'server':
      return {
        message: vscode.l10n.t(
          'The API timed out after it received the request (HTTP {0}), so the task may have been created and charged, but its id never arrived and the extension cannot fetch it. Check your defapi.org account before you submit again.',
          e.status ?? '',
        ),
        steps: ['openLog'],
      };
    case 'network':
      return {
        message: vscode.l10n.t(
          'The connection broke after the request was sent, so the API may have created (and charged) the task, but its id never arrived and the extension cannot fetch it. Check your defapi.org account before you submit again, so you do not pay twice.',
        ),
        steps: ['openLog'],
      };
    case 'invalid-response':
      return {
        message: vscode.l10n.t(
          'The API answered with more than the extension reads, so a task may have been created (and charged) whose id never arrived. Check your defapi.org account before you submit again.',
        ),
        steps: ['openLog'],
      };
    default:
      return undefined;
  }
}

/**
 * One localized sentence (and the next steps) for an engine error. What the error says (`message`,
 * `detail`) comes from outside: the API's words, file names, setting values. It is interpolated
 * inert (core/inert.ts), so it reads the same but never becomes a link or an icon (issue 7).
 */
export function describeError(e: SerializedError): Described {
  const maybeCharged = describeMaybeCharged(e);
  if (maybeCharged) return maybeCharged;
  const said = inert(e.message);
  const detail = inert(e.detail ?? e.message);
  switch (e.kind) {
    case 'invalid-input':
      return { message: said, steps: [] };
    case 'config':
      return { message: vscode.l10n.t('A setting is not usable: {0}', said), steps: ['openSettings'] };
    case 'auth':
      if (/no api key is set/i.test(e.message)) {
        return { message: vscode.l10n.t('No API key is set. Set your defapi.org key to continue.'), steps: ['updateKey'] };
      }
      return {
        message: vscode.l10n.t(
          'The API rejected the key: it may be wrong, expired or suspended, or the account is out of credits. Update your API key to continue.',
        ),
        steps: ['updateKey'],
      };
    case 'bad-request':
      return { message: vscode.l10n.t('The API refused the request: {0}', detail), steps: ['openLog'] };
    case 'not-found':
      return { message: vscode.l10n.t('The API does not know this task (it may have expired).'), steps: ['openLog'] };
    case 'rate-limited':
      return { message: vscode.l10n.t('The API is limiting requests right now. Wait a moment, then retry.'), steps: ['retry'] };
    case 'server':
      return {
        message: vscode.l10n.t('The API had a server error{0}. Retry in a moment.', e.status ? ` (HTTP ${e.status})` : ''),
        steps: ['retry', 'openLog'],
      };
    case 'network':
      return { message: vscode.l10n.t('Could not reach the API: {0} Check your network and proxy settings.', said), steps: ['retry', 'openLog'] };
    case 'protocol':
      return { message: vscode.l10n.t('The API sent an answer the extension does not understand. The log has the details.'), steps: ['openLog'] };
    case 'invalid-response':
      return {
        message: vscode.l10n.t('The API sent an answer beyond what the extension accepts: {0} The task id is kept, so the job can be resumed later.', said),
        steps: ['openLog'],
      };
    case 'generation-failed':
      return { message: vscode.l10n.t('The image could not be generated: {0}', detail || vscode.l10n.t('no reason given')), steps: ['retry'] };
    case 'text-only':
      return { message: vscode.l10n.t('The model answered in words instead of an image: “{0}”', detail), steps: ['retry'] };
    case 'image':
      return {
        message: vscode.l10n.t('The finished image could not be downloaded: {0} Your credits are not lost: resume the job to fetch it again.', said),
        steps: ['resume', 'openLog'],
      };
    case 'io':
      return { message: vscode.l10n.t('The image could not be written: {0}', said), steps: ['openLog'] };
    case 'cancelled':
      return { message: vscode.l10n.t('Cancelled.'), steps: [] };
  }
}

/** The sentence and steps for a job that did not succeed. */
export function describeJob(job: Readonly<JobRecord>, maxWaitMinutes: number): Described {
  if (job.state === 'timed-out') {
    return {
      message: vscode.l10n.t(
        'Still not finished after {0} minutes. The job may yet finish on the server: resume it to keep checking (this costs nothing more).',
        maxWaitMinutes,
      ),
      steps: ['resume'],
    };
  }
  if (job.state === 'cancelled') {
    return { message: vscode.l10n.t('Stopped checking this job. Its task id is kept: resume it to fetch the image when it is ready.'), steps: ['resume'] };
  }
  if (job.error) {
    const d = describeError(job.error);
    if (job.resumable && !d.steps.includes('resume')) d.steps.unshift('resume');
    return d;
  }
  return { message: vscode.l10n.t('The job failed.'), steps: ['openLog'] };
}
