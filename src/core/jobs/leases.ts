/**
 * Which window runs which job. Every VS Code window of a profile shares the job files, so without
 * an owner each window would poll, download, announce and auto-save every running job. A window
 * holds a lease on each active job it runs and renews it while it runs; another window takes a job
 * over only when its lease is free: released, expired, or held by this same window's previous
 * extension host.
 *
 * A lease names two things:
 * - `owner`, the window: derived from its workspace (or kept in its workspaceState), so it is the
 *   same after a reload and after VS Code restarts a crashed extension host;
 * - `session`, one run of the extension host (random per activation).
 *
 * So a reloaded or restarted window takes its jobs back at once (same owner, new session), without
 * waiting for a lease that its dead predecessor can neither renew nor release; a window that is gone
 * for good loses its jobs to another live window once the lease expires; and the live session that
 * lost a lease lets the job go at its next poll. Pure, apart from `shouldResumeAt` (sync reads).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

export interface WindowIdentity {
  /** The window: stable across reloads and extension-host restarts. */
  owner: string;
  /** This run of the extension host. */
  session: string;
}

export interface Lease extends WindowIdentity {
  /** When the holder last renewed it (ms since epoch); 0 once released. */
  at: number;
}

/** A lease not renewed for this long belongs to a window that is gone (crashed, killed, closed). */
export const LEASE_TTL_MS = 20_000;
/** How often a holder renews its leases (and looks for jobs it may take over). */
export const LEASE_RENEW_MS = 5_000;

/**
 * How a lease stands for `me`:
 * - `mine`: held by this session;
 * - `predecessor`: held by an earlier session of this same window (a reload, a restarted host);
 * - `free`: no lease, released, or expired;
 * - `other`: held by another live window.
 */
export type LeaseStanding = 'mine' | 'predecessor' | 'free' | 'other';

export function standing(lease: Lease | undefined, me: WindowIdentity, now: number, ttl = LEASE_TTL_MS): LeaseStanding {
  if (!lease) return 'free';
  if (lease.session === me.session && lease.owner === me.owner) return 'mine';
  if (lease.at <= 0 || now - lease.at >= ttl) return 'free';
  return lease.owner === me.owner ? 'predecessor' : 'other';
}

export function parseLease(raw: unknown): Lease | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const l = raw as Partial<Lease>;
  if (typeof l.owner !== 'string' || typeof l.session !== 'string' || typeof l.at !== 'number' || !Number.isFinite(l.at)) return undefined;
  return { owner: l.owner, session: l.session, at: l.at };
}

/** File names in the job folder: `<id>.job.json`, `<id>.lease.json`. */
export const JOB_SUFFIX = '.job.json';
export const LEASE_SUFFIX = '.lease.json';
/** Job ids become file names: only these are accepted. */
export const SAFE_JOB_ID = /^[A-Za-z0-9_-]{1,100}$/;

export function readLeaseFile(file: string): Lease | undefined {
  try {
    return parseLease(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
}

/**
 * True when the job folder `dir` holds a running job this window should take (a lease that is not
 * another live window's). Runs at activation, so it only lists the folder and reads the lease files:
 * a running job always has one (it is written before the job file, and removed after the job ends).
 */
export function shouldResumeAt(dir: string, me: WindowIdentity, now: number = Date.now()): boolean {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return false;
  }
  return names.some((n) => {
    if (!n.endsWith(LEASE_SUFFIX)) return false;
    const lease = readLeaseFile(path.join(dir, n));
    return lease !== undefined && standing(lease, me, now) !== 'other';
  });
}
