import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseLease, shouldResumeAt, standing } from '../../../../src/core/jobs/leases';

const ME = { owner: 'ws-A', session: 's2' };

describe('leases: how a lease stands for a window', () => {
  it('no lease, a released one (at 0) and one not renewed for 20 s are free', () => {
    assert.equal(standing(undefined, ME, 1_000_000), 'free');
    assert.equal(standing({ owner: 'ws-B', session: 'x', at: 0 }, ME, 1_000_000), 'free');
    assert.equal(standing({ owner: 'ws-B', session: 'x', at: 1_000_000 }, ME, 1_020_000), 'free');
    assert.equal(standing({ owner: 'ws-B', session: 'x', at: 1_000_000 }, ME, 1_019_999), 'other');
  });

  it("this session's lease is mine; an earlier session of the same window is a predecessor (reload, restarted host)", () => {
    assert.equal(standing({ owner: 'ws-A', session: 's2', at: 5 }, ME, 1_000_000), 'mine', 'even when it lapsed');
    assert.equal(standing({ owner: 'ws-A', session: 's1', at: 999_000 }, ME, 1_000_000), 'predecessor');
    assert.equal(standing({ owner: 'ws-A', session: 's1', at: 0 }, ME, 1_000_000), 'free');
  });

  it('reads only well-formed leases', () => {
    assert.deepEqual(parseLease({ owner: 'w', session: 's', at: 1 }), { owner: 'w', session: 's', at: 1 });
    assert.equal(parseLease({ owner: 'w', at: 1 }), undefined);
    assert.equal(parseLease({ owner: 'w', session: 's', at: Number.NaN }), undefined);
    assert.equal(parseLease([1]), undefined);
    assert.equal(parseLease(null), undefined);
  });
});

describe('leases: the activation check reads only lease files', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'nb-leases-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const lease = (id: string, l: object) => writeFileSync(path.join(dir, `${id}.lease.json`), JSON.stringify(l));

  it('is false for a missing folder, an empty one, and jobs another live window holds', () => {
    assert.equal(shouldResumeAt(path.join(dir, 'nope'), ME, 1_000_000), false);
    assert.equal(shouldResumeAt(dir, ME, 1_000_000), false);
    lease('j1', { owner: 'ws-B', session: 'b', at: 990_000 });
    writeFileSync(path.join(dir, 'j1.job.json'), '{}');
    assert.equal(shouldResumeAt(dir, ME, 1_000_000), false);
  });

  it("is true for this window's own job after a reload, a released job, and an expired one", () => {
    lease('j1', { owner: 'ws-A', session: 's1', at: 999_000 });
    assert.equal(shouldResumeAt(dir, ME, 1_000_000), true, 'predecessor');
    rmSync(path.join(dir, 'j1.lease.json'));
    lease('j2', { owner: 'ws-B', session: 'b', at: 0 });
    assert.equal(shouldResumeAt(dir, ME, 1_000_000), true, 'released');
    lease('j2', { owner: 'ws-B', session: 'b', at: 980_000 });
    assert.equal(shouldResumeAt(dir, ME, 1_000_000), true, 'expired (20 s)');
    lease('j2', { owner: 'ws-B', session: 'b', at: 'garbage' });
    assert.equal(shouldResumeAt(dir, ME, 1_000_000), false, 'an unreadable lease is ignored');
  });
});
