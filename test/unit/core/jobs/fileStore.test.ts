// The job files shared by all windows: real files in a temporary folder; the crash is a real
// SIGKILL of a child process that holds a lease.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileJobStore } from '../../../../src/core/jobs/fileStore';
import type { JobRecord, PersistedJobs } from '../../../../src/core/jobs/types';
import { jobRecord } from './fakes';

const state = (jobs: JobRecord[], durations: Record<string, number[]> = {}): PersistedJobs => ({ version: 1, jobs, durations });
const ids = (p: PersistedJobs | undefined) => (p?.jobs ?? []).map((j) => j.id).sort();

describe('FileJobStore: one file per job, leases per window', () => {
  let dir: string;
  let now: number;
  let stores: FileJobStore[];
  const store = (owner: string, session: string, opts: { renewMs?: number } = {}) => {
    const s = new FileJobStore(dir, { owner, session }, { now: () => now, ...opts });
    stores.push(s);
    return s;
  };
  const file = (name: string) => path.join(dir, name);
  const read = (name: string) => JSON.parse(readFileSync(file(name), 'utf8')) as { id?: string; taskId?: string; state?: string; session?: string; at: number };

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nb-jobs-'));
    now = 1_000_000;
    stores = [];
  });
  afterEach(async () => {
    for (const s of stores) await s.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a running job has a lease and a record; when it ends the lease goes and the record stays', async () => {
    const a = store('ws-A', 'a1');
    await a.load();
    await a.save(state([jobRecord('j1', 'in_progress')]));
    assert.deepEqual(read('j1.lease.json'), { owner: 'ws-A', session: 'a1', at: 1_000_000 });
    assert.equal(read('j1.job.json').taskId, 'ta-j1');
    await a.save(state([jobRecord('j1', 'success')]));
    assert.equal(existsSync(file('j1.lease.json')), false);
    assert.equal(read('j1.job.json').state, 'success');
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.endsWith('.tmp')),
      [],
      'no temporary files left',
    );
  });

  it('a refinement’s lineage and reference sources are in its job file and come back after a reload', async () => {
    const a = store('ws-A', 'a1');
    await a.load();
    const job = jobRecord('j1', 'in_progress');
    job.request.lineage = { parentId: 'p-1', rootId: 'r-1', version: 3, ancestors: ['r-1', 'p-1'] };
    job.request.referenceSources = ['file:///store/p.png'];
    await a.save(state([job]));
    const reloaded = store('ws-A', 'a2');
    const back = (await reloaded.load())?.jobs.find((j) => j.id === 'j1');
    assert.deepEqual(back?.request.lineage, job.request.lineage);
    assert.deepEqual(back?.request.referenceSources, ['file:///store/p.png']);
  });

  it('two windows: neither takes nor erases the running jobs of the other', async () => {
    const a = store('ws-A', 'a1');
    await a.load();
    await a.save(state([jobRecord('a1')]));
    const b = store('ws-B', 'b1');
    assert.deepEqual(ids(await b.load()), [], "A's running job is left to A");
    await b.save(state([jobRecord('b1')]));
    await a.save(state([jobRecord('a1', 'submitted')]));
    assert.equal(read('a1.job.json').state, 'submitted');
    assert.equal(read('b1.job.json').state, 'in_progress');
    assert.equal(a.owns('a1'), true);
    assert.equal(b.owns('a1'), false);
  });

  it('a reload that never ran deactivate: the same window takes its job back at once, the old session lets it go', async () => {
    const old = store('ws-A', 'old');
    await old.load();
    await old.save(state([jobRecord('j1')]));
    now += 1_000; // the old session did not release anything: a crash or an unfinished deactivate
    const fresh = store('ws-A', 'new');
    assert.deepEqual(ids(await fresh.load()), ['j1']);
    assert.equal(read('j1.lease.json').session, 'new', 'claimed by the new session');
    // The old session (if it still runs for a moment) sees that it lost the job …
    assert.equal(old.owns('j1'), false);
    // … and its next save (without the job) neither deletes nor overwrites the job's file.
    await old.save(state([]));
    assert.equal(read('j1.job.json').id, 'j1');
    await fresh.save(state([jobRecord('j1', 'success')]));
    assert.equal(read('j1.job.json').state, 'success');
  });

  it('a window that is gone for good loses its running jobs once the lease is 20 s old', async () => {
    const a = store('ws-A', 'a1');
    await a.load();
    await a.save(state([jobRecord('j1')]));
    now += 19_999;
    assert.deepEqual(ids(await store('ws-B', 'b1').load()), []);
    now += 1;
    assert.deepEqual(ids(await store('ws-C', 'c1').load()), ['j1']);
  });

  it('a window that closes releases its leases: the next one takes the jobs at once', async () => {
    const a = store('ws-A', 'a1');
    await a.load();
    await a.save(state([jobRecord('j1')]));
    await a.dispose();
    assert.equal(read('j1.lease.json').at, 0);
    assert.deepEqual(ids(await store('ws-B', 'b1').load()), ['j1']);
  });

  it('a job whose submit has not answered is left while its previous session may still finish it', async () => {
    const queued: JobRecord = { ...jobRecord('q1', 'queued'), taskId: undefined };
    delete queued.taskId;
    const old = store('ws-A', 'old');
    await old.save(state([queued]));
    const fresh = store('ws-A', 'new');
    assert.deepEqual(ids(await fresh.load()), [], 'the old session may still write the task id');
    now += 20_000;
    assert.deepEqual(ids(await fresh.load()), ['q1'], 'its lease expired: the job is taken (and will be marked "may have been charged")');
  });

  it('renews its leases on the tick and tells the watcher when a job became free', async () => {
    const a = store('ws-A', 'a1');
    await a.save(state([jobRecord('j1')]));
    const b = store('ws-B', 'b1');
    await b.load();
    let calls = 0;
    b.watch(() => calls++);
    now += 15_000;
    a.tick();
    b.tick();
    assert.equal(read('j1.lease.json').at, 1_015_000, 'renewed');
    assert.equal(calls, 0, 'A is alive');
    now += 20_000; // A stopped renewing (gone)
    b.tick();
    assert.equal(calls, 1);
    assert.deepEqual(ids(await b.load()), ['j1']);
    b.tick();
    assert.equal(calls, 1, 'a job it runs is not offered again');
  });

  it('keeps the durations other windows learned for models it has none of', async () => {
    const a = store('ws-A', 'a1');
    await a.save(state([], { m1: [1000] }));
    const b = store('ws-B', 'b1');
    await b.save(state([], { m2: [2000] }));
    await a.save(state([], { m1: [1000, 3000] }));
    assert.deepEqual(read('durations.json'), { m1: [1000, 3000], m2: [2000] });
    assert.deepEqual((await store('ws-C', 'c1').load())?.durations, { m1: [1000, 3000], m2: [2000] });
  });

  it('skips unreadable files and ids that are not plain names', async () => {
    writeFileSync(file('broken.job.json'), '{not json');
    writeFileSync(file('other.job.json'), JSON.stringify(jobRecord('not-the-file-name')));
    const a = store('ws-A', 'a1');
    assert.deepEqual(ids(await a.load()), []);
    await a.save(state([jobRecord('../escape'), jobRecord('ok')]));
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.includes('escape')),
      [],
    );
    assert.equal(existsSync(file('ok.job.json')), true);
  });

  it('moves an old globalState job list into files once, leaving newer files alone', async () => {
    const a = store('ws-A', 'a1');
    await a.save(state([jobRecord('j1', 'success')]));
    const n = store('ws-A', 'a2').importLegacy(state([jobRecord('j1', 'in_progress'), jobRecord('j2', 'in_progress')], { m: [5] }));
    assert.equal(n, 1);
    assert.equal(read('j1.job.json').state, 'success', 'not overwritten');
    assert.deepEqual(ids(await store('ws-B', 'b1').load()), ['j1', 'j2'], 'the moved running job has no lease: free to take');
  });

  it('a window whose extension host is killed (SIGKILL): its own next session takes the job at once, another window after 20 s', async function () {
    this.timeout(15_000);
    const modulePath = path.resolve(__dirname, '../../../../src/core/jobs/fileStore.js');
    const record = JSON.stringify(jobRecord('k1', 'in_progress'));
    const script = `
      const { FileJobStore } = require(${JSON.stringify(modulePath)});
      const s = new FileJobStore(${JSON.stringify(dir)}, { owner: 'ws-A', session: 'doomed' }, { renewMs: 50 });
      s.load().then(() => s.save({ version: 1, jobs: [${record}], durations: {} })).then(() => { process.stdout.write('ready\\n'); setInterval(() => {}, 1000); });
    `;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => b.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`the child exited early (${code})`)));
    });
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;
    const lease = read('k1.lease.json');
    assert.equal(lease.session, 'doomed', 'the killed process released nothing');
    // One second after the killed process last renewed its lease, however slow this machine is.
    now = lease.at + 1000;
    const other = store('ws-B', 'b1');
    assert.deepEqual(ids(await other.load()), [], 'another window waits for the lease to expire');
    assert.deepEqual(ids(await store('ws-A', 'restarted').load()), ['k1'], 'the restarted host of the same window takes it at once');
    assert.equal(read('k1.lease.json').session, 'restarted');
    now = lease.at + 20_000;
    assert.equal(other.owns('k1'), false, 'B never polls it: the restarted host holds it');
  });
});
