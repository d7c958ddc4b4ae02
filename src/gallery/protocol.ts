/**
 * The one message protocol between the extension host and the gallery page. Both sides import
 * this file (the page through esbuild), so every message is declared once, with its guard.
 *
 * Handshake: the page posts `ready` once its listener is installed; the host holds what it sends
 * until then (a bounded queue, outbox.ts) and answers with `init`, then the held replies (held
 * snapshots are older than `init`). The page keeps its own view state (the filter text) with the
 * webview's setState, so it survives a reload without the host. Requests from the page carry an `id`; the host answers each
 * with exactly one `reply` of the same id.
 * Before `ready`, the page paints from the state the host embedded in its HTML (initialState.ts,
 * same shape and guard as `init`); the `init` that follows brings it up to date.
 */

import type { JobState } from '../core/jobs/states';
import { isLineage, type Lineage } from '../core/lineage';

export { isActive } from '../core/jobs/states';
export type { JobState } from '../core/jobs/states';

export const GALLERY_VIEW_TYPE = 'nanoBanana.gallery';

/** A running or recently finished job, as the page shows it. */
export interface JobView {
  id: string;
  state: JobState;
  prompt: string;
  model: string;
  aspectRatio?: string;
  imageSize?: string;
  createdAt: number;
  submittedAt?: number;
  finishedAt?: number;
  /** Typical duration of similar jobs, when learned (ms). */
  expectedMs?: number;
  /** A localized sentence when the job failed / timed out. */
  error?: string;
  resumable: boolean;
}

/** One image in the history. */
export interface HistoryView {
  id: string;
  prompt: string;
  model: string;
  aspectRatio?: string;
  imageSize?: string;
  createdAt: number;
  consumed?: string;
  /** A webview URI of the stored image. */
  src: string;
  /** A webview URI of its small JPEG for the card, when there is one (the lightbox shows `src`). */
  thumb?: string;
  fileName: string;
  width?: number;
  height?: number;
  bytes: number;
  /** Where it was refined from (version, parent, root), as stored when its job started. */
  lineage?: Lineage;
  /** The group of jobs it came from (variations, a model comparison) and its place in it. */
  groupId?: string;
  groupIndex?: number;
  /** Time the server took, submit to finished (ms). */
  durationMs?: number;
}

/** What this workspace spent (decimal strings of credits, as core/credits.ts sums them). */
export interface SpentView {
  /** Today, in local time. */
  today: string;
  total: string;
  /** The group of jobs it came from (variations, a model comparison) and its place in it. */
  groupId?: string;
  groupIndex?: number;
  /** Time the server took, submit to finished (ms). */
  durationMs?: number;
}

/** Localized strings the page needs (the host fills them with vscode.l10n.t). */
export interface PageStrings {
  title: string;
  filterPlaceholder: string;
  newImage: string;
  running: string;
  history: string;
  empty: string;
  noMatch: string;
  save: string;
  insertMarkdown: string;
  insertHtml: string;
  copyImage: string;
  copyPath: string;
  open: string;
  reveal: string;
  reusePrompt: string;
  useAsReference: string;
  remove: string;
  cancel: string;
  resume: string;
  close: string;
  /** Lightbox navigation buttons (the page falls back to English when absent). */
  previous?: string;
  next?: string;
  credits: string;
  /** Header figures ("Today here: {0}", "This workspace: {0}", "{0} images"); the page falls back to English when absent. */
  spentToday?: string;
  spentTotal?: string;
  imageCount?: string;
  /** "1 image" (Turkish uses the same form as for many). */
  imageCountOne?: string;
  /** Tooltip of the spending figures. */
  spentHint?: string;
  states: Record<JobView['state'], string>;
  imageCopied: string;
  imageCopyFailed: string;
  /** The short texts of the card's labelled buttons, and the name of its "…" menu button. */
  saveButton: string;
  insertLink: string;
  moreActions: string;
  /** "Refine…" and the lineage of refined images: "v{0}", "from {0}", "from a removed image". */
  refine: string;
  showLineage: string;
  lineageVersion: string;
  lineageFrom: string;
  lineageFromRemoved: string;
  /** The lightbox's strip of the versions of one chain (its accessible name). */
  lineageStrip: string;
  /** Group rows (variations, model comparisons); the page falls back to English when absent. */
  group?: GroupStrings;
}

