import * as assert from 'node:assert/strict';
// First: it stands in for the `vscode` module the credits adapter requires.
import { logLines } from './fakeVscode';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JobScheduler } from '../../../src/core/jobs/scheduler';
import type { JobRecord } from '../../../src/core/jobs/types';
import { Credits } from '../../../src/vscode/credits';
import type { Log } from '../../../src/vscode/log';
import { jobRecord } from '../core/jobs/fakes';

const log = { warn: (l: string) => logLines.push(l) } as unknown as Log;

function done(id: string, consumed: string, over: Partial<JobRecord> = {}): JobRecord {
  return { ...jobRecord(id, 'success'), taskId: `t-${id}`, consumed, finishedAt: Date.now(), ...over };
}

describe('vscode/credits: the ledger of this window, the header figures and the quote', () => {
  let dir: string;
  let jobs: JobRecord[];
  let credits: Credits;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nb-credits-'));
    jobs = [];
    const scheduler = { list: () => jobs } as unknown as JobScheduler;
    credits = new Credits(path.join(dir, 'credits.jsonl'), 'ws-here', scheduler, () => [], log);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a job is credited to the workspace that started it, or to this window when it names none', async () => {
    let changes = 0;
    credits.onDidChange(() => changes++);
    await credits.record(done('a', '0.500000', { workspace: 'ws-here' }));
    await credits.record(done('b', '0.250000', { workspace: 'ws-elsewhere' }));
    await credits.record(done('c', '0.125000')); // from before jobs named their workspace
    assert.deepEqual(credits.current, { today: '0.625', total: '0.625', tasks: 2 });
    assert.equal(changes, 3);
  });

  it('only successful jobs with a task and a cost are written', async () => {
    await credits.record({ ...done('a', '1'), state: 'failed' });
    await credits.record({ ...done('b', '1'), taskId: undefined });
    await credits.record({ ...done('c', '1'), consumed: undefined });
    assert.equal(await credits.refresh().then((s) => s?.tasks), 0);
  });

  it('quotes the median of the last images of the model, for one and for several, or says it is not known', () => {
    assert.match(credits.quote('google/gempix2', 4), /^The cost is not known yet: no google\/gempix2 image has finished/);
    assert.doesNotMatch(credits.quote('google/gempix2', 4), /\d credits|for \d/, 'no number when nothing is known');
    jobs = [done('a', '0.04'), done('b', '0.04'), done('c', '0.1')].map((j) => ({ ...j, request: { ...j.request, model: 'google/gempix2' } }));
    assert.equal(credits.quote('google/gempix2', 4), 'About 0.04 credits each, 0.16 for 4, by the median of the last google/gempix2 images.');
    assert.equal(credits.quote('google/gempix2', 1), 'About 0.04 credits each, by the median of the last google/gempix2 images.');
    assert.match(credits.quote('google/other', 2), /not known yet/);
  });

  it('a setting value in the quote is shown inert (never a link)', () => {
    assert.doesNotMatch(credits.quote('[x](command:evil)', 2), /\]\(|command:/);
  });
});
