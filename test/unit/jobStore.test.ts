import * as assert from 'node:assert/strict';
import { LEASE_TTL_MS, adoptable, readLeases, releaseLeases, renewLeases } from '../../src/core/jobs/leases';
import type { JobRecord, PersistedJobs } from '../../src/core/jobs/types';
import { GlobalStateJobStore, JOB_LEASES_KEY } from '../../src/vscode/jobStore';
import type * as vscode from 'vscode';
import { jobRecord as job } from './jobs/fakes';

/** globalState as every window of a profile sees it: one shared map. */
class SharedMemento {
  readonly data = new Map<string, unknown>();
  keys(): readonly string[] {
    return [...this.data.keys()];
  }
  get<T>(key: string, fallback?: T): T | undefined {
    return this.data.has(key) ? (structuredClone(this.data.get(key)) as T) : fallback;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.data.set(key, structuredClone(value));
  }
}

const state = (jobs: JobRecord[]): PersistedJobs => ({ version: 1, jobs, durations: {} });

describe('job leases (pure)', () => {
  it('adopts finished jobs and active jobs nobody else holds; leaves live leases of others alone', () => {
    const leases = { a: { owner: 'w1', at: 1000 }, b: { owner: 'w1', at: 1000 - LEASE_TTL_MS }, c: { owner: 'w2', at: 1000 } };
    const s = state([job('a'), job('b'), job('c'), job('d'), job('e', 'success')]);
    const { mine, others } = adoptable(s, leases, 'w2', 1000);
    assert.deepEqual(others, ['a'], 'a is held by a live other window');
    assert.deepEqual(mine.jobs.map((j) => j.id), ['b', 'c', 'd', 'e'], 'b expired, c is ours, d unleased, e finished');
  });

  it('renews our active jobs, releases our finished ones, drops expired leases, keeps live foreign ones', () => {
    const leases = { x: { owner: 'w1', at: 500 }, old: { owner: 'w1', at: 0 }, done: { owner: 'w2', at: 10 } };
    const out = renewLeases(leases, state([job('y'), job('done', 'success')]), 'w2', LEASE_TTL_MS);
    assert.deepEqual(out, { x: { owner: 'w1', at: 500 }, y: { owner: 'w2', at: LEASE_TTL_MS } });
    assert.deepEqual(releaseLeases(out, 'w2'), { x: { owner: 'w1', at: 500 } });
  });

  it('reads only well-formed leases', () => {
    assert.deepEqual(readLeases({ a: { owner: 'w', at: 1 }, b: { owner: 3, at: 1 }, c: null, d: { owner: 'w' } }), { a: { owner: 'w', at: 1 } });
    assert.deepEqual(readLeases([1, 2]), {});
    assert.deepEqual(readLeases(undefined), {});
  });
});

describe('GlobalStateJobStore: two windows sharing globalState', () => {
  let now = 1_000_000;
  const clock = () => now;
  let memento: SharedMemento;
  let stores: GlobalStateJobStore[];
  const windowStore = (owner: string) => {
    const s = new GlobalStateJobStore(memento as unknown as vscode.Memento, owner, clock);
    stores.push(s);
    return s;
  };
  beforeEach(() => {
    memento = new SharedMemento();
    stores = [];
  });
  afterEach(async () => {
    for (const s of stores) await s.dispose();
  });

  it('a window opening while another runs a job does not adopt it, and does not erase it', async () => {
    const a = windowStore('A');
    await a.load();
    await a.save(state([job('a1')]));
    const b = windowStore('B');
    assert.deepEqual((await b.load())?.jobs.map((j) => j.id), [], "A's running job is left to A");
    await b.save(state([job('b1')]));
    const stored = memento.get<PersistedJobs>('nanoBanana.jobs');
    assert.deepEqual(stored?.jobs.map((j) => j.id).sort(), ['a1', 'b1'], 'both windows keep their jobs');
  });

  it('after the owner closes, the next window adopts its running jobs at once', async () => {
    const a = windowStore('A');
    await a.save(state([job('a1')]));
    await a.dispose();
    assert.deepEqual(memento.get(JOB_LEASES_KEY), {}, 'the lease was released');
    const b = windowStore('B');
    assert.deepEqual((await b.load())?.jobs.map((j) => j.id), ['a1']);
  });

  it('a window that vanished without closing (crash) loses its jobs to others after the lease expires', async () => {
    const a = windowStore('A');
    await a.save(state([job('a1')]));
    now += LEASE_TTL_MS - 1;
    assert.deepEqual((await windowStore('B').load())?.jobs.map((j) => j.id), []);
    now += 1;
    assert.deepEqual((await windowStore('C').load())?.jobs.map((j) => j.id), ['a1']);
  });
});
