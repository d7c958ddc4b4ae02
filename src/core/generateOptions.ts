import { modelSupportsImageSize, type GenerateRequest } from './api/types';
import type { NanoConfig } from './config';

/** The argument object of `nanoBanana.generate` (keybindings, tasks, tests): no UI when `prompt` is given. */
export interface GenerateArgs {
  prompt?: string;
  model?: string;
  aspectRatio?: string;
  imageSize?: string;
  /** https URLs, data URIs, file paths or file URIs of reference images. */
  references?: string[];
  /** How many jobs of the same request to run (1–4), shown side by side. */
  variations?: number;
  /** The same prompt on each of these models (2–4), shown side by side. */
  models?: string[];
}

function optString(x: unknown): x is string | undefined {
  return x === undefined || typeof x === 'string';
}

/** Guards a command argument; anything else (e.g. a Uri from a menu) is not an argument object. */
export function isGenerateArgs(x: unknown): x is GenerateArgs {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const o = x as Record<string, unknown>;
  if (!('prompt' in o) && !('references' in o)) return false;
  return (
    optString(o.prompt) &&
    optString(o.model) &&
    optString(o.aspectRatio) &&
    optString(o.imageSize) &&
    (o.references === undefined || (Array.isArray(o.references) && o.references.every((r) => typeof r === 'string'))) &&
    (o.variations === undefined || typeof o.variations === 'number') &&
    (o.models === undefined || (Array.isArray(o.models) && o.models.every((m) => typeof m === 'string')))
  );
}

/** The argument object of `nanoBanana.refineImage`: which history image; no UI when `prompt` is given. */
export interface RefineArgs {
  itemId: string;
  prompt?: string;
  model?: string;
  aspectRatio?: string;
  imageSize?: string;
}

export function isRefineArgs(x: unknown): x is RefineArgs {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const o = x as Record<string, unknown>;
  return typeof o.itemId === 'string' && o.itemId.length > 0 && optString(o.prompt) && optString(o.model) && optString(o.aspectRatio) && optString(o.imageSize);
}

export type PromptSource = { kind: 'given'; prompt: string } | { kind: 'ask'; initial: string };

/**
 * Where the prompt comes from: an argument object's prompt wins; then the editor's selection
 * (non-blank); otherwise ask, prefilled with the last prompt.
 */
export function resolvePromptSource(args: GenerateArgs | undefined, selection: string | undefined, lastPrompt: string | undefined): PromptSource {
  if (args?.prompt !== undefined) return { kind: 'given', prompt: args.prompt };
  const sel = selection?.trim();
  if (sel) return { kind: 'given', prompt: sel };
  return { kind: 'ask', initial: lastPrompt ?? '' };
}

export interface ChosenOptions {
  model: string;
  aspectRatio: string;
  imageSize: string;
}

/** Argument values win over settings; 'auto' stays 'auto' (the API's default). */
export function defaultOptions(args: GenerateArgs | undefined, config: NanoConfig): ChosenOptions {
  return {
    model: args?.model?.trim() || config.model,
    aspectRatio: args?.aspectRatio?.trim() || config.aspectRatio,
    imageSize: args?.imageSize?.trim() || config.imageSize,
  };
}

/** The request to send: 'auto' values are left out; image size only for models that take it. */
export function buildRequest(prompt: string, opts: ChosenOptions, images: string[], callbackUrl: string): GenerateRequest {
  const req: GenerateRequest = { model: opts.model, prompt };
  if (images.length) req.images = images;
  if (opts.aspectRatio && opts.aspectRatio !== 'auto') req.aspectRatio = opts.aspectRatio;
  if (opts.imageSize && opts.imageSize !== 'auto' && modelSupportsImageSize(opts.model)) req.imageSize = opts.imageSize;
  if (callbackUrl) req.callbackUrl = callbackUrl;
  return req;
}
