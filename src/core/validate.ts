import { NanoError } from './errors';
import { MAX_PROMPT_LENGTH, MAX_REFERENCES, type GenerateRequest } from './api/types';

function invalid(message: string, detail?: string): NanoError {
  return new NanoError({ kind: 'invalid-input', message, retryable: false, detail });
}

/** Hosts to which a key may travel over plain http (the local simulator, a local proxy). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Checks the API base URL; a key is only ever sent over https, or over http to loopback. */
export function validateBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new NanoError({ kind: 'config', message: `The API base URL "${raw}" is not a valid URL.`, retryable: false });
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  throw new NanoError({
    kind: 'config',
    message: `Refusing to send the API key to ${url.origin}: use an https:// URL (plain http is allowed only for localhost).`,
    retryable: false,
  });
}

export function validatePrompt(prompt: unknown): string {
  if (typeof prompt !== 'string' || prompt.trim() === '') {
    throw invalid('The prompt is empty: describe the image you want.');
  }
  const p = prompt.trim();
  if (p.length > MAX_PROMPT_LENGTH) {
    throw invalid(`The prompt is ${p.length} characters long; the limit is ${MAX_PROMPT_LENGTH}. Shorten it and try again.`);
  }
  return p;
}

const DATA_IMAGE = /^data:image\/[a-z0-9.+-]+(;[a-z0-9=.+-]+)*;base64,[a-z0-9+/=\s]+$/i;

/** A reference must be an https URL or a base64 `data:image/...` URI. */
export function validateReference(ref: unknown, index: number): string {
  if (typeof ref !== 'string' || ref.trim() === '') {
    throw invalid(`Reference image ${index + 1} is empty.`);
  }
  const r = ref.trim();
  if (r.startsWith('data:')) {
    if (!DATA_IMAGE.test(r)) {
      throw invalid(`Reference image ${index + 1} is a data URI but not a base64 image (data:image/...;base64,...).`);
    }
    return r;
  }
  let url: URL;
  try {
    url = new URL(r);
  } catch {
    throw invalid(`Reference image ${index + 1} is neither an https URL nor a data:image URI.`, r.slice(0, 80));
  }
  if (url.protocol !== 'https:') {
    throw invalid(`Reference image ${index + 1} must be an https URL (got ${url.protocol}).`, r.slice(0, 80));
  }
  return r;
}

export function validateReferences(refs: unknown): string[] {
  if (refs === undefined || refs === null) return [];
  if (!Array.isArray(refs)) throw invalid('References must be a list of images.');
  if (refs.length > MAX_REFERENCES) {
    throw invalid(`${refs.length} reference images were given; the API accepts at most ${MAX_REFERENCES}. Remove ${refs.length - MAX_REFERENCES}.`);
  }
  return refs.map((r, i) => validateReference(r, i));
}

export function validateModel(model: unknown): string {
  if (typeof model !== 'string' || model.trim() === '') throw invalid('No model is set: choose one in the nanoBanana.model setting.');
  if (!/^[\w.-]+(\/[\w.-]+)*$/.test(model.trim())) throw invalid(`"${model}" is not a valid model name (e.g. google/gempix2).`);
  return model.trim();
}

/** Validates and normalises a request before anything is sent; throws `invalid-input`. */
export function validateRequest(req: GenerateRequest): GenerateRequest {
  const out: GenerateRequest = { model: validateModel(req.model), prompt: validatePrompt(req.prompt) };
  const images = validateReferences(req.images);
  if (images.length) out.images = images;
  if (req.aspectRatio && req.aspectRatio !== 'auto') {
    if (!/^\d{1,2}:\d{1,2}$/.test(req.aspectRatio)) throw invalid(`"${req.aspectRatio}" is not an aspect ratio like 16:9.`);
    out.aspectRatio = req.aspectRatio;
  }
  if (req.imageSize && req.imageSize !== 'auto') {
    if (!/^[124]k$/i.test(req.imageSize)) throw invalid(`"${req.imageSize}" is not an image size (1k, 2k or 4k).`);
    out.imageSize = req.imageSize.toLowerCase();
  }
  if (req.callbackUrl && req.callbackUrl.trim()) {
    let u: URL;
    try {
      u = new URL(req.callbackUrl.trim());
    } catch {
      throw invalid(`The callback URL "${req.callbackUrl}" is not a valid URL.`);
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw invalid('The callback URL must be http(s).');
    out.callbackUrl = u.toString();
  }
  return out;
}
