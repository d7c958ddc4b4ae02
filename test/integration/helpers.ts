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

/**
 * Runs a command that shows quick inputs (input boxes, quick picks) and answers each of them with
 * `answer` (e.g. 'workbench.action.acceptSelectedQuickOpenItem' or 'workbench.action.closeQuickOpen')
 * until the command returns; `answers` counts how often the answer was given.
 */
export async function answerQuickInputs<T>(run: Thenable<T>, answer: string, timeoutMs = 10_000): Promise<{ result: T; answers: number }> {
  let done = false;
  const result = Promise.resolve(run).finally(() => {
    done = true;
  });
  let answers = 0;
  const t0 = Date.now();
  while (!done) {
    await sleep(250);
    if (done) break;
    if (Date.now() - t0 > timeoutMs) {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      throw new Error(`the command did not finish within ${timeoutMs} ms while answering its quick inputs with ${answer}`);
    }
    await vscode.commands.executeCommand(answer);
    answers++;
  }
  return { result: await result, answers };
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

export async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
