import * as assert from 'node:assert/strict';
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
});
