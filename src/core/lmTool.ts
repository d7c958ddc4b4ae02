/**
 * The pure half of the language model tool `nanoBanana_generateImage` (Copilot Chat's agent mode
 * and any chat participant): checking the input a model sends, the credits recent jobs of a model
 * cost, and the text handed back to the model. Never imports vscode.
 *
 * The text returned to the model is English on purpose: it is read by the model (which answers the
 * person in their language), and it names the commands as the palette shows them in English.
 */
import { ASPECT_RATIOS, IMAGE_SIZES, MAX_PROMPT_LENGTH, MAX_REFERENCES } from './api/types';
import type { HistoryItem } from './history';
import { isSafeRelativeFolder, sanitizeBaseName } from './images/naming';
import type { JobRecord } from './jobs/types';
import { markdownImageLink } from './links';

/** What the model may send (see `contributes.languageModelTools[].inputSchema` in package.json). */
export interface LmToolInput {
  prompt: string;
  /** Workspace-relative target file, e.g. `public/hero.png`. */
  path?: string;
  aspectRatio?: string;
  imageSize?: string;
  model?: string;
  /** Workspace-relative paths of reference images. */
  references?: string[];
}

/** A checked target: the folder (posix, relative, '' for the root) and the file name. */
export interface LmTarget {
  folder: string;
  base: string;
  /** Lower case: png, jpg, jpeg or webp. */
  ext: string;
  /** `folder/base.ext` (normalised: no `./`, the extension in lower case). */
  rel: string;
}

export type LmInputCheck = { ok: true; input: LmToolInput; target?: LmTarget; references: string[] } | { ok: false; message: string };

const IMAGE_EXTS = ['png', 'jpg', 'jpeg', 'webp'];

const fail = (message: string): LmInputCheck => ({ ok: false, message });

function optString(o: Record<string, unknown>, key: string): string | undefined | null {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') return null;
  return v.trim() || undefined;
}

