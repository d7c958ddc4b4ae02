import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreditLedger } from '../../../src/core/creditLedger';
import { workspaceSpending } from '../../../src/core/credits';

describe('core/creditLedger', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nb-ledger-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('has no entries before the first one, and makes its folder', async () => {
    const ledger = new CreditLedger(path.join(dir, 'deep', 'credits.jsonl'));
    assert.deepEqual(await ledger.read(), []);
    await ledger.record({ taskId: 't1', at: 1, consumed: '0.500000', model: 'm', workspace: 'ws-a' });
    assert.equal((await ledger.read()).length, 1);
  });

  it('two ledgers on one file (two windows) keep every line, in order, and a new reader sees them all', async () => {
    const file = path.join(dir, 'credits.jsonl');
    const a = new CreditLedger(file);
    const b = new CreditLedger(file);
    const writes = [];
    for (let i = 0; i < 50; i++) {
      writes.push(a.record({ taskId: `a${i}`, at: i, consumed: '0.1', model: 'm', workspace: 'ws-a' }));
      writes.push(b.record({ taskId: `b${i}`, at: i, consumed: '0.2', model: 'm', workspace: 'ws-b' }));
    }
    await Promise.all(writes);
    const entries = await new CreditLedger(file).read();
    assert.equal(entries.length, 100);
    assert.deepEqual(
      entries.filter((e) => e.workspace === 'ws-a').map((e) => e.taskId),
      Array.from({ length: 50 }, (_, i) => `a${i}`),
    );
    assert.equal(workspaceSpending(entries, 'ws-a', 0, () => 0).total, '5');
    assert.equal(workspaceSpending(entries, 'ws-b', 0, () => 0).total, '10');
    assert.equal(readFileSync(file, 'utf8').split('\n').length, 101, 'one line each (after a first newline)');
  });

  it('a line torn by a crash (no newline after it) is skipped and the next entry is read intact', async () => {
    const file = path.join(dir, 'credits.jsonl');
    const ledger = new CreditLedger(file);
    await ledger.record({ taskId: 't1', at: 1, consumed: '0.5', model: 'm', workspace: 'w' });
    appendFileSync(file, '\n{"taskId":"t2","at":2,"consu'); // no end: the crash came mid-line
    await ledger.record({ taskId: 't3', at: 3, consumed: '0.25', model: 'm', workspace: 'w' });
    assert.deepEqual(
      (await ledger.read()).map((e) => e.taskId),
      ['t1', 't3'],
    );
  });

  it('watch: another process appending (another window spending) is heard once, other files in the folder are not', async function () {
    this.timeout(20_000); // four child processes on a shared machine
    const file = path.join(dir, 'live', 'credits.jsonl');
    const ledger = new CreditLedger(file);
    let heard = 0;
    const watching = ledger.watch(() => heard++, 100);
    /** Another process appends each text in turn (one write each). */
    const otherProcess = (target: string, ...texts: string[]) =>
      execFileSync(process.execPath, ['-e', `for (const t of ${JSON.stringify(texts)}) require('node:fs').appendFileSync(${JSON.stringify(target)}, t)`]);
    const settle = () => new Promise((r) => setTimeout(r, 400));
    try {
      otherProcess(path.join(dir, 'live', 'other.json'), '{}');
      await settle();
      assert.equal(heard, 0, 'another file of the folder');
      // The ledger appears with one line, and a second follows at once (two writes of one process).
      otherProcess(
        file,
        '{"taskId":"x1","at":1,"consumed":"0.5","model":"m","workspace":"w"}\n',
        '{"taskId":"x2","at":2,"consumed":"0.5","model":"m","workspace":"w"}\n',
      );
      await settle();
      assert.equal(heard, 1, 'two appends close together: one call');
      assert.equal((await ledger.read()).length, 2);
    } finally {
      watching.dispose();
    }
    otherProcess(file, '{"taskId":"x3","at":3,"consumed":"0.5","model":"m","workspace":"w"}\n');
    await settle();
    assert.equal(heard, 1, 'nothing after dispose');
  });
});