/** Strings of a group row: "{0}" is a count, a duration or a model. */
export interface GroupStrings {
  /** "4 variations" */
  variations: string;
  /** "Comparing 3 models" */
  comparison: string;
  /** "Keep this one" */
  keep: string;
  /** "took {0}" */
  took: string;
}

export interface GalleryState {
  jobs: JobView[];
  history: HistoryView[];
  strings: PageStrings;
  /** Remaining credit balance, when known. */
  balance?: number;
  /** Credits this workspace spent, when the ledger has been read. */
  spent?: SpentView;
  /** Item to highlight (a result that just arrived). */
  focusId?: string;
}

/** Actions a page can ask the host to do; each gets one reply. */
export type GalleryAction =
  | { kind: 'save'; itemId: string }
  | { kind: 'insertLink'; itemId: string; format: 'markdown' | 'html' }
  | { kind: 'copyPath'; itemId: string }
  | { kind: 'open'; itemId: string }
  | { kind: 'reveal'; itemId: string }
  | { kind: 'reusePrompt'; itemId: string }
  | { kind: 'useAsReference'; itemId: string }
  | { kind: 'refine'; itemId: string }
  | { kind: 'remove'; itemId: string }
  /** Save this image of a group into the workspace, then offer to remove the group's others. */
  | { kind: 'keep'; itemId: string }
  | { kind: 'cancelJob'; jobId: string }
  | { kind: 'resumeJob'; jobId: string }
  | { kind: 'generate' };

// ---- page → host

export type PageMessage =
  | { type: 'ready' }
  | { type: 'request'; id: number; action: GalleryAction }
  /** The thumbnails of these history items, as bytes (a batch of the cards just built, see thumbLoader.ts). */
  | { type: 'thumbs'; ids: string[] };

/** Thumbnails asked for in one message, at most. */
export const MAX_THUMB_BATCH = 64;

/** A thumbnail's bytes, or `bytes` absent when the item has none (gone, not made yet, unreadable). */
export interface ThumbBytes {
  id: string;
  mime?: ThumbMime;
  bytes?: Uint8Array<ArrayBuffer>;
}

/** The image types a thumbnail comes in (thumbnailStore.ts writes WebP or JPEG). */
export type ThumbMime = 'image/webp' | 'image/jpeg';

// ---- host → page

export type HostMessage =
  | { type: 'init'; state: GalleryState }
  | { type: 'jobs'; jobs: JobView[] }
  | { type: 'history'; items: HistoryView[]; focusId?: string }
  | { type: 'balance'; balance?: number; spent?: SpentView }
  | { type: 'reply'; id: number; ok: true; message?: string }
  | { type: 'reply'; id: number; ok: false; error: string }
  /** The outcome of an action started outside the page (VS Code's context menu on a card), for a toast. */
  | { type: 'notice'; text: string; error?: boolean }
  /** The context menu's "Copy image": only the page can put an image on the clipboard. */
  | { type: 'copyImage'; itemId: string }
  /** The answer to a page's `thumbs`. */
  | { type: 'thumbs'; thumbs: ThumbBytes[] };

// ---- the cards' context menu (VS Code's own, from `data-vscode-context`)

/** The `webviewSection` of a history card (and of the lightbox), named in package.json's `when` clauses. */
export const GALLERY_ITEM_SECTION = 'galleryItem';

/** A card's `data-vscode-context`: VS Code passes this object (plus `webview`) to the menu's commands. */
export function itemContext(itemId: string): string {
  return JSON.stringify({ webviewSection: GALLERY_ITEM_SECTION, itemId, preventDefaultContextMenuItems: true });
}

