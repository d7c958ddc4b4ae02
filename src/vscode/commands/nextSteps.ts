import * as vscode from 'vscode';
import { isNanoError, toNanoError } from '../../core/errors';
import type { JobScheduler } from '../../core/jobs/scheduler';
import type { JobRecord } from '../../core/jobs/types';
import { describeError, stepLabel, type NextStep } from '../errorMessages';
import type { Log } from '../log';
import type { ApiKeyStore } from '../secrets';
import type { GenerateFlow } from './generate';

export interface NextStepDeps {
  log: Log;
  keys: ApiKeyStore;
  scheduler: JobScheduler;
  generate: GenerateFlow;
  gallery: { show(focusId?: string): void };
}

/** The buttons under an error: each next step, and the error message that offers them. */
export class NextSteps {
  constructor(private readonly d: NextStepDeps) {}

  async run(step: NextStep, job?: Readonly<JobRecord>): Promise<void> {
    switch (step) {
      case 'updateKey':
        if ((await this.d.keys.prompt()) && job?.resumable) this.d.scheduler.resume(job.id);
        return;
      case 'retry':
        if (job?.resumable && job.taskId) this.d.scheduler.resume(job.id);
        else if (job) await this.d.generate.generate(undefined, { prompt: job.request.prompt });
        return;
      case 'resume':
        if (job) this.d.scheduler.resume(job.id);
        return;
      case 'openLog':
        this.d.log.show();
        return;
      case 'openSettings':
        await vscode.commands.executeCommand('workbench.action.openSettings', 'nanoBanana');
        return;
      case 'openGallery':
        this.d.gallery.show();
        return;
    }
  }

  /** One clear sentence, with the next step as a button. */
  showError(e: unknown): void {
    // Anything that is not an engine error here came from the file system (saving, reading).
    const err = toNanoError(e, 'io');
    const d = describeError(err.toJSON());
    this.d.log.error(`${err.kind}: ${err.message}${err.detail ? ` (${err.detail})` : ''}`);
    if (err.kind === 'cancelled') return;
    const labels = d.steps.map((s) => stepLabel(s));
    void vscode.window.showErrorMessage(d.message, ...labels).then((choice) => {
      const i = choice ? labels.indexOf(choice) : -1;
      if (i >= 0) this.run(d.steps[i]).catch((x: unknown) => this.d.log.error(`next step failed: ${String(x)}`));
    });
    if (!isNanoError(e)) this.d.log.error(String((e as Error)?.stack ?? e));
  }
}
