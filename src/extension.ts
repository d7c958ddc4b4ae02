/**
 * Activation entry: wiring only, and deliberately tiny. Nothing here loads undici or the engine;
 * `services.js` (a separate bundle) is required on the first command, when the gallery is revived,
 * or at startup only if persisted jobs are still running.
 */
import * as vscode from 'vscode';
import type { Services } from './services';
import { COMMAND_IDS, JOBS_STATE_KEY, JOB_LEASES_KEY, hasActiveJobs } from './vscode/ids';
import { GALLERY_VIEW_TYPE } from './gallery/protocol';

let services: Services | undefined;
let loading: Promise<Services> | undefined;

function load(context: vscode.ExtensionContext): Promise<Services> {
  loading ??= Promise.resolve().then(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('./services.js') as typeof import('./services');
    services = mod.createServices(context);
    return services;
  });
  return loading;
}

/** What `activate` returns: a small API for automation and tests; each call loads the services. */
export interface ExtensionApi {
  getJob(jobId: string): Promise<import('./core/jobs/types').JobRecord | undefined>;
  whenJobSettled(jobId: string, timeoutMs?: number): Promise<import('./core/jobs/types').JobRecord>;
  historyIds(): Promise<string[]>;
  storePath(): Promise<string>;
  /** A window reload in place (tests): the services are disposed, then created again from persisted state. */
  reload(): Promise<void>;
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  for (const id of COMMAND_IDS) {
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => (await load(context)).run(id, args)),
    );
  }
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(GALLERY_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => (await load(context)).revivePanel(panel, state),
    }),
  );
  // Jobs survive a reload: pick up the ones still running, without loading anything otherwise.
  const resume = () => (hasActiveJobs(context.globalState.get(JOBS_STATE_KEY), context.globalState.get(JOB_LEASES_KEY)) ? load(context).then((s) => s.resumeOnStartup()) : Promise.resolve());
  void resume();
  return {
    getJob: async (id) => (await load(context)).api.getJob(id),
    whenJobSettled: async (id, timeoutMs) => (await load(context)).api.whenJobSettled(id, timeoutMs),
    historyIds: async () => (await load(context)).api.historyIds(),
    storePath: async () => (await load(context)).api.storePath(),
    reload: async () => {
      await loading;
      await deactivate();
      await resume();
    },
  };
}

export async function deactivate(): Promise<void> {
  const s = services;
  services = undefined;
  loading = undefined;
  await s?.dispose();
}
