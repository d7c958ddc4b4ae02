/**
 * Jobs on disk, one file per job, so they survive a window reload, an extension-host crash and a
 * closed window. Every window of a profile shares the folder; a window writes only the files of the
 * jobs it runs, so windows never erase each other's jobs (no read-merge-write of one shared list).
 *
 *   <dir>/<jobId>.job.json     the job record (written atomically: temp file, then rename)
 *   <dir>/<jobId>.lease.json   who runs it (see leases.ts); exists while the job is active
 *   <dir>/durations.json       learned job durations per model
 *
 * Order of writes: a running job's lease is written before its record and removed after its final
 * record, so "a running job has a lease file" holds at every instant (the activation check relies
 * on it). Writes are synchronous and small: when `save` returns, a task id is on disk, whatever
 * happens to the process next. Never imports vscode.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { toNanoError } from '../errors';
import { JOB_SUFFIX, LEASE_RENEW_MS, LEASE_SUFFIX, LEASE_TTL_MS, SAFE_JOB_ID, readLeaseFile, standing } from './leases';
import type { Lease, WindowIdentity } from './leases';
import { isActive } from './states';
import type { JobRecord, JobStore, PersistedJobs } from './types';

export interface FileJobStoreOptions {
  now?: () => number;
  log?: (line: string) => void;
  ttlMs?: number;
  renewMs?: number;
}

const DURATIONS_FILE = 'durations.json';

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${randomUUID()}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function looksLikeJob(x: unknown, id: string): x is JobRecord {
  const j = x as Partial<JobRecord> | null;
  return typeof j === 'object' && j !== null && j.id === id && typeof j.state === 'string';
}

export class FileJobStore implements JobStore {
  /** Job id → the text last written (or read) for it: the jobs this session knows and keeps. */
  private readonly known = new Map<string, string>();
  /** Jobs whose lease this session holds. */
  private readonly held = new Set<string>();
  private durationsText = '';
  private timer: ReturnType<typeof setInterval> | undefined;
  private onAdoptable: (() => void) | undefined;
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private readonly ttl: number;
  private readonly renewMs: number;
  private disposed = false;

  constructor(
    readonly dir: string,
    readonly me: WindowIdentity,
    opts: FileJobStoreOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? (() => undefined);
    this.ttl = opts.ttlMs ?? LEASE_TTL_MS;
    this.renewMs = opts.renewMs ?? LEASE_RENEW_MS;
  }

  private jobFile(id: string): string {
    return path.join(this.dir, id + JOB_SUFFIX);
  }

  private leaseFile(id: string): string {
    return path.join(this.dir, id + LEASE_SUFFIX);
  }

  private lease(id: string): Lease | undefined {
    return readLeaseFile(this.leaseFile(id));
  }

  private claim(id: string): void {
    writeAtomic(this.leaseFile(id), JSON.stringify({ ...this.me, at: this.now() } satisfies Lease));
    this.held.add(id);
  }

  /** Removes (`finished`) or releases (closing: at 0, so the next window takes it at once) a lease still ours. */
  private unclaim(id: string, finished: boolean): void {
    this.held.delete(id);
    const st = standing(this.lease(id), this.me, this.now(), this.ttl);
    // A finished job's lease goes unless another live session holds it; a released one can be left
    // behind when a closing window's release crossed this window's take-over.
    if (finished) {
      if (st === 'mine' || st === 'free') rmSync(this.leaseFile(id), { force: true });
      return;
    }
    if (st !== 'mine') return;
    writeAtomic(this.leaseFile(id), JSON.stringify({ ...this.me, at: 0 } satisfies Lease));
  }

  /**
   * The jobs this window may run: every finished job, and every active job whose lease is free or
   * was this window's before a reload or crash (those leases are claimed now). Active jobs of other
   * live windows are left out. A job still `queued` (no task id yet) whose previous session may be
   * finishing its submit is left until that session releases it or its lease expires.
   * Call again at any time to take over jobs that became free (see `watch`).
   */
  load(): Promise<PersistedJobs | undefined> {
    return new Promise((resolve) => resolve(this.loadNow()));
  }

  private loadNow(): PersistedJobs {
    mkdirSync(this.dir, { recursive: true });
    const now = this.now();
    const jobs: JobRecord[] = [];
    let others = 0;
    const names = readdirSync(this.dir);
    for (const name of names) {
      if (!name.endsWith(JOB_SUFFIX)) continue;
      const id = name.slice(0, -JOB_SUFFIX.length);
      if (!SAFE_JOB_ID.test(id)) continue;
      const text = (() => {
        try {
          return readFileSync(this.jobFile(id), 'utf8');
        } catch {
          return undefined;
        }
      })();
      const job: unknown = text === undefined ? undefined : readJsonText(text);
      if (!looksLikeJob(job, id)) {
        if (text !== undefined) this.log(`jobs: skipped the unreadable job file ${name}`);
        continue;
      }
      if (isActive(job.state)) {
        const st = standing(this.lease(id), this.me, now, this.ttl);
        if (st === 'other') {
          others++;
          continue;
        }
        if (st === 'predecessor' && job.taskId === undefined) continue; // its submit may still answer
        if (st !== 'mine') this.claim(id);
      }
      this.known.set(id, text as string);
      jobs.push(job);
    }
    this.dropStaleLeases(names, now);
    if (others) this.log(`jobs: ${others} running job(s) belong to another open window; left to it`);
    const durations = readJson(path.join(this.dir, DURATIONS_FILE));
    this.renewTimer();
    return { version: 1, jobs, durations: (typeof durations === 'object' && durations !== null ? durations : {}) as PersistedJobs['durations'] };
  }

  /** Leases whose job file is gone (a start that died between the two writes) are removed once free. */
  private dropStaleLeases(names: string[], now: number): void {
    const jobs = new Set(names.filter((n) => n.endsWith(JOB_SUFFIX)).map((n) => n.slice(0, -JOB_SUFFIX.length)));
    for (const n of names) {
      if (!n.endsWith(LEASE_SUFFIX)) continue;
      const id = n.slice(0, -LEASE_SUFFIX.length);
      if (jobs.has(id) || this.held.has(id)) continue;
      if (standing(this.lease(id), this.me, now, this.ttl) === 'free') rmSync(path.join(this.dir, n), { force: true });
    }
  }

  save(state: PersistedJobs): Promise<void> {
    return new Promise((resolve) => resolve(this.saveNow(state)));
  }

  private saveNow(state: PersistedJobs): void {
    if (this.disposed) return;
    mkdirSync(this.dir, { recursive: true });
    const ids = new Set<string>();
    for (const job of state.jobs) {
      if (!SAFE_JOB_ID.test(job.id)) continue;
      ids.add(job.id);
      const active = isActive(job.state);
      if (active && !this.held.has(job.id)) this.claim(job.id);
      const text = JSON.stringify(job);
      if (this.known.get(job.id) !== text) {
        writeAtomic(this.jobFile(job.id), text);
        this.known.set(job.id, text);
      }
      if (!active && this.held.has(job.id)) this.unclaim(job.id, true);
    }
    // Jobs this session removed or pruned (unless another session runs one again, e.g. resumed it).
    for (const id of [...this.known.keys()]) {
      if (ids.has(id)) continue;
      this.known.delete(id);
      if (this.held.has(id)) this.unclaim(id, true);
      const st = standing(this.lease(id), this.me, this.now(), this.ttl);
      if (st === 'other' || st === 'predecessor') continue;
      rmSync(this.jobFile(id), { force: true });
    }
    this.saveDurations(state.durations);
    this.renewTimer();
  }

  /** Learned durations: ours, plus the models only other windows have learned. */
  private saveDurations(ours: PersistedJobs['durations']): void {
    const file = path.join(this.dir, DURATIONS_FILE);
    const stored = readJson(file);
    const merged: Record<string, number[]> = {};
    if (typeof stored === 'object' && stored !== null && !Array.isArray(stored)) {
      for (const [model, list] of Object.entries(stored as Record<string, unknown>)) if (Array.isArray(list)) merged[model] = list as number[];
    }
    Object.assign(merged, ours);
    const text = JSON.stringify(merged);
    if (text === this.durationsText) return;
    writeAtomic(file, text);
    this.durationsText = text;
  }

  /**
   * True while this session may run the job: its lease is ours (renewed here if it had lapsed and
   * nobody took it). False when another live session took it over; the job is then forgotten here,
   * so this session's saves leave its file to the new holder.
   */
  owns(jobId: string): boolean {
    const st = standing(this.lease(jobId), this.me, this.now(), this.ttl);
    if (st === 'mine') return true;
    if (st === 'free') {
      this.claim(jobId);
      return true;
    }
    this.held.delete(jobId);
    this.known.delete(jobId);
    this.log(`jobs: job ${jobId} was taken over by ${st === 'predecessor' ? 'a newer session of this window' : 'another window'}; letting it go here`);
    return false;
  }

  /** Calls `onAdoptable` (on the renew tick) whenever a running job that nobody runs could be taken over. */
  watch(onAdoptable: () => void): void {
    this.onAdoptable = onAdoptable;
    this.renewTimer(true);
  }

  private renewTimer(force = false): void {
    if (this.disposed || this.timer || (!force && this.held.size === 0 && !this.onAdoptable)) return;
    this.timer = setInterval(() => this.tick(), this.renewMs);
    this.timer.unref?.();
  }

  /** Renews this session's leases, then looks for running jobs nobody runs. */
  tick(): void {
    if (this.disposed) return;
    try {
      const now = this.now();
      for (const id of [...this.held]) {
        if (standing(this.lease(id), this.me, now, this.ttl) === 'mine') this.claim(id);
      }
      if (this.onAdoptable && this.hasAdoptable(now)) this.onAdoptable();
    } catch (e) {
      this.log(`jobs: could not renew leases: ${toNanoError(e, 'io').message}`);
    }
  }

  private hasAdoptable(now: number): boolean {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return false;
    }
    return names.some((n) => {
      if (!n.endsWith(LEASE_SUFFIX)) return false;
      const id = n.slice(0, -LEASE_SUFFIX.length);
      if (this.known.has(id)) return false;
      const st = standing(readLeaseFile(path.join(this.dir, n)), this.me, now, this.ttl);
      return st === 'free' || st === 'predecessor';
    });
  }

  /** Stops renewing and releases this session's leases, so the next window takes its jobs at once. */
  dispose(): Promise<void> {
    return new Promise((resolve) => resolve(this.disposeNow()));
  }

  private disposeNow(): void {
    if (this.disposed) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const id of [...this.held]) {
      try {
        this.unclaim(id, false);
      } catch {
        // the folder may be gone; the lease then expires by itself
      }
    }
    this.disposed = true;
  }

  /**
   * Brings jobs saved by an older version (one list in globalState) into the folder, once: each job
   * that has no file yet is written without a lease, so this window takes over the running ones.
   */
  importLegacy(state: unknown): number {
    const s = state as Partial<PersistedJobs> | null;
    if (typeof s !== 'object' || s === null || !Array.isArray(s.jobs)) return 0;
    mkdirSync(this.dir, { recursive: true });
    let n = 0;
    for (const job of s.jobs as unknown[]) {
      const j = job as Partial<JobRecord> | null;
      if (typeof j !== 'object' || j === null || typeof j.id !== 'string' || !SAFE_JOB_ID.test(j.id)) continue;
      const file = this.jobFile(j.id);
      try {
        readFileSync(file);
        continue;
      } catch {
        // not there yet
      }
      writeAtomic(file, JSON.stringify(j));
      n++;
    }
    if (s.durations && typeof s.durations === 'object') this.saveDurations(s.durations);
    return n;
  }
}

function readJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
