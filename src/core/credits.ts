/**
 * Credits spent, as the API reports them per task (`consumed`, a decimal string such as
 * "0.500000"): the ledger lines kept on this machine, today's and all-time totals of one workspace
 * (today in local time), and the cost quoted before a run. Pure; never imports vscode. Sums are
 * made in millionths of a credit (the API's six places), so 0.1 + 0.2 is 0.3.
 */

/** One paid task, as the ledger keeps it. */
export interface CreditEntry {
  taskId: string;
  /** When it finished (ms since epoch). */
  at: number;
  /** As the API said it: a decimal string of credits. */
  consumed: string;
  model: string;
  /** The window owner (see vscode/window.ts) whose workspace started the job; absent when unknown. */
  workspace?: string;
}

/** Millionths of a credit in a decimal string, or undefined for anything that is not a non-negative number. */
export function toMicroCredits(consumed: string | undefined): number | undefined {
  if (consumed === undefined || consumed.trim() === '') return undefined;
  const n = Number(consumed);
  return Number.isFinite(n) && n >= 0 ? Math.round(n * 1e6) : undefined;
}

/** Millionths of a credit as a short decimal string: 500000 → "0.5", 160000 → "0.16". */
export function fromMicroCredits(micro: number): string {
  return String(Math.round(micro) / 1e6);
}

/** The start of the local calendar day that holds `now` (the process's time zone). */
export function startOfLocalDay(now: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** What one workspace has spent: today (local time) and ever, as decimal strings, and how many tasks. */
export interface Spending {
  today: string;
  total: string;
  tasks: number;
}

/**
 * Totals for `workspace` from ledger entries (one per task: the last line of a task id wins).
 * `dayStart` is injectable so the time zone is the caller's to choose.
 */
export function workspaceSpending(
  entries: ReadonlyArray<CreditEntry>,
  workspace: string,
  now: number,
  dayStart: (now: number) => number = startOfLocalDay,
): Spending {
  const today0 = dayStart(now);
  let today = 0;
  let total = 0;
  let tasks = 0;
  for (const e of uniqueByTask(entries)) {
    if (e.workspace !== workspace) continue;
    const micro = toMicroCredits(e.consumed);
    if (micro === undefined) continue;
    total += micro;
    tasks++;
    if (dayStart(e.at) === today0) today += micro; // same local day (a day of 23 or 25 hours too)
  }
  return { today: fromMicroCredits(today), total: fromMicroCredits(total), tasks };
}

/** One entry per task id, the last one written winning. */
export function uniqueByTask(entries: ReadonlyArray<CreditEntry>): CreditEntry[] {
  const byTask = new Map<string, CreditEntry>();
  for (const e of entries) {
    byTask.delete(e.taskId);
    byTask.set(e.taskId, e);
  }
  return [...byTask.values()];
}

/**
 * A ledger line: a newline, then the entry as JSON (no newline inside). The newline comes first so
 * that a line torn by a crash mid-write ends at the next entry, which is then read intact.
 */
export function ledgerLine(e: CreditEntry): string {
  const out: CreditEntry = { taskId: e.taskId, at: e.at, consumed: e.consumed, model: e.model };
  if (e.workspace !== undefined) out.workspace = e.workspace;
  return '\n' + JSON.stringify(out);
}

function isEntry(x: unknown): x is CreditEntry {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const e = x as Record<string, unknown>;
  if (typeof e.taskId !== 'string' || !e.taskId || typeof e.model !== 'string' || typeof e.consumed !== 'string') return false;
  if (typeof e.at !== 'number' || !Number.isFinite(e.at)) return false;
  return e.workspace === undefined || typeof e.workspace === 'string';
}

/**
 * The entries of a ledger text, in order. A line that is not an entry (cut by a crash mid-write,
 * edited by hand) is skipped, never fatal.
 */
export function parseLedger(text: string): CreditEntry[] {
  const out: CreditEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const x: unknown = JSON.parse(line);
      if (isEntry(x))
        out.push({ taskId: x.taskId, at: x.at, consumed: x.consumed, model: x.model, ...(x.workspace !== undefined ? { workspace: x.workspace } : {}) });
    } catch {
      // a torn line: skipped
    }
  }
  return out;
}

/** The expected cost of `count` images at `each` credits (the median of recent jobs), or undefined when unknown. */
export function costQuote(each: string | undefined, count: number): { each: string; all: string } | undefined {
  const micro = toMicroCredits(each);
  if (micro === undefined || !Number.isInteger(count) || count < 1) return undefined;
  return { each: fromMicroCredits(micro), all: fromMicroCredits(micro * count) };
}
