/**
 * Lineage of refined images: an image made by "Refine…" from another one records, when its job is
 * started, where it comes from — its parent, the root of the chain, its version (1 = the root) and
 * its ancestors. All of it is stored with the image, never recomputed from the parents alone, so
 * removing an image never breaks its children's history: a child keeps its version and knows that
 * its parent is gone. Pure (no vscode, no DOM): the gallery page and the extension both use it.
 */

/** Where an image comes from (absent on an image that was not refined from another). */
export interface Lineage {
  /** The image it was refined from. */
  parentId: string;
  /** The first image of the chain (a version 1 image). */
  rootId: string;
  /** Depth in the chain: the root is 1, its refinements 2, theirs 3… */
  version: number;
  /** Ids of the ancestors, oldest first, ending with the parent (the newest {@link MAX_ANCESTORS}). */
  ancestors: string[];
}

/** Ancestors kept per image; `rootId` and `version` stay exact beyond it. */
export const MAX_ANCESTORS = 32;

/** What lineage needs of an image. */
export interface LineageNode {
  id: string;
  createdAt: number;
  lineage?: Lineage;
}

const isId = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= 200;

/** Guards stored or received lineage (an edited index or job file must not break the gallery). */
export function isLineage(x: unknown): x is Lineage {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const l = x as Record<string, unknown>;
  if (!isId(l.parentId) || !isId(l.rootId)) return false;
  if (typeof l.version !== 'number' || !Number.isInteger(l.version) || l.version < 2) return false;
  if (!Array.isArray(l.ancestors) || l.ancestors.length === 0 || l.ancestors.length > MAX_ANCESTORS || !l.ancestors.every(isId)) return false;
  return l.ancestors[l.ancestors.length - 1] === l.parentId;
}

/** The lineage of an image refined from `parent`. */
export function childLineage(parent: Pick<LineageNode, 'id' | 'lineage'>): Lineage {
  const ancestors = [...(parent.lineage?.ancestors ?? []), parent.id].slice(-MAX_ANCESTORS);
  return { parentId: parent.id, rootId: rootOf(parent), version: versionOf(parent) + 1, ancestors };
}

export function versionOf(item: Pick<LineageNode, 'lineage'>): number {
  return item.lineage?.version ?? 1;
}

export function rootOf(item: Pick<LineageNode, 'id' | 'lineage'>): string {
  return item.lineage?.rootId ?? item.id;
}

/** True when `item` descends from the image `id` (which may have been removed). */
export function descendsFrom(item: LineageNode, id: string): boolean {
  const l = item.lineage;
  return !!l && (l.rootId === id || l.ancestors.includes(id));
}

/** What a card says about an image's place in its chain. */
export interface LineageSummary<T extends LineageNode> {
  version: number;
  rootId: string;
  /** `none` for a root; `removed` when the parent is no longer in the list. */
  parent: 'none' | 'present' | 'removed';
  /** The parent, when present. */
  parentItem?: T;
  /** Some image in the list descends from it. */
  hasDescendants: boolean;
}

/** Lookups over one list of images: build it once per change of the list. */
export class LineageIndex<T extends LineageNode> {
  private readonly byId = new Map<string, T>();
  /** Ids that some listed image descends from (listed or not). */
  private readonly forebears = new Set<string>();

  constructor(readonly items: readonly T[]) {
    for (const item of items) {
      this.byId.set(item.id, item);
      if (!item.lineage) continue;
      this.forebears.add(item.lineage.rootId);
      for (const a of item.lineage.ancestors) this.forebears.add(a);
    }
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  /**
   * The chain through `id`: its ancestors still present, itself (when present), then every image
   * that descends from it; ordered by version, then by time. A removed `id` still gathers its
   * descendants, so a lineage filter keeps working after its image was removed.
   */
  chain(id: string): T[] {
    const self = this.byId.get(id);
    const up = self?.lineage ? [self.lineage.rootId, ...self.lineage.ancestors] : [];
    const ancestors = new Set(up.filter((a) => a !== id));
    const out = this.items.filter((i) => i === self || ancestors.has(i.id) || descendsFrom(i, id));
    return out.sort((a, b) => versionOf(a) - versionOf(b) || a.createdAt - b.createdAt);
  }

  summary(item: T): LineageSummary<T> {
    const l = item.lineage;
    const parentItem = l ? this.byId.get(l.parentId) : undefined;
    return {
      version: versionOf(item),
      rootId: rootOf(item),
      parent: !l ? 'none' : parentItem ? 'present' : 'removed',
      ...(parentItem ? { parentItem } : {}),
      hasDescendants: this.forebears.has(item.id),
    };
  }
}

// ---- the gallery filter's lineage token

export const LINEAGE_PREFIX = 'lineage:';

/** The filter text that shows the chain through `id`. */
export function lineageToken(id: string): string {
  return LINEAGE_PREFIX + id;
}

/** Splits a filter text into its lineage id (the first `lineage:<id>` word) and the other words. */
export function parseLineageQuery(query: string): { lineageId?: string; text: string } {
  let lineageId: string | undefined;
  const rest: string[] = [];
  for (const word of query.split(/\s+/)) {
    if (!word) continue;
    if (lineageId === undefined && word.toLowerCase().startsWith(LINEAGE_PREFIX) && word.length > LINEAGE_PREFIX.length) {
      lineageId = word.slice(LINEAGE_PREFIX.length);
    } else rest.push(word);
  }
  return { ...(lineageId !== undefined ? { lineageId } : {}), text: rest.join(' ') };
}

/** A prompt cut to `max` characters at a word boundary when one is near, with an ellipsis. */
export function shortPrompt(prompt: string, max = 32): string {
  const text = prompt.replace(/\s+/g, ' ').trim();
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  return (space >= max / 2 ? cut.slice(0, space) : cut).trimEnd() + '…';
}
