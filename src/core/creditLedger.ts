/**
 * The credit ledger: one JSON line per paid task in a file every window of the profile shares
 * (`<globalStorage>/credits.jsonl`). Lines are appended (O_APPEND: two windows never interleave a
 * short line), so a reload, a crash or a pruned history never loses what was spent; a torn last
 * line is skipped when read. Nothing in it leaves the machine. Never imports vscode.
 */
import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ledgerLine, parseLedger, type CreditEntry } from './credits';

export class CreditLedger {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  /** Appends an entry (writes are queued, so they keep their order). */
  record(entry: CreditEntry): Promise<void> {
    const line = ledgerLine(entry);
    const run = this.queue.then(async () => {
      await mkdir(path.dirname(this.file), { recursive: true });
      await appendFile(this.file, line, { encoding: 'utf8', flag: 'a' });
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Calls `onChange` (at most once per `settleMs`) after the ledger changed on disk: another window
   * spent, or this one did. Watches the folder, so a ledger that does not exist yet is seen when it
   * appears. Returns what stops watching; a file system that cannot watch gives a no-op.
   */
  watch(onChange: () => void, settleMs = 250): { dispose(): void } {
    const dir = path.dirname(this.file);
    const name = path.basename(this.file);
    let timer: NodeJS.Timeout | undefined;
    let watcher: FSWatcher | undefined;
    try {
      mkdirSync(dir, { recursive: true });
      watcher = watch(dir, { persistent: false }, (_event, file) => {
        if (file && file !== name) return;
        clearTimeout(timer);
        timer = setTimeout(onChange, settleMs);
      });
      watcher.on('error', () => watcher?.close());
    } catch {
      watcher = undefined; // no watching here: figures are still read when the gallery opens
    }
    return {
      dispose: () => {
        clearTimeout(timer);
        watcher?.close();
      },
    };
  }

  /** Every entry on disk, in the order written; none when there is no ledger yet. */
  async read(): Promise<CreditEntry[]> {
    await this.queue;
    try {
      return parseLedger(await readFile(this.file, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }
}
