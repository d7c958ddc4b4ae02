/**
 * Which window polls which job. Every VS Code window of a profile shares the persisted jobs, so
 * without an owner each window that starts would adopt every running job: all of them would poll
 * it, download it, notify about it and auto-save it into their own workspace. A window holds a
 * lease on the active jobs it runs, renews it while it runs them, and releases it when it closes;
 * another window adopts an active job only when no live lease is held by someone else. Pure.
 */
import { ACTIVE_STATES } from './types';
import type { PersistedJobs } from './types';

export interface Lease {
  owner: string;
  /** When the owner last renewed it (ms since epoch). */
  at: number;
}
export type Leases = Record<string, Lease>;

/** A lease not renewed for this long belongs to a window that is gone (crashed, killed). */
export const LEASE_TTL_MS = 90_000;
/** How often an owner renews its leases. */
export const LEASE_RENEW_MS = 30_000;

export function readLeases(raw: unknown): Leases {
  const out: Leases = {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return out;
  for (const [id, v] of Object.entries(raw as Record<string, unknown>)) {
    const l = v as Partial<Lease> | null;
    if (l && typeof l.owner === 'string' && typeof l.at === 'number' && Number.isFinite(l.at)) out[id] = { owner: l.owner, at: l.at };
  }
  return out;
}

function heldByOther(leases: Leases, jobId: string, owner: string, now: number, ttl: number): boolean {
  const l = leases[jobId];
  return !!l && l.owner !== owner && now - l.at < ttl;
}

/**
 * Splits what is stored into the jobs this window may take (finished ones, and active ones nobody
 * else holds) and the ids of active jobs another live window runs (left alone, kept in storage).
 */
export function adoptable(state: PersistedJobs, leases: Leases, owner: string, now: number, ttl = LEASE_TTL_MS): { mine: PersistedJobs; others: string[] } {
  const others: string[] = [];
  const jobs = state.jobs.filter((j) => {
    const theirs = ACTIVE_STATES.has(j.state) && heldByOther(leases, j.id, owner, now, ttl);
    if (theirs) others.push(j.id);
    return !theirs;
  });
  return { mine: { ...state, jobs }, others };
}

/**
 * The leases after this window saved `state` (its own jobs): its active jobs are held as of `now`,
 * its other jobs released, expired leases dropped, live leases of other windows kept.
 */
export function renewLeases(leases: Leases, state: PersistedJobs, owner: string, now: number, ttl = LEASE_TTL_MS): Leases {
  const out: Leases = {};
  for (const [id, l] of Object.entries(leases)) if (l.owner !== owner && now - l.at < ttl) out[id] = l;
  for (const j of state.jobs) if (ACTIVE_STATES.has(j.state)) out[j.id] = { owner, at: now };
  return out;
}

/** The leases after this window closed: all of its leases released. */
export function releaseLeases(leases: Leases, owner: string): Leases {
  const out: Leases = {};
  for (const [id, l] of Object.entries(leases)) if (l.owner !== owner) out[id] = l;
  return out;
}
