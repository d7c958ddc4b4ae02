/** The shapes the engine exchanges with the Nano Banana 2 API (see shared/API.md). */

export const DEFAULT_BASE_URL = 'https://api.defapi.org';
export const MAX_REFERENCES = 4;
export const MAX_PROMPT_LENGTH = 8000;
/** The most JSON read from one API answer: anything longer is refused, not buffered. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
/**
 * A task answer may carry its images inline as `data:` URIs (the API's own document allows it), and
 * one real result is several MB of base64: refusing it would lose a paid image. Such an answer may
 * be this long; any other answer stays within MAX_RESPONSE_BYTES.
 */
export const MAX_INLINE_IMAGES_RESPONSE_BYTES = 64 * 1024 * 1024;
/** The most result images accepted for one task. */
export const MAX_RESULT_IMAGES = 8;

export const KNOWN_MODELS = [
  'google/gempix2',
  'google/gemini-2.5-flash-image',
  'google/nano-banana',
  'google/nano-banana-2',
  'google/nano-banana-pro',
  'google/gemini-3.1-flash-image-preview',
] as const;

export const ASPECT_RATIOS = ['auto', '1:1', '16:9', '21:9', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16'] as const;
export type AspectRatio = (typeof ASPECT_RATIOS)[number];

export const IMAGE_SIZES = ['1k', '2k', '4k'] as const;
export type ImageSize = (typeof IMAGE_SIZES)[number];

/** Models that accept `image_size` (public clients send it only to these). */
export function modelSupportsImageSize(model: string): boolean {
  return /nano-banana-(2|pro)\b/.test(model);
}

export interface GenerateRequest {
  model: string;
  prompt: string;
  /** https URLs or `data:image/...;base64,` URIs, at most 4. */
  images?: string[];
  /** Omitted or 'auto' means the API's default. */
  aspectRatio?: string;
  imageSize?: string;
  callbackUrl?: string;
}

export type TaskStatus = 'pending' | 'submitted' | 'in_progress' | 'success' | 'failed';
export const FINAL_STATUSES: ReadonlySet<TaskStatus> = new Set(['success', 'failed']);

/** A task as read from `GET /api/task/query`. */
export interface Task {
  taskId: string;
  status: TaskStatus;
  /** Image URLs or data URIs, in the order the API gave them. */
  images: string[];
  /** Text items the model returned instead of (or besides) images. */
  texts: string[];
  /** Credits consumed, as the API's decimal string (e.g. "0.500000"). */
  consumed?: string;
  /** `status_reason.message`, when the API gave one. */
  reason?: string;
  /** `created_at` as the API gave it. */
  createdAt?: string;
}

/** What the job scheduler needs from the API; `ApiClient` implements it. */
export interface TaskApi {
  submit(req: GenerateRequest, signal?: AbortSignal): Promise<string>;
  query(taskId: string, signal?: AbortSignal): Promise<Task>;
}