/** A workspace-relative path: posix, no `..`, no leading `/`, no drive, no `~`; `./` dropped. */
export function normaliseRelativePath(p: string): string | undefined {
  const rel = p.trim().replace(/^(\.\/)+/, '');
  if (!rel || rel.endsWith('/') || !isSafeRelativeFolder(rel)) return undefined;
  return rel
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

/** The target file of `path`: a safe relative path to a `.png`, `.jpg`, `.jpeg` or `.webp` file. */
export function parseTarget(p: string): LmTarget | string {
  const rel = normaliseRelativePath(p);
  if (!rel) return `"${p}" is not a usable path: give a path relative to the workspace folder, inside it, such as public/hero.png.`;
  const slash = rel.lastIndexOf('/');
  const folder = slash < 0 ? '' : rel.slice(0, slash);
  const name = rel.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  if (!IMAGE_EXTS.includes(ext)) return `"${p}" must end in .png, .jpg, .jpeg or .webp.`;
  const base = name.slice(0, dot);
  if (sanitizeBaseName(base) !== base) return `"${name}" is not a file name that works on every system: use letters, digits, "-" and "_".`;
  return { folder, base, ext, rel: folder ? `${folder}/${base}.${ext}` : `${base}.${ext}` };
}

/** Checks what a model sent; the message of a refusal tells the model what to change. */
export function checkToolInput(raw: unknown): LmInputCheck {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('The input must be an object with at least a "prompt".');
  const o = raw as Record<string, unknown>;
  const prompt = optString(o, 'prompt');
  if (!prompt) return fail('"prompt" is required: a description of the image to make.');
  if (prompt.length > MAX_PROMPT_LENGTH) return fail(`"prompt" is ${prompt.length} characters long; at most ${MAX_PROMPT_LENGTH} are allowed.`);
  const input: LmToolInput = { prompt };
  let target: LmTarget | undefined;
  for (const key of ['path', 'aspectRatio', 'imageSize', 'model'] as const) {
    const v = optString(o, key);
    if (v === null) return fail(`"${key}" must be a string.`);
    if (v !== undefined) input[key] = v;
  }
  if (input.path !== undefined) {
    const t = parseTarget(input.path);
    if (typeof t === 'string') return fail(t);
    target = t;
  }
  if (input.aspectRatio !== undefined && !(ASPECT_RATIOS as readonly string[]).includes(input.aspectRatio)) {
    return fail(`"aspectRatio" must be one of ${ASPECT_RATIOS.join(', ')}.`);
  }
  if (input.imageSize !== undefined && !['auto', ...IMAGE_SIZES].includes(input.imageSize.toLowerCase())) {
    return fail(`"imageSize" must be one of auto, ${IMAGE_SIZES.join(', ')}.`);
  }
  if (input.imageSize) input.imageSize = input.imageSize.toLowerCase();
  if (input.model !== undefined && /\s/.test(input.model)) return fail('"model" is a model id without spaces, such as google/gempix2.');
  const refs: string[] = [];
  if (o.references !== undefined && o.references !== null) {
    if (!Array.isArray(o.references) || !o.references.every((r) => typeof r === 'string')) return fail('"references" must be a list of workspace paths.');
    if (o.references.length > MAX_REFERENCES) return fail(`"references" has ${o.references.length} images; at most ${MAX_REFERENCES} can be used.`);
    for (const r of o.references) {
      const rel = normaliseRelativePath(r);
      if (!rel) return fail(`The reference "${r}" is not a path inside the workspace folder (give it relative to the workspace folder).`);
      refs.push(rel);
    }
    if (refs.length) input.references = refs;
  }
  return { ok: true, input, target, references: refs };
}

/** The file name to write: the asked-for name, with the extension the bytes really have when it differs. */
export function finalFileName(target: LmTarget, actualExt: string | undefined): string {
  const asked = target.ext;
  const same = !actualExt || asked === actualExt || (asked === 'jpeg' && actualExt === 'jpg');
  return `${target.base}.${same ? target.ext : actualExt}`;
}

/** The median of decimal credit strings (`"0.500000"`), written short (`0.5`); undefined when none parse. */
export function medianCredits(values: ReadonlyArray<string | undefined>): string | undefined {
  const nums = values
    .map((v) => (v === undefined ? NaN : Number(v)))
    .filter((n) => Number.isFinite(n) && n >= 0)
    .sort((a, b) => a - b);
  if (!nums.length) return undefined;
  const mid = Math.floor(nums.length / 2);
  const m = nums.length % 2 ? nums[mid] : (nums[mid - 1] + nums[mid]) / 2;
  return String(Number(m.toFixed(6)));
}

/**
 * What the last finished jobs of `model` cost: the median `consumed` of the newest `limit` of them,
 * from the jobs and the history (one entry per task).
 */
export function recentCredits(
  model: string,
  jobs: ReadonlyArray<Readonly<JobRecord>>,
  items: ReadonlyArray<Readonly<HistoryItem>>,
  limit = 10,
): string | undefined {
  const seen = new Map<string, { at: number; consumed: string }>();
  for (const j of jobs) {
    if (j.state !== 'success' || j.request.model !== model || j.consumed === undefined) continue;
    seen.set(j.taskId ?? `job:${j.id}`, { at: j.finishedAt ?? j.updatedAt, consumed: j.consumed });
  }
  for (const i of items) {
    if (i.model !== model || i.consumed === undefined) continue;
    const key = i.taskId ?? `item:${i.id}`;
    if (!seen.has(key)) seen.set(key, { at: i.createdAt, consumed: i.consumed });
  }
  const newest = [...seen.values()].sort((a, b) => b.at - a.at).slice(0, limit);
  return medianCredits(newest.map((e) => e.consumed));
}

function kib(bytes: number): string {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

export interface LmSuccess {
  /** Workspace-relative posix path of the written file, or an absolute path when it is not in a workspace. */
  path: string;
  /** True when the path is relative to the workspace folder. */
  inWorkspace: boolean;
  prompt: string;
  model: string;
  bytes: number;
  width?: number;
  height?: number;
  consumed?: string;
  jobId: string;
  /** Set when the file name differs from the one asked for (the bytes were another type). */
  askedPath?: string;
}

/** The Markdown image link for a written file (relative to the workspace folder). */
export function lmMarkdownLink(s: Pick<LmSuccess, 'path' | 'prompt' | 'inWorkspace'>): string {
  return s.inWorkspace
    ? markdownImageLink(s.path, s.prompt)
    : markdownImageLink(encodeURI(`file://${s.path.startsWith('/') ? '' : '/'}${s.path}`), s.prompt, true);
}

/** The text the model gets after a successful run. */
export function successText(s: LmSuccess): string {
  const size = s.width && s.height ? `${s.width}×${s.height} px, ` : '';
  const credits = s.consumed !== undefined ? `${medianCredits([s.consumed]) ?? s.consumed} credits` : 'credits unknown';
  const lines = [
    `Generated an image with ${s.model} (${size}${kib(s.bytes)}, ${credits}).`,
    s.inWorkspace ? `Saved to ${s.path} (relative to the workspace folder).` : `Saved to ${s.path}.`,
  ];
  if (s.askedPath) lines.push(`The image data is not the type ${s.askedPath} names, so it was saved with the matching extension instead.`);
  lines.push(
    `Markdown link to insert (the path is relative to the workspace folder; adjust it relative to the document it goes into): ${lmMarkdownLink(s)}`,
    `It is also in the Nano Banana gallery (job ${s.jobId}).`,
  );
  return lines.join('\n');
}

export const NO_KEY_TEXT =
  "No API key is set, so no image was made. Ask the user to run 'Nano Banana: Set API Key' (command nanoBanana.setApiKey) from the Command Palette, then try again.";

export function targetExistsText(rel: string): string {
  return `${rel} already exists and is never overwritten; no image was made and no credits were spent. Choose another path (or ask the user whether to remove the file), then try again.`;
}

export const NO_WORKSPACE_FOR_PATH_TEXT =
  'No workspace folder is open, so "path" cannot be used; no image was made. Call the tool without "path" (the image then stays in the Nano Banana gallery) or ask the user to open a folder.';

/** The text for a job that ended without an image. */
export function jobEndText(job: Pick<JobRecord, 'id' | 'state' | 'resumable' | 'error' | 'note'>): string {
  if (job.state === 'cancelled') {
    return `The image job ${job.id} was cancelled before it finished. ${job.resumable ? "It keeps its task: the user can continue it without paying again with 'Nano Banana: Resume Job'." : ''}`.trim();
  }
  if (job.state === 'timed-out') {
    return `The image job ${job.id} took too long and was stopped waiting. It keeps its task: the user can continue it without paying again with 'Nano Banana: Resume Job'.`;
  }
  const why = job.error?.message ?? job.note ?? 'no reason given';
  const hint =
    job.error?.kind === 'auth'
      ? " The API refused the key (wrong, expired, or out of credits): ask the user to run 'Nano Banana: Set API Key' or top up credits."
      : job.error?.kind === 'generation-failed' || job.error?.kind === 'text-only'
        ? ' The model did not make the image: rephrase the prompt and try again.'
        : job.resumable
          ? " It keeps its task: the user can continue it with 'Nano Banana: Resume Job'."
          : job.error?.retryable
            ? ' Trying again later may work.'
            : '';
  return `The image job ${job.id} failed: ${why}${hint}`;
}
