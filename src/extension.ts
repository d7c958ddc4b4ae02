/**
 * Activation entry: wiring only, and deliberately tiny. Nothing here loads undici or the engine;
 * `services.js` (a separate bundle) is required on the first command, when the gallery is revived,
 * or at startup only if persisted jobs are still running.
 */
import * as vscode from 'vscode';
import type { Services } from './services';
import { COMMAND_IDS, LEGACY_JOBS_STATE_KEY, LM_TOOL_NAME, hasLegacyActiveJobs } from './vscode/ids';
import { GALLERY_VIEW_TYPE } from './gallery/protocol';
import { LEASE_RENEW_MS, shouldResumeAt } from './core/jobs/leases';
import type { WindowIdentity } from './core/jobs/leases';
import { jobsDir, windowIdentity } from './vscode/window';
import { registerImageLens } from './vscode/imageLens';
import { reachMilestone, registerWalkthrough } from './vscode/walkthrough';

let services: Services | undefined;
let loading: Promise<Services> | undefined;
let identity: WindowIdentity | undefined;
let watcher: ReturnType<typeof setInterval> | undefined;

function load(context: vscode.ExtensionContext): Promise<Services> {
  loading ??= Promise.resolve().then(() => {
    stopWatching();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('./services.js') as typeof import('./services');
    identity ??= windowIdentity(context);
    services = mod.createServices(context, identity);
    return services;
  });
  return loading;
}

function stopWatching(): void {
  if (watcher) clearInterval(watcher);
  watcher = undefined;
}

/** What `activate` returns: a small API for automation and tests; each call loads the services. */
export interface ExtensionApi {
  getJob(jobId: string): Promise<import('./core/jobs/types').JobRecord | undefined>;
  whenJobSettled(jobId: string, timeoutMs?: number): Promise<import('./core/jobs/types').JobRecord>;
  historyIds(): Promise<string[]>;
  /** The ids of the jobs this window knows, newest first. */
  jobIds(): Promise<string[]>;
  storePath(): Promise<string>;
  /** What this workspace spent (today in local time, and in total), as the gallery header shows it. */
  spending(): Promise<import('./core/credits').Spending | undefined>;
  /** The confirmation the image tool would show for `input` (undefined when the input is refused); title and Markdown text. */
  previewImageTool(input: unknown): Promise<{ title: string; message: string } | undefined>;
  /** A window reload in place (tests): the services are disposed, then created again from persisted state. */
  reload(): Promise<void>;
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  for (const id of COMMAND_IDS) {
    context.subscriptions.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => (await load(context)).run(id, args)));
  }
  // The image tool for chat: a thin proxy, the engine loads only when a model prepares or invokes it.
  context.subscriptions.push(
    vscode.lm.registerTool<unknown>(LM_TOOL_NAME, {
      prepareInvocation: async (options) => (await load(context)).lmTool.prepareInvocation(options),
      invoke: async (options, token) => {
        void reachMilestone(context, 'chatTool'); // the walkthrough's chat step
        return (await load(context)).lmTool.invoke(options, token);
      },
    }),
  );
  // "Generate this image" above links to missing images: light (parser + stat); its commands load the engine.
  context.subscriptions.push(registerImageLens(context.globalStorageUri));
  // Getting Started: the context keys its steps complete on; opened once, on the first run.
  context.subscriptions.push(registerWalkthrough(context));
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(GALLERY_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => (await load(context)).revivePanel(panel, state),
    }),
  );
  // Jobs survive a reload and a crash: this window takes back the running jobs it held (same
  // owner, new session) and those nobody holds any more; nothing is loaded when there are none.
  // While the engine is not loaded, a cheap look at the lease files every few seconds takes over
  // the jobs of a window that closed or died (once loaded, the job store does this itself).
  identity ??= windowIdentity(context);
  const me = identity;
  const dir = jobsDir(context);
  const wanted = () => shouldResumeAt(dir, identity ?? me) || hasLegacyActiveJobs(context.globalState.get(LEGACY_JOBS_STATE_KEY));
  const resume = () => (wanted() ? load(context).then((s) => s.resumeOnStartup()) : Promise.resolve());
  void resume();
  if (!loading) {
    watcher = setInterval(() => {
      if (!loading && shouldResumeAt(dir, me)) void load(context).then((s) => s.resumeOnStartup());
    }, LEASE_RENEW_MS);
    watcher.unref?.();
    context.subscriptions.push({ dispose: stopWatching });
  }
  return {
    getJob: async (id) => (await load(context)).api.getJob(id),
    whenJobSettled: async (id, timeoutMs) => (await load(context)).api.whenJobSettled(id, timeoutMs),
    historyIds: async () => (await load(context)).api.historyIds(),
    jobIds: async () => (await load(context)).api.jobIds(),
    storePath: async () => (await load(context)).api.storePath(),
    spending: async () => (await load(context)).api.spending(),
    previewImageTool: async (input) => {
      const p = await (await load(context)).lmTool.preview(input);
      return p && { title: p.title, message: p.message.value };
    },
    reload: async () => {
      await loading;
      await deactivate();
      identity = { owner: me.owner, session: windowIdentity(context).session };
      await resume();
    },
  };
}

export async function deactivate(): Promise<void> {
  stopWatching();
  const s = services;
  services = undefined;
  loading = undefined;
  await s?.dispose();
}
