import type * as vscode from 'vscode';
import type { TaskApi } from '../core/api/types';
import type { ImageStore } from '../core/images/imageStore';
import { FileJobStore } from '../core/jobs/fileStore';
import type { WindowIdentity } from '../core/jobs/leases';
import { JobScheduler } from '../core/jobs/scheduler';
import { LEGACY_JOBS_STATE_KEY, LEGACY_JOB_LEASES_KEY } from './ids';
import type { LiveSettings } from './liveSettings';
import type { Log } from './log';
import { jobsDir } from './window';

/**
 * The job scheduler and its files. Jobs live in files shared by all windows; each running job is
 * leased to one window (see core/jobs/leases): a reloaded or restarted window takes its own jobs
 * back at once, and while it runs it takes over the running jobs of windows that closed or died.
 */
export class JobEngine {
  readonly scheduler: JobScheduler;
  /** Settles when the persisted jobs are loaded (errors are logged, never thrown). */
  readonly ready: Promise<void>;
  private readonly store: FileJobStore;
  private readonly sub: vscode.Disposable;

  constructor(
    context: vscode.ExtensionContext,
    identity: WindowIdentity,
    api: TaskApi,
    images: ImageStore,
    imagesReady: Promise<unknown>,
    settings: LiveSettings,
    log: Log,
  ) {
    this.store = new FileJobStore(jobsDir(context), identity, { log: (l) => log.info(l) });
    this.importLegacy(context, log);
    const deliver = images.deliverVia(api);
    this.scheduler = new JobScheduler({
      api,
      store: this.store,
      deliver: async (job, found, signal) => {
        await imagesReady;
        // Result links may expire: the store asks the API for the task again (once) for fresh ones.
        return deliver(job, found, signal);
      },
      maxWaitMs: settings.current.maxWaitMinutes * 60_000,
      workspace: identity.owner,
      log: (line) => log.info(line),
    });
    this.ready = this.scheduler.load().catch((e) => log.error(`jobs could not be restored: ${e}`));
    this.store.watch(() => void this.ready.then(() => this.scheduler.load()).catch((e) => log.error(`jobs could not be taken over: ${e}`)));
    this.sub = settings.onDidChange(({ after }) => this.scheduler.setMaxWait(after.maxWaitMinutes * 60_000));
  }

  /** Versions before 0.2 kept jobs in globalState: moved into the job files once. */
  private importLegacy(context: vscode.ExtensionContext, log: Log): void {
    const legacy = context.globalState.get(LEGACY_JOBS_STATE_KEY);
    if (legacy === undefined) return;
    try {
      const n = this.store.importLegacy(legacy);
      if (n) log.info(`jobs: moved ${n} job(s) from the old storage into ${this.store.dir}`);
      void context.globalState.update(LEGACY_JOBS_STATE_KEY, undefined);
      void context.globalState.update(LEGACY_JOB_LEASES_KEY, undefined);
    } catch (e) {
      log.error(`jobs: could not move the old job storage: ${String(e)}`);
    }
  }

  async dispose(): Promise<void> {
    this.sub.dispose();
    await this.scheduler.settleSubmits(3000); // a task id on its way is worth waiting for
    this.scheduler.dispose();
    await this.scheduler.flush(); // the last job states reach the job files before the host goes away
    await this.store.dispose(); // and its running jobs are free for the next window to adopt
  }
}
