/**
 * The one message protocol between the extension host and the gallery page. Both sides import
 * this file (the page through esbuild), so every message is declared once, with its guard.
 *
 * Handshake: the page posts `ready` once its listener is installed; the host holds what it sends
 * until then (a bounded queue, outbox.ts) and answers with `init`, then the held replies (held
 * snapshots are older than `init`). The page keeps its own view state (the filter text) with the
 * webview's setState, so it survives a reload without the host. Requests from the page carry an `id`; the host answers each
 * with exactly one `reply` of the same id.
 */

import type { JobState } from '../core/jobs/states';

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
  fileName: string;
  width?: number;
  height?: number;
  bytes: number;
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
  states: Record<JobView['state'], string>;
  imageCopied: string;
  imageCopyFailed: string;
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
  | { kind: 'remove'; itemId: string }
  /** Save this image of a group into the workspace, then offer to remove the group's others. */
  | { kind: 'keep'; itemId: string }
  | { kind: 'cancelJob'; jobId: string }
  | { kind: 'resumeJob'; jobId: string }
  | { kind: 'generate' };

// ---- page → host

export type PageMessage = { type: 'ready' } | { type: 'request'; id: number; action: GalleryAction };

// ---- host → page

export type HostMessage =
  | { type: 'init'; state: GalleryState }
  | { type: 'jobs'; jobs: JobView[] }
  | { type: 'history'; items: HistoryView[]; focusId?: string }
  | { type: 'balance'; balance?: number }
  | { type: 'reply'; id: number; ok: true; message?: string }
  | { type: 'reply'; id: number; ok: false; error: string };

// ---- guards (the host never trusts what a page sends; the page checks what arrives)

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Action kinds whose only field is an `itemId` (insertLink has a format too). */
const KINDS_WITH_ITEM_ID: ReadonlySet<string> = new Set(['save', 'copyPath', 'open', 'reveal', 'reusePrompt', 'useAsReference', 'remove', 'keep']);
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
    default:
      return false;
  }
}

export function isHostMessage(x: unknown): x is HostMessage {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'init':
      return isObject(x.state) && Array.isArray(x.state.jobs) && Array.isArray(x.state.history) && isObject(x.state.strings);
    case 'jobs':
      return Array.isArray(x.jobs);
    case 'history':
      return Array.isArray(x.items);
    case 'balance':
      return x.balance === undefined || typeof x.balance === 'number';
    case 'reply':
      return typeof x.id === 'number' && typeof x.ok === 'boolean';
    default:
      return false;
  }
}
