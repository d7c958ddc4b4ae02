// Shared helpers of the integration tests (not a test file: the runner only loads *.test.js).
// Every suite runs against its own API simulator on 127.0.0.1, inside the extension host.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { JobRecord } from '../../src/core/jobs/types';
import { startSimulator, type RecordedRequest, type Simulator, type SimulatorOptions } from '../simulator/server';

export const EXTENSION_ID = 'nano-banana-vscode.nano-banana-vscode';

/** Every setting of the extension; tests restore them all to their defaults. */
export const SETTING_KEYS = [
  'apiBaseUrl',
  'model',
  'aspectRatio',
  'imageSize',
  'outputFolder',
  'fileNamePattern',
  'autoSave',
  'callbackUrl',
  'requestTimeoutSeconds',
  'maxWaitMinutes',
  'historyLimit',
] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function extensionApi(): Promise<ExtensionApi> {
  const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed`);
  return ext.isActive ? ext.exports : ext.activate();
}

/** Polls `check` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 8000, everyMs = 50): Promise<NonNullable<T>> {
  const t0 = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() - t0 > timeoutMs)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last instanceof Error ? last.message : JSON.stringify(last)})` : ''}`,
      );
    await sleep(everyMs);
  }
}

// ---- settings

function section(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('nanoBanana');
}

/** Sets a user setting and waits until the extension host sees it (the extension reacts on the same event). */
export async function setSetting(key: SettingKey, value: unknown): Promise<void> {
  await section().update(key, value, vscode.ConfigurationTarget.Global);
  const expected = value === undefined ? section().inspect(key)?.defaultValue : value;
  await waitFor(`setting nanoBanana.${key} = ${JSON.stringify(value)}`, () => JSON.stringify(section().get(key)) === JSON.stringify(expected), 5000, 10);
}

/** Back to the defaults, with the API pointed at `apiBaseUrl`. */
export async function resetSettings(apiBaseUrl: string): Promise<void> {
  for (const key of SETTING_KEYS) {
    if (key === 'apiBaseUrl') continue;
    if (section().inspect(key)?.globalValue !== undefined) await setSetting(key, undefined);
  }
  if (section().inspect('apiBaseUrl')?.globalValue !== apiBaseUrl) await setSetting('apiBaseUrl', apiBaseUrl);
}

// ---- what the simulator received

export interface SubmitBody {
  model: string;
  prompt: string;
  images?: string[];
  aspect_ratio?: string;
  image_size?: string;
  callback_url?: string;
  [k: string]: unknown;
}

export const isSubmit = (r: RecordedRequest) => r.method === 'POST' && r.path === '/api/image/gen';
export const isQuery = (r: RecordedRequest) => r.method === 'GET' && r.path.startsWith('/api/task/query');

export function submits(sim: Simulator): RecordedRequest[] {
  return sim.requests.filter(isSubmit);
}

export function submitBodies(sim: Simulator): SubmitBody[] {
  return submits(sim).map((r) => JSON.parse(r.body) as SubmitBody);
}

/** Waits until the simulator has received `n` submits (a job submits right after `generate` returns its id). */
export async function waitForSubmits(sim: Simulator, n = 1): Promise<SubmitBody[]> {
  await waitFor(`${n} submit(s) at the simulator`, () => submits(sim).length >= n);
  return submitBodies(sim);
}

/** Status queries of one task. */
export function queriesOf(sim: Simulator, taskId: string): RecordedRequest[] {
  return sim.requests.filter((r) => isQuery(r) && new URL(r.path, 'http://x').searchParams.get('task_id') === taskId);
}

/** Requests that talked to the API (submit, query or balance), i.e. that would carry the key. */
export function apiRequests(sim: Simulator): RecordedRequest[] {
  return sim.requests.filter((r) => r.path.startsWith('/api/'));
}

// ---- commands

export async function generate(args?: Record<string, unknown>): Promise<string | undefined> {
  return vscode.commands.executeCommand<string | undefined>('nanoBanana.generate', ...(args === undefined ? [] : [args]));
}

type Window = Record<'showInputBox' | 'showQuickPick' | 'createQuickPick', (...args: never[]) => unknown>;

/**
 * Counts the quick inputs (input boxes, quick picks) shown while it is installed. The tests live in
 * the extension's folder, so VS Code hands them the same `vscode` API object as the extension: a
 * wrapper on `window` sees the extension's own calls. (The tests that expect a box prove that.)
 */
function countQuickInputs(): { shown(): number; restore(): void } {
  const w = vscode.window as unknown as Window;
  const original = { showInputBox: w.showInputBox, showQuickPick: w.showQuickPick, createQuickPick: w.createQuickPick };
  let shown = 0;
  w.showInputBox = (...args) => {
    shown++;
    return original.showInputBox.apply(vscode.window, args);
  };
  w.showQuickPick = (...args) => {
    shown++;
    return original.showQuickPick.apply(vscode.window, args);
  };
  w.createQuickPick = (...args) => {
    const qp = original.createQuickPick.apply(vscode.window, args) as vscode.QuickPick<vscode.QuickPickItem>;
    const show = qp.show.bind(qp);
    qp.show = () => {
      shown++;
      show();
    };
    return qp;
  };
  assert.notEqual(vscode.window.showInputBox, original.showInputBox, 'the quick input counter could not wrap window.showInputBox');
  return {
    shown: () => shown,
    restore: () => Object.assign(w, original),
  };
}

/**
 * Runs a command that shows quick inputs (input boxes, quick picks) and answers each of them with
 * `answer` (e.g. 'workbench.action.acceptSelectedQuickOpenItem' or 'workbench.action.closeQuickOpen')
 * until the command returns; `shown` counts the quick inputs the command really opened.
 */
export async function answerQuickInputs<T>(run: () => Thenable<T>, answer: string, timeoutMs = 10_000): Promise<{ result: T; shown: number }> {
  const inputs = countQuickInputs();
  try {
    let done = false;
    const result = Promise.resolve(run()).finally(() => {
      done = true;
    });
    const t0 = Date.now();
    while (!done) {
      await sleep(250);
      if (done) break;
      if (Date.now() - t0 > timeoutMs) {
        await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
        throw new Error(`the command did not finish within ${timeoutMs} ms while answering its quick inputs with ${answer}`);
      }
      // Answer only once something was shown: an answer with nothing open would prove nothing.
      if (inputs.shown() > 0) await vscode.commands.executeCommand(answer);
    }
    return { result: await result, shown: inputs.shown() };
  } finally {
    inputs.restore();
  }
}

export const ACCEPT = 'workbench.action.acceptSelectedQuickOpenItem';
export const DISMISS = 'workbench.action.closeQuickOpen';

/** Waits until the job has a task id (its submit was answered). */
export async function waitForTask(api: ExtensionApi, jobId: string, timeoutMs = 8000): Promise<JobRecord> {
  return waitFor(
    `job ${jobId} to be submitted`,
    async () => {
      const j = await api.getJob(jobId);
      return j?.taskId ? j : undefined;
    },
    timeoutMs,
  );
}

export async function settled(api: ExtensionApi, jobId: string | undefined, timeoutMs = 15_000): Promise<JobRecord> {
  assert.ok(jobId, 'the command returned no job id');
  return api.whenJobSettled(jobId, timeoutMs);
}

export async function assertSucceeded(api: ExtensionApi, jobId: string | undefined, timeoutMs = 15_000): Promise<JobRecord> {
  const job = await settled(api, jobId, timeoutMs);
  assert.equal(job.state, 'success', `job ended ${job.state}: ${job.error?.kind ?? ''} ${job.error?.message ?? job.note ?? ''}`);
  assert.ok(job.deliveredIds?.length, 'a successful job names its history items');
  const history = await api.historyIds();
  for (const id of job.deliveredIds) assert.ok(history.includes(id), `history item ${id} is not in the history`);
  return job;
}

// ---- the suite fixture

export interface Fixture {
  sim: Simulator;
  api: ExtensionApi;
  /** Job ids started by the test; the fixture cancels the ones still running afterwards. */
  jobs: string[];
  /** `nanoBanana.generate` with this argument (none when undefined); the job id is remembered in `jobs`. */
  generate(args?: Record<string, unknown>): Promise<string | undefined>;
}

/** Call inside a `describe`: a simulator for the suite, and a clean state (settings, key, UI) around every test. */
export function useSimulator(opts: SimulatorOptions = {}): Fixture {
  const fx = { jobs: [] as string[] } as Fixture;
  fx.generate = async (args) => {
    const id = await generate(args);
    if (id) fx.jobs.push(id);
    return id;
  };
  const clean = async () => {
    await vscode.commands.executeCommand(DISMISS);
    for (const id of fx.jobs.splice(0)) await vscode.commands.executeCommand('nanoBanana.cancelJob', id);
    await resetSettings(fx.sim.url);
    await vscode.commands.executeCommand('nanoBanana.setApiKey', fx.sim.apiKey);
    await vscode.commands.executeCommand('notifications.clearAll');
    fx.sim.clearFaults();
  };
  before(async () => {
    fx.sim = await startSimulator({ durationMs: 300, ...opts });
    fx.api = await extensionApi();
    await clean();
  });
  beforeEach(() => {
    fx.sim.reset();
  });
  afterEach(clean);
  after(async () => {
    await fx.sim?.close();
  });
  return fx;
}

export function workspaceRoot(): vscode.Uri {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the tests need a workspace folder');
  return f.uri;
}

/** Whether `uri` exists; only "not found" means absent, any other error (permissions, I/O) is thrown. */
export async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch (e) {
    if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') return false;
    throw e;
  }
}

/** Reads of the credit balance at the simulator: a finished job reads it after its auto-save step. */
export function balanceReads(sim: Simulator): RecordedRequest[] {
  return sim.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/api/user'));
}

/**
 * A positive signal that the engine has done what earlier commands set in motion: a job started
 * now is submitted, polled and settled. Checks for "nothing happened" come after it, never after a
 * fixed sleep (which passes whenever the event is merely late). Returns the barrier job.
 */
export async function barrierJob(fx: Fixture, durationMs = 300): Promise<JobRecord> {
  return assertSucceeded(fx.api, await fx.generate({ prompt: `${BARRIER_PROMPT} [sim:duration=${durationMs}]` }));
}
export const BARRIER_PROMPT = 'Barrier job';

/** Submits other than those of `barrierJob`. */
export function submitsBesidesBarrier(sim: Simulator): SubmitBody[] {
  return submitBodies(sim).filter((b) => !b.prompt.startsWith(BARRIER_PROMPT));
}
