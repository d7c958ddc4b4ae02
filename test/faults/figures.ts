/**
 * The figures of one fault scenario, how they are measured, and the table they are printed in.
 *
 * - crashes: uncaught exceptions and unhandled rejections while the scenario ran (and, for the
 *   child-process scenarios, children that died other than by the SIGKILL the test sent);
 * - paid lost: tasks the simulator charged, or that will finish with an image (a real API charges
 *   those whether or not anyone asks; the simulator only when a query sees them), whose image is not in the history store and whose job does
 *   not hold the task id in a state that lets it be fetched later (active, or resumable);
 * - dup tasks: tasks created beyond one per job (every job has its own prompt); `posts` shows the
 *   raw POSTs, which may exceed the jobs where the API answered 429/5xx without creating a task;
 * - told: failed / timed-out jobs that carry a non-empty message, over all of them;
 * - key seen: places outside the API's own requests where the key string was found: requests to
 *   non-API paths (image downloads), log lines, job errors, any file under the scenario's folder.
 */
import { readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { JobRecord } from '../../src/core/jobs/types';
import type { Simulator } from '../simulator/server';

/** A figure, or '-' where it does not apply (the XSS row). */
type Figure = number | '-';

export interface Row {
  scenario: string;
  jobs: number;
  delivered: Figure;
  failed: Figure;
  crashes: number;
  paidLost: Figure;
  dupTasks: Figure;
  posts: Figure;
  told: string;
  keySeen: Figure;
  secs: number;
  said: string;
  ok: boolean;
  /** What the row depends on or why a figure is what it is. */
  note?: string;
}

/** Every row of this run, in order (read by scripts/run-tests.mjs after the stage). */
export const rows: Row[] = [];

export function record(row: Row): void {
  rows.push(row);
  try {
    const dir = path.resolve(__dirname, '..', '..', '..', 'test-results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'faults.json'), JSON.stringify(rows, null, 2));
  } catch {
    // the table is also printed; the file is a convenience
  }
}

/** Counts uncaught exceptions and unhandled rejections while a scenario runs. */
export class CrashWatch {
  count = 0;
  readonly what: string[] = [];
  private readonly onError = (e: unknown) => {
    this.count++;
    this.what.push(e instanceof Error ? (e.stack ?? e.message) : String(e));
  };
  start(): this {
    process.on('uncaughtException', this.onError);
    process.on('unhandledRejection', this.onError);
    return this;
  }
  stop(): void {
    process.off('uncaughtException', this.onError);
    process.off('unhandledRejection', this.onError);
  }
}

export interface HistoryLike {
  taskId?: string;
}

function walk(dir: string, out: string[] = []): string[] {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Job records as they are on disk (what a next session would find). */
export function jobsOnDisk(jobsDir: string): JobRecord[] {
  const out: JobRecord[] = [];
  for (const f of walk(jobsDir)) {
    if (!f.endsWith('.job.json')) continue;
    try {
      out.push(JSON.parse(readFileSync(f, 'utf8')) as JobRecord);
    } catch {
      // a torn file counts as no job
    }
  }
  return out;
}

/** History items as they are on disk. */
export function historyOnDisk(root: string): HistoryLike[] {
  try {
    const parsed = JSON.parse(readFileSync(path.join(root, 'global', 'images', 'index.json'), 'utf8')) as unknown;
    const items = Array.isArray(parsed) ? parsed : ((parsed as { items?: unknown[] } | null)?.items ?? []);
    return items as HistoryLike[];
  } catch {
    return [];
  }
}

const ACTIVE = new Set(['queued', 'pending', 'submitted', 'in_progress', 'downloading']);

/** Tasks that cost credit and whose image is neither stored nor recoverable through a job. */
export function paidLost(sim: Simulator, root: string): string[] {
  const delivered = new Set(historyOnDisk(root).map((i) => i.taskId));
  const recoverable = new Set(
    jobsOnDisk(path.join(root, 'jobs'))
      .filter((j) => j.taskId && (ACTIVE.has(j.state) || j.resumable === true))
      .map((j) => j.taskId),
  );
  const lost: string[] = [];
  for (const t of sim.tasks.values()) {
    if (t.directives.text || t.directives.fail) continue; // no image to lose
    // Charged already, or will be: every other simulated task ends with an image.
    if (!delivered.has(t.taskId) && !recoverable.has(t.taskId)) lost.push(t.taskId);
  }
  return lost;
}

/** Tasks created beyond one per prompt (each job of a scenario has its own prompt). */
export function duplicateTasks(sim: Simulator): number {
  const perPrompt = new Map<string, number>();
  for (const t of sim.tasks.values()) {
    const p = String(t.request.prompt);
    perPrompt.set(p, (perPrompt.get(p) ?? 0) + 1);
  }
  let dup = 0;
  for (const n of perPrompt.values()) dup += Math.max(0, n - 1);
  return dup;
}

export function postsOf(sim: Simulator): number {
  return sim.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/api/image/gen')).length;
}

/** Where the key showed up outside the API's own requests. */
export function keySightings(key: string, sources: { sim?: Simulator; logs: string[]; jobs: JobRecord[]; root?: string; extra?: string[] }): string[] {
  const seen: string[] = [];
  for (const r of sources.sim?.requests ?? []) {
    if (r.path.startsWith('/api/')) continue;
    if (JSON.stringify([r.path, r.headers, r.body]).includes(key)) seen.push(`request ${r.method} ${r.path.split('?')[0]}`);
  }
  for (const l of sources.logs) if (l.includes(key)) seen.push(`log: ${l.slice(0, 80)}`);
  for (const j of sources.jobs) if (JSON.stringify(j).includes(key)) seen.push(`job ${j.id}`);
  for (const s of sources.extra ?? []) if (s.includes(key)) seen.push(`message: ${s.slice(0, 80)}`);
  if (sources.root) {
    const needle = Buffer.from(key);
    for (const f of walk(sources.root)) {
      try {
        if (statSync(f).size > 20 * 1024 * 1024) continue;
        if (readFileSync(f).includes(needle)) seen.push(`file ${path.relative(sources.root, f)}`);
      } catch {
        // gone meanwhile
      }
    }
  }
  return seen;
}

/** "3/3" for failed jobs with a message; the first message as the excerpt. */
export function toldFigures(jobs: JobRecord[]): { told: string; allTold: boolean; said: string; messages: string[] } {
  const ended = jobs.filter((j) => j.state === 'failed' || j.state === 'timed-out');
  const messages = ended.map((j) => (j.error?.message ?? j.note ?? '').trim());
  const withText = messages.filter((m) => m.length > 0);
  return {
    told: ended.length ? `${withText.length}/${ended.length}` : '-',
    allTold: withText.length === ended.length,
    said: withText[0] ?? '',
    messages,
  };
}

function cut(s: string, n: number): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > n ? `${flat.slice(0, n - 1)}…` : flat;
}

/** The table, one line per row, fixed-width (plain text for CI logs). */
export function renderTable(all: Row[]): string[] {
  const head = ['scenario', 'jobs', 'ok', 'fail', 'crash', 'paid lost', 'dup tasks', 'POSTs', 'told', 'key seen', 's', 'what the person is told (excerpt)'];
  const body = all.map((r) => [
    `${r.ok ? ' ' : '✗'} ${r.scenario}`,
    String(r.jobs),
    String(r.delivered),
    String(r.failed),
    String(r.crashes),
    String(r.paidLost),
    String(r.dupTasks),
    String(r.posts),
    r.told,
    String(r.keySeen),
    r.secs.toFixed(1),
    cut(r.said || (r.note ?? ''), 70),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const b of body) out.push(line(b));
  const notes = all.filter((r) => r.note && r.said);
  for (const r of notes) out.push(`  note (${r.scenario}): ${r.note}`);
  return out;
}
