// Real faults for the UI tests: the extension host processes of a code-server run (to SIGKILL one),
// and what the extension keeps on disk (job files, leases, the history index), read from outside.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pidsWithEnv } from '../../../scripts/lib/code-server.mjs';
import { waitForQuickInput, waitUntil } from './nano.mjs';

/** Extension host processes of this code-server run, oldest first: [{ pid, started }] (Linux /proc). */
export function extensionHosts(server) {
  const out = [];
  for (const pid of pidsWithEnv('NB_HARNESS_RUN_ID', server.runId)) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!/--type=extensionHost/.test(cmd)) continue;
      // Field 22 of /proc/<pid>/stat: start time in clock ticks since boot (after the "(comm)" part).
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const started = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
      out.push({ pid, started });
    } catch {
      /* gone meanwhile */
    }
  }
  return out.sort((a, b) => a.started - b.started || a.pid - b.pid);
}

export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The extension's global storage folder in the code-server profile. */
export function storageDir(server) {
  return path.join(server.userDataDir, 'User', 'globalStorage', 'nano-banana-vscode.nano-banana-vscode');
}

/** Every job record on disk, each with its lease (or null): [{ ...job, lease }]. */
export function jobsOnDisk(server) {
  const dir = path.join(storageDir(server), 'jobs');
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.job.json')) continue;
    try {
      const job = JSON.parse(readFileSync(path.join(dir, name), 'utf8'));
      const leaseFile = path.join(dir, name.replace(/\.job\.json$/, '.lease.json'));
      job.lease = existsSync(leaseFile) ? JSON.parse(readFileSync(leaseFile, 'utf8')) : null;
      out.push(job);
    } catch {
      /* being replaced right now: read again on the next poll */
    }
  }
  return out;
}

/** The job on disk whose prompt is `prompt` (undefined until it is written). */
export const jobByPrompt = (server, prompt) => jobsOnDisk(server).find((j) => j.request?.prompt === prompt);

/** History items on disk (the gallery's index). */
export function historyOnDisk(server) {
  try {
    const index = JSON.parse(readFileSync(path.join(storageDir(server), 'images', 'index.json'), 'utf8'));
    return Array.isArray(index.items) ? index.items : [];
  } catch {
    return [];
  }
}

/** The simulator's requests: submits of `prompt`, and status queries of `taskId`. */
export const submitsOf = (sim, prompt) =>
  sim.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/api/image/gen') && r.body.includes(JSON.stringify(prompt).slice(1, -1)));
export const queriesOf = (sim, taskId) =>
  sim.requests.filter((r) => r.method === 'GET' && r.path.includes('/api/task/query') && r.path.includes(encodeURIComponent(taskId)));

/**
 * Asks for an image from the palette with a typed prompt, as a person would: Generate Image, (the
 * key first when none is stored yet), the prompt box, Enter on the options step.
 */
export async function submitPrompt({ page, workbench, sim }, prompt) {
  await workbench.runCommand('Nano Banana: Generate Image');
  const first = await waitForQuickInput(page, /Nano Banana: (API key|Generate Image)/);
  if (/API key/.test(first.title)) {
    await workbench.answerQuickInput(sim.apiKey);
    await waitForQuickInput(page, /Nano Banana: Generate Image/);
  }
  await workbench.answerQuickInput(prompt);
  await waitForQuickInput(page, /Nano Banana: options/);
  await page.keyboard.press('Enter');
}

/** `submitPrompt`, then the job on disk once its task id is written. */
export async function startJob(ctx, prompt) {
  const { server } = ctx;
  await submitPrompt(ctx, prompt);
  return waitUntil(() => jobByPrompt(server, prompt)?.taskId && jobByPrompt(server, prompt), { timeout: 20_000, what: `the task id of "${prompt}" on disk` });
}

/** Waits until the job of `prompt` is finished on disk; returns it. */
export function jobFinished(server, prompt, { timeout = 60_000 } = {}) {
  return waitUntil(
    () => {
      const j = jobByPrompt(server, prompt);
      return j && ['success', 'failed', 'cancelled', 'timed-out'].includes(j.state) && j;
    },
    { timeout, what: `the job "${prompt}" to finish` },
  );
}

/** Stores the simulator's key through "Nano Banana: Set API Key" in this window, as a person would. */
export async function setKey({ page, workbench, sim }) {
  await workbench.runCommand('Nano Banana: Set API Key');
  await waitForQuickInput(page, /Nano Banana: API key/);
  await workbench.answerQuickInput(sim.apiKey);
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}

/** The extension's log of each extension host of the run: [{ host: 'exthost1', text }]. */
export function extensionLogs(server) {
  const root = path.join(server.userDataDir, 'logs');
  const out = [];
  if (!existsSync(root)) return out;
  for (const session of readdirSync(root)) {
    const dir = path.join(root, session);
    for (const host of existsSync(dir) ? readdirSync(dir) : []) {
      const file = path.join(dir, host, 'nano-banana-vscode.nano-banana-vscode', 'Nano Banana.log');
      if (existsSync(file)) out.push({ host: `${session}/${host}`, text: readFileSync(file, 'utf8') });
    }
  }
  return out;
}
