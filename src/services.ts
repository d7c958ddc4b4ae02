/**
 * Everything behind the first command: the engine (undici client, job scheduler, image store) and
 * the VS Code adapters that show it. Bundled separately from `extension.ts` so activation stays cheap.
 */
import * as vscode from 'vscode';
import { ApiClient } from './core/api/client';
import type { GenerateRequest, Task, TaskApi } from './core/api/types';
import type { NanoConfig } from './core/config';
import { JobScheduler } from './core/jobs/scheduler';
import type { JobRecord } from './core/jobs/types';
import { GalleryPanel } from './gallery/panel';
import type { CommandId } from './vscode/ids';
import { FileJobStore } from './core/jobs/fileStore';
import type { WindowIdentity } from './core/jobs/leases';
import { LEGACY_JOBS_STATE_KEY, LEGACY_JOB_LEASES_KEY } from './vscode/ids';
import { jobsDir } from './vscode/window';
import { ApiKeyStore } from './vscode/secrets';
import { Log } from './vscode/log';
import { currentConfig, currentProxy } from './vscode/settings';
import { JobStatusBar } from './vscode/statusBar';
import { ImageStore } from './core/images/imageStore';
import { Commands } from './vscode/commands';
import { GallerySource } from './vscode/gallerySource';
import { Notifier } from './vscode/notify';

/** A small API for automation and tests (returned by `activate`). */
export interface NanoBananaApi {
  getJob(jobId: string): Promise<JobRecord | undefined>;
  whenJobSettled(jobId: string, timeoutMs?: number): Promise<JobRecord>;
  historyIds(): Promise<string[]>;
  storePath(): string;
}

export interface Services {
  run(id: CommandId, args: unknown[]): Promise<unknown>;
  revivePanel(panel: vscode.WebviewPanel, state: unknown): Promise<void>;
  resumeOnStartup(): Promise<void>;
  api: NanoBananaApi;
  dispose(): Promise<void>;
}

