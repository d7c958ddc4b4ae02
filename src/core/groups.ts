/**
 * Groups of jobs: several variations of one request, or one prompt on several models, started
 * together and shown side by side. Pure (no vscode, no DOM): the planning of a group's jobs, its
 * progress, and the rows of the gallery (one row per group).
 */
import type { ChosenOptions } from './generateOptions';
import { isActive, type JobState } from './jobs/states';

export const MAX_VARIATIONS = 4;
export const MIN_COMPARED_MODELS = 2;
export const MAX_COMPARED_MODELS = 4;

/** Stored in each job of a group (so it survives reloads) and carried into its history items. */
export interface JobGroup {
  /** The same for every job of the group. */
  id: string;
  /** 0-based position of the job in the group (the order they were asked for). */
  index: number;
  /** How many jobs the group started with. */
  size: number;
}

/** What the user asked for beyond one image: N variations, or the same prompt on these models. */
export interface GroupChoice {
  variations?: number;
  models?: readonly string[];
}

export type GroupProblem = 'variations' | 'model-count' | 'model-duplicate';

export type GroupPlan = { ok: true; jobs: ChosenOptions[] } | { ok: false; problem: GroupProblem };

/**
 * The options of each job to start: `variations` copies of `base`, or one per compared model (the
 * other options kept). Models win over variations. A bad choice is a problem, never a guess.
 */
export function planGroup(base: ChosenOptions, choice: GroupChoice | undefined): GroupPlan {
  const models = choice?.models?.map((m) => m.trim());
  if (models && models.length > 0) {
    if (models.length < MIN_COMPARED_MODELS || models.length > MAX_COMPARED_MODELS || models.some((m) => !m)) {
      return { ok: false, problem: 'model-count' };
    }
    if (new Set(models).size !== models.length) return { ok: false, problem: 'model-duplicate' };
    return { ok: true, jobs: models.map((model) => ({ ...base, model })) };
  }
  const n = choice?.variations ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > MAX_VARIATIONS) return { ok: false, problem: 'variations' };
  return { ok: true, jobs: Array.from({ length: n }, () => ({ ...base })) };
}

/** Where each job sits in its group; undefined for a single job (no group). */
export function groupSlots(groupId: string, size: number): (JobGroup | undefined)[] {
  if (size <= 1) return [undefined];
  return Array.from({ length: size }, (_, index) => ({ id: groupId, index, size }));
}

export interface GroupProgress {
  /** Jobs of the group that ended (any final state). */
  ended: number;
  total: number;
}

/** How far a group is: ended of its size (jobs already forgotten count as ended). */
export function groupProgress(jobs: ReadonlyArray<{ group?: JobGroup; state: JobState }>, groupId: string): GroupProgress | undefined {
  const members = jobs.filter((j) => j.group?.id === groupId);
  if (members.length === 0) return undefined;
  const total = Math.max(members.length, ...members.map((j) => j.group?.size ?? 0));
  const active = members.filter((j) => isActive(j.state)).length;
  return { ended: total - active, total };
}

/** What grouping needs of a history item. */
export interface Groupable {
  id: string;
  groupId?: string;
  groupIndex?: number;
}

/** One row of the gallery: a lone image, or the images of one group in their group order. */
export interface Row<T extends Groupable> {
  /** The item's id for a lone image, `group:<groupId>` for a group. */
  id: string;
  groupId?: string;
  items: T[];
}

/**
 * The rows for items given newest first: each group becomes one row where its newest item stands,
 * its items ordered by group index. A group with a single item left is a lone image again.
 */
export function groupRows<T extends Groupable>(newestFirst: readonly T[]): Row<T>[] {
  const byGroup = new Map<string, T[]>();
  for (const item of newestFirst) {
    if (item.groupId === undefined) continue;
    const list = byGroup.get(item.groupId);
    if (list) list.push(item);
    else byGroup.set(item.groupId, [item]);
  }
  const rows: Row<T>[] = [];
  const placed = new Set<string>();
  for (const item of newestFirst) {
    const members = item.groupId === undefined ? undefined : byGroup.get(item.groupId);
    if (!members || members.length < 2 || item.groupId === undefined) {
      rows.push({ id: item.id, items: [item] });
      continue;
    }
    if (placed.has(item.groupId)) continue;
    placed.add(item.groupId);
    const items = [...members].sort((a, b) => (a.groupIndex ?? 0) - (b.groupIndex ?? 0));
    rows.push({ id: `group:${item.groupId}`, groupId: item.groupId, items });
  }
  return rows;
}

/** The other items of `itemId`'s group (what "keep this one" may remove). */
export function groupSiblings<T extends Groupable>(items: readonly T[], itemId: string): T[] {
  const item = items.find((i) => i.id === itemId);
  if (item?.groupId === undefined) return [];
  return items.filter((i) => i.groupId === item.groupId && i.id !== itemId);
}