/**
 * The history item a context-menu command was given, or undefined when the argument is not what
 * the gallery's context menu passes (any extension can run a command with any argument).
 */
export function itemIdFromContext(arg: unknown): string | undefined {
  if (!isObject(arg) || arg.webview !== GALLERY_VIEW_TYPE || arg.webviewSection !== GALLERY_ITEM_SECTION) return undefined;
  const id = arg.itemId;
  return typeof id === 'string' && id.length > 0 && id.length <= 200 ? id : undefined;
}

// ---- guards (the host never trusts what a page sends; the page checks what arrives)

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Action kinds whose only field is an `itemId` (insertLink has a format too). */
const KINDS_WITH_ITEM_ID: ReadonlySet<string> = new Set(['save', 'copyPath', 'open', 'reveal', 'reusePrompt', 'useAsReference', 'refine', 'remove', 'keep']);
/** Action kinds whose only field is a `jobId`. */
const KINDS_WITH_JOB_ID: ReadonlySet<string> = new Set(['cancelJob', 'resumeJob']);

export function isGalleryAction(x: unknown): x is GalleryAction {
  if (!isObject(x) || typeof x.kind !== 'string') return false;
  if (KINDS_WITH_ITEM_ID.has(x.kind)) return typeof x.itemId === 'string' && x.itemId.length > 0;
  if (KINDS_WITH_JOB_ID.has(x.kind)) return typeof x.jobId === 'string' && x.jobId.length > 0;
  if (x.kind === 'insertLink') return typeof x.itemId === 'string' && x.itemId.length > 0 && (x.format === 'markdown' || x.format === 'html');
  return x.kind === 'generate';
}

export function isPageMessage(x: unknown): x is PageMessage {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'ready':
      return true;
    case 'request':
      return typeof x.id === 'number' && Number.isInteger(x.id) && isGalleryAction(x.action);
    case 'thumbs':
      return (
        Array.isArray(x.ids) &&
        x.ids.length > 0 &&
        x.ids.length <= MAX_THUMB_BATCH &&
        x.ids.every((id) => typeof id === 'string' && id.length > 0 && id.length <= 200)
      );
    default:
      return false;
  }
}

/** A history view's lineage, when present, is well-formed (the page computes chains from it). */
export function hasValidLineage(x: unknown): boolean {
  return isObject(x) && (x.lineage === undefined || isLineage(x.lineage));
}

export function isSpentView(x: unknown): x is SpentView {
  return isObject(x) && typeof x.today === 'string' && typeof x.total === 'string';
}

export function isHostMessage(x: unknown): x is HostMessage {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'init':
      return (
        isObject(x.state) &&
        Array.isArray(x.state.jobs) &&
        Array.isArray(x.state.history) &&
        x.state.history.every(hasValidLineage) &&
        isObject(x.state.strings)
      );
    case 'jobs':
      return Array.isArray(x.jobs);
    case 'history':
      return Array.isArray(x.items) && x.items.every(hasValidLineage);
    case 'balance':
      return (x.balance === undefined || typeof x.balance === 'number') && (x.spent === undefined || isSpentView(x.spent));
    case 'reply':
      return typeof x.id === 'number' && typeof x.ok === 'boolean';
    case 'notice':
      return typeof x.text === 'string' && (x.error === undefined || typeof x.error === 'boolean');
    case 'copyImage':
      return typeof x.itemId === 'string';
    case 'thumbs':
      return Array.isArray(x.thumbs) && x.thumbs.every(isThumbBytes);
    default:
      return false;
  }
}

function isThumbBytes(x: unknown): x is ThumbBytes {
  if (!isObject(x) || typeof x.id !== 'string') return false;
  if (x.bytes === undefined) return x.mime === undefined;
  return x.bytes instanceof Uint8Array && (x.mime === 'image/webp' || x.mime === 'image/jpeg');
}