export function createServices(context: vscode.ExtensionContext, identity: WindowIdentity): Services {
  const log = new Log();
  const keys = new ApiKeyStore(context.secrets, (k) => log.addSecret(k));
  let config: NanoConfig = currentConfig();
  const version = (context.extension.packageJSON as { version?: string }).version ?? '0.0.0';
  const userAgent = `nano-banana-vscode/${version} (VS Code ${vscode.version}; ${process.platform})`;

  let client: ApiClient | undefined;
  const getClient = (): ApiClient => {
    client ??= new ApiClient({
      baseUrl: config.apiBaseUrl,
      apiKey: () => keys.get(),
      userAgent,
      proxy: currentProxy(),
      requestTimeoutMs: config.requestTimeoutSeconds * 1000,
      log: (line) => log.debug(line),
    });
    return client;
  };
  // The scheduler talks to whichever client matches the current settings.
  const api: TaskApi = {
    submit: (req: GenerateRequest, signal?: AbortSignal) => getClient().submit(req, signal),
    query: (taskId: string, signal?: AbortSignal): Promise<Task> => getClient().query(taskId, signal),
  };

  const store = new ImageStore(context.globalStorageUri.fsPath, config.historyLimit, {
    proxy: currentProxy,
    apiBaseUrl: () => config.apiBaseUrl,
    log: (l) => log.warn(l),
    trash: async (file) => {
      await vscode.workspace.fs.delete(vscode.Uri.file(file), { useTrash: true });
    },
  });
  const deliver = store.deliverVia(api);
  const storeReady = store.load().catch((e) => log.error(`history could not be loaded: ${e}`));

  // Jobs live in files shared by all windows; each running job is leased to one window (see
  // core/jobs/leases): a reloaded or restarted window takes its own jobs back at once.
  const jobStore = new FileJobStore(jobsDir(context), identity, { log: (l) => log.info(l) });
  const legacy = context.globalState.get(LEGACY_JOBS_STATE_KEY);
  if (legacy !== undefined) {
    try {
      const n = jobStore.importLegacy(legacy);
      if (n) log.info(`jobs: moved ${n} job(s) from the old storage into ${jobStore.dir}`);
      void context.globalState.update(LEGACY_JOBS_STATE_KEY, undefined);
      void context.globalState.update(LEGACY_JOB_LEASES_KEY, undefined);
    } catch (e) {
      log.error(`jobs: could not move the old job storage: ${String(e)}`);
    }
  }
  const scheduler = new JobScheduler({
    api,
    store: jobStore,
    deliver: async (job, images, signal) => {
      await storeReady;
      // Result links may expire: the store asks the API for the task again (once) for fresh ones.
      return deliver(job, images, signal);
    },
    maxWaitMs: config.maxWaitMinutes * 60_000,
    log: (line) => log.info(line),
  });
  const schedulerReady = scheduler.load().catch((e) => log.error(`jobs could not be restored: ${e}`));
  // While this window runs, it takes over the running jobs of windows that closed or died.
  jobStore.watch(() => void schedulerReady.then(() => scheduler.load()).catch((e) => log.error(`jobs could not be taken over: ${e}`)));

  let balance: number | undefined;
  const refreshBalance = async () => {
    balance = await getClient()
      .balance()
      .catch(() => undefined);
    gallery.pushBalance();
    return balance;
  };

  const statusBar = new JobStatusBar(scheduler);
  let commands!: Commands;
  const model = new GallerySource(
    store,
    scheduler,
    () => config,
    () => balance,
    (action) => commands.galleryAction(action),
  );
  // The balance is read when someone looks at it (the gallery header), never at activation.
  model.onReady = () => {
    if (balance === undefined) void refreshBalance();
    // Another window may have added images to the shared store since this one read it.
    void storeReady.then(() => store.history.load()).then(() => gallery.pushHistory());
  };
  const gallery = new GalleryPanel(context.extensionUri, model);
  const notifier = new Notifier(gallery, () => config);
  commands = new Commands({
    context,
    log,
    keys,
    scheduler,
    store,
    gallery,
    notifier,
    config: () => config,
    refreshBalance,
    ready: () => Promise.all([storeReady, schedulerReady]).then(() => undefined),
  });

  /**
   * A lower history limit prunes the oldest images. Applied after a pause, so a number the settings
   * editor writes while it is being typed ("5" on the way to "50") never counts; and pruned files
   * go to the OS trash where the platform has one, so a slip can be undone.
   */
  let limitTimer: ReturnType<typeof setTimeout> | undefined;
  const applyHistoryLimit = (limit: number) => {
    clearTimeout(limitTimer);
    limitTimer = setTimeout(() => {
      void storeReady
        .then(() => store.history.setLimit(limit))
        .then((pruned) => {
          if (pruned.length) {
            log.info(`history limit ${limit}: removed the ${pruned.length} oldest image(s)`);
            gallery.pushHistory();
          }
        })
        .catch((e: unknown) => log.error(`history limit: ${String(e)}`));
    }, 1500);
  };

  const subs: vscode.Disposable[] = [
    log,
    statusBar,
    gallery,
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('nanoBanana') && !e.affectsConfiguration('http.proxy')) return;
      const before = config;
      config = currentConfig();
      // Only a change of address, timeout or proxy replaces the client (and its connections):
      // closing it cuts requests in flight, which for a submit could lose a paid task's id.
      if (
        e.affectsConfiguration('nanoBanana.apiBaseUrl') ||
        e.affectsConfiguration('nanoBanana.requestTimeoutSeconds') ||
        e.affectsConfiguration('http.proxy')
      ) {
        const old = client;
        client = undefined;
        void old?.close();
      }
      scheduler.setMaxWait?.(config.maxWaitMinutes * 60_000);
      if (config.historyLimit !== before.historyLimit) void applyHistoryLimit(config.historyLimit);
      log.info('settings changed');
    }),
    vscode.window.onDidChangeActiveTextEditor((e) => commands.rememberEditor(e)),
  ];
  commands.rememberEditor(vscode.window.activeTextEditor);

  const jobSub = scheduler.onDidChange((e) => {
    gallery.pushJobs();
    if (e.job.state === 'success' && e.previous !== 'success') {
      gallery.pushHistory(e.job.deliveredIds?.[0]);
      void commands.onJobSucceeded(e.job);
    } else if ((e.job.state === 'failed' || e.job.state === 'timed-out') && e.previous !== e.job.state) {
      commands.onJobFailed(e.job);
    }
  });

  const automation: NanoBananaApi = {
    // These wait for the persisted state: right after activation it may still be loading.
    getJob: async (id) => {
      await schedulerReady;
      return scheduler.get(id);
    },
    whenJobSettled: async (id, timeoutMs = 120_000) => {
      await schedulerReady;
      return new Promise<JobRecord>((resolve, reject) => {
        const settled = (j: JobRecord | undefined) => j && ['success', 'failed', 'cancelled', 'timed-out'].includes(j.state);
        const now = scheduler.get(id);
        if (settled(now)) return resolve(now!);
        const timer = setTimeout(() => {
          sub.dispose();
          reject(new Error(`job ${id} did not settle within ${timeoutMs} ms (state ${scheduler.get(id)?.state})`));
        }, timeoutMs);
        const sub = scheduler.onDidChange((e) => {
          if (e.job.id === id && settled(e.job)) {
            clearTimeout(timer);
            sub.dispose();
            resolve(e.job);
          }
        });
      });
    },
    historyIds: async () => {
      await storeReady;
      return store.history.list().map((i) => i.id);
    },
    storePath: () => store.dir,
  };

  return {
    run: async (id, args) => {
      try {
        return await commands.run(id, args);
      } catch (e) {
        commands.showError(e);
        return undefined;
      }
    },
    revivePanel: async (panel) => {
      await storeReady;
      gallery.revive(panel);
    },
    resumeOnStartup: async () => {
      await schedulerReady;
      const n = scheduler.active().length;
      if (n) log.info(`resumed ${n} job(s) from the last session`);
    },
    api: automation,
    dispose: async () => {
      clearTimeout(limitTimer);
      jobSub.dispose();
      await scheduler.settleSubmits(3000); // a task id on its way is worth waiting for
      scheduler.dispose();
      await scheduler.flush(); // the last job states reach globalState before the host goes away
      await jobStore.dispose(); // and its running jobs are free for the next window to adopt
      for (const s of subs) s.dispose();
      await client?.close();
    },
  };
}
