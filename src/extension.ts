/**
 * Activation entry: wiring only, and deliberately tiny. Nothing here loads undici or the engine;
 * `services.js` (a separate bundle) is required on the first command, when the gallery is revived,
 * or at startup only if persisted jobs are still running. The first generate command asks its
 * questions with `front.js` (small) and loads the engine while the person answers.
 */
import * as vscode from 'vscode';
import type { Front } from './front';
import type { Services } from './services';
import { COMMAND_IDS, FRONT_COMMANDS, LEGACY_JOBS_STATE_KEY, LM_TOOL_NAME, hasLegacyActiveJobs, type CommandId } from './vscode/ids';
import { GALLERY_VIEW_TYPE } from './gallery/protocol';
import { ITEM_BUTTONS } from './gallery/page/itemButtons';
import { LEASE_RENEW_MS, shouldResumeAt } from './core/jobs/leases';
import type { WindowIdentity } from './core/jobs/leases';
import { jobsDir, windowIdentity } from './vscode/window';
import { registerImageLens } from './vscode/imageLens';
import { reachMilestone, registerWalkthrough } from './vscode/walkthrough';

let services: Services | undefined;
let loading: Promise<Services> | undefined;
let identity: WindowIdentity | undefined;
let watcher: ReturnType<typeof setInterval> | undefined;
let front: Front | undefined;

/**
 * How long after a box is asked for the engine starts loading (a synchronous ~50-100 ms): the box's
 * message to the window must leave first, and the host's protocol writer sends on a 0 ms timer.
 */
const PRELOAD_DELAY_MS = 50;

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

/**
 * A generate command before the engine is loaded: the questions first (front.js), the engine loading
 * in the background once a box is up (typing happens in the window, not here), the job at submit.
 */
async function askFirst(context: vscode.ExtensionContext, id: CommandId, args: unknown[]): Promise<unknown> {
  if (services) return services.run(id, args);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  front ??= (require('./front.js') as typeof import('./front')).createFront(context);
  let preload: ReturnType<typeof setTimeout> | undefined;
  const onAsking = () => {
    preload ??= setTimeout(() => void load(context).catch(() => undefined), PRELOAD_DELAY_MS);
  };
  try {
    const input = await front.ask(id, args, onAsking);
    return input && (await load(context)).submit(input);
  } catch (e) {
    (await load(context)).showError(e);
    return undefined;
  }
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
  historyItem(id: string): Promise<import('./core/history').HistoryItem | undefined>;
  /** Where a history image sits in its chain of refinements (what its gallery card says). */
  lineage(id: string): Promise<import('./vscode/automationApi').LineageReport | undefined>;
  /** Runs a gallery page action (`protocol.ts` GalleryAction) as a click in the page would. */
  galleryAction(action: unknown): Promise<string | undefined>;
  /** What this workspace spent (today in local time, and in total), as the gallery header shows it. */
  spending(): Promise<import('./core/credits').Spending | undefined>;
  /** The confirmation the image tool would show for `input` (undefined when the input is refused); title and Markdown text. */
  previewImageTool(input: unknown): Promise<{ title: string; message: string } | undefined>;
  /** A window reload in place (tests): the services are disposed, then created again from persisted state. */
  reload(): Promise<void>;
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  for (const id of COMMAND_IDS) {
    const run = FRONT_COMMANDS.has(id) ? (args: unknown[]) => askFirst(context, id, args) : async (args: unknown[]) => (await load(context)).run(id, args);
    context.subscriptions.push(vscode.commands.registerCommand(id, (...args: unknown[]) => run(args)));
  }
  // The context menu on a gallery card (webview/context): one hidden command per action of ITEM_BUTTONS.
  for (const def of ITEM_BUTTONS) {
    context.subscriptions.push(vscode.commands.registerCommand(def.command, async (arg: unknown) => (await load(context)).runItemCommand(def.id, arg)));
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
    historyItem: async (id) => (await load(context)).api.historyItem(id),
    lineage: async (id) => (await load(context)).api.lineage(id),
    galleryAction: async (action) => (await load(context)).api.galleryAction(action),
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
  front = undefined;
  loading = undefined;
  await s?.dispose();
}
