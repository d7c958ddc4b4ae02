import * as assert from 'node:assert/strict';
import {
  costQuote,
  fromMicroCredits,
  ledgerLine,
  parseLedger,
  startOfLocalDay,
  toMicroCredits,
  uniqueByTask,
  workspaceSpending,
  type CreditEntry,
} from '../../../src/core/credits';

const HOUR = 3_600_000;

function entry(over: Partial<CreditEntry>): CreditEntry {
  return { taskId: 't', at: 0, consumed: '0.500000', model: 'google/gempix2', workspace: 'ws-a', ...over };
}

/** Runs `fn` with the process in time zone `tz` (Node re-reads TZ when it is assigned). */
function inZone<T>(tz: string, fn: () => T): T {
  const before = process.env.TZ;
  process.env.TZ = tz;
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
}

describe('core/credits', () => {
  it('reads the API decimal strings in millionths and writes them back short', () => {
    assert.equal(toMicroCredits('0.500000'), 500_000);
    assert.equal(toMicroCredits('0.04'), 40_000);
    assert.equal(toMicroCredits(' 2 '), 2_000_000);
    for (const bad of [undefined, '', '  ', 'n/a', '-1', 'Infinity']) assert.equal(toMicroCredits(bad), undefined, String(bad));
    assert.equal(fromMicroCredits(500_000), '0.5');
    assert.equal(fromMicroCredits(160_000), '0.16');
    assert.equal(fromMicroCredits(0), '0');
  });

  it('sums in millionths: ten tasks of 0.1 are exactly 1, three of 0.1 + 0.2 are 0.9', () => {
    const tenths = Array.from({ length: 10 }, (_, i) => entry({ taskId: `t${i}`, consumed: '0.1' }));
    assert.equal(workspaceSpending(tenths, 'ws-a', 0, () => 0).total, '1');
    const mixed = [entry({ taskId: 'a', consumed: '0.1' }), entry({ taskId: 'b', consumed: '0.2' }), entry({ taskId: 'c', consumed: '0.6' })];
    assert.equal(workspaceSpending(mixed, 'ws-a', 0, () => 0).total, '0.9');
  });

  it('the start of the local day follows the time zone, also on a 23-hour day', () => {
    // 2026-03-29 01:30 UTC: 03:30 in Istanbul (UTC+3, no DST), 02:30 in Berlin, the day its clocks go forward.
    const t = Date.UTC(2026, 2, 29, 1, 30);
    assert.equal(
      inZone('Europe/Istanbul', () => startOfLocalDay(t)),
      Date.UTC(2026, 2, 28, 21, 0),
    );
    assert.equal(
      inZone('Europe/Berlin', () => startOfLocalDay(t)),
      Date.UTC(2026, 2, 28, 23, 0),
    );
    assert.equal(
      inZone('America/New_York', () => startOfLocalDay(t)),
      Date.UTC(2026, 2, 28, 4, 0),
      'still the 28th in New York',
    );
  });

  it('today and in total count only this workspace, today by the local calendar day', () => {
    // 2026-11-29 22:30 UTC is already the 30th in Istanbul (01:30).
    const now = Date.UTC(2026, 10, 29, 22, 30);
    const entries = [
      entry({ taskId: 'a', at: Date.UTC(2026, 10, 29, 21, 30), consumed: '0.5' }), // 00:30 on the 30th in Istanbul
      entry({ taskId: 'b', at: Date.UTC(2026, 10, 29, 20, 30), consumed: '0.25' }), // 23:30 on the 29th in Istanbul
      entry({ taskId: 'c', at: Date.UTC(2026, 10, 20, 12, 0), consumed: '1' }),
      entry({ taskId: 'd', at: now - HOUR, consumed: '7', workspace: 'ws-b' }),
      entry({ taskId: 'e', at: now - HOUR, consumed: '9', workspace: undefined }),
    ];
    assert.deepEqual(
      inZone('Europe/Istanbul', () => workspaceSpending(entries, 'ws-a', now)),
      { today: '0.5', total: '1.75', tasks: 3 },
    );
    assert.deepEqual(
      inZone('UTC', () => workspaceSpending(entries, 'ws-a', now)),
      { today: '0.75', total: '1.75', tasks: 3 },
      'in UTC both a and b are on the 29th',
    );
    assert.deepEqual(workspaceSpending(entries, 'ws-b', now, startOfLocalDay), { today: '7', total: '7', tasks: 1 });
    assert.deepEqual(workspaceSpending([], 'ws-a', now), { today: '0', total: '0', tasks: 0 });
  });

  it('a task written twice (two windows, a retried delivery) counts once, the last line winning', () => {
    const twice = [entry({ taskId: 'x', consumed: '0.5' }), entry({ taskId: 'y', consumed: '1' }), entry({ taskId: 'x', consumed: '0.75' })];
    assert.deepEqual(
      uniqueByTask(twice).map((e) => [e.taskId, e.consumed]),
      [
        ['y', '1'],
        ['x', '0.75'],
      ],
    );
    assert.equal(workspaceSpending(twice, 'ws-a', 0, () => 0).total, '1.75');
  });

  it('unreadable consumed values are left out, not counted as zero tasks', () => {
    const s = workspaceSpending([entry({ taskId: 'a', consumed: 'free' }), entry({ taskId: 'b', consumed: '0.5' })], 'ws-a', 0, () => 0);
    assert.deepEqual(s, { today: '0.5', total: '0.5', tasks: 1 });
  });

  it('ledger lines round-trip; torn or foreign lines are skipped', () => {
    const a = entry({ taskId: 'a', at: 5 });
    const b = entry({ taskId: 'b', at: 6, workspace: undefined });
    const text = ledgerLine(a) + ledgerLine(b) + '\n{"taskId":"c","at":7,"cons' + '\n[1,2]' + '\n{"taskId":"d","at":"8","consumed":"1","model":"m"}';
    assert.ok(ledgerLine(a).startsWith('\n') && !ledgerLine(a).slice(1).includes('\n'));
    assert.deepEqual(parseLedger(text), [a, { taskId: 'b', at: 6, consumed: '0.500000', model: 'google/gempix2' }]);
    assert.deepEqual(parseLedger(''), []);
  });

  it('quotes a cost for one and for many, and nothing when the price is unknown', () => {
    assert.deepEqual(costQuote('0.04', 4), { each: '0.04', all: '0.16' });
    assert.deepEqual(costQuote('0.5', 1), { each: '0.5', all: '0.5' });
    assert.deepEqual(costQuote('0.1', 3), { each: '0.1', all: '0.3' });
    assert.equal(costQuote(undefined, 4), undefined);
    assert.equal(costQuote('n/a', 4), undefined);
    assert.equal(costQuote('0.5', 0), undefined);
  });
});
