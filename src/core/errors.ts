/**
 * Errors as values with a kind. Every failure the engine can report is a `NanoError`; the VS Code
 * layer turns `kind` (plus the fields below) into one localized sentence and a next-step button.
 * `message` is a plain English sentence meant for a person and for the log; it never holds the key.
 */
export type ErrorKind =
  | 'invalid-input' // caught before sending: empty prompt, too many references, bad reference, ...
  | 'config' // unusable settings: insecure base URL, malformed URL
  | 'auth' // 401: missing, wrong, expired or suspended key, or no credits
  | 'bad-request' // 400, with the server's `detail`
  | 'not-found' // 404: unknown task
  | 'rate-limited' // 429, honours Retry-After
  | 'server' // 5xx
  | 'network' // reset, DNS, refused, timeout
  | 'protocol' // non-JSON body or unexpected shape
  | 'invalid-response' // an answer beyond the limits: over 1 MiB of JSON, more than 8 result images
  | 'generation-failed' // the task ended `failed`, reason in status_reason.message
  | 'text-only' // the model answered in words instead of an image
  | 'image' // a result image could not be fetched / is not an image / too large / bad scheme
  | 'io' // a file could not be written
  | 'cancelled'; // the caller aborted

export interface NanoErrorInit {
  kind: ErrorKind;
  message: string;
  /** Whether trying the same thing again later can help. */
  retryable: boolean;
  /** HTTP status when the error came from a response. */
  status?: number;
  /** The server's own explanation (`detail`, `message`, `status_reason.message`, model text). */
  detail?: string;
  /** For `rate-limited`: how long the server asked us to wait. */
  retryAfterMs?: number;
  /**
   * For `network` errors on a submit: true when the request may have reached the server (so a
   * blind retry could create a second paid task).
   */
  maybeDelivered?: boolean;
  cause?: unknown;
}

export class NanoError extends Error {
  readonly kind: ErrorKind;
  readonly retryable: boolean;
  readonly status?: number;
  readonly detail?: string;
  readonly retryAfterMs?: number;
  readonly maybeDelivered?: boolean;

  constructor(init: NanoErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'NanoError';
    this.kind = init.kind;
    this.retryable = init.retryable;
    this.status = init.status;
    this.detail = init.detail;
    this.retryAfterMs = init.retryAfterMs;
    this.maybeDelivered = init.maybeDelivered;
  }

  /** A JSON-safe copy for storage and for the webview (no cause, no stack). */
  toJSON(): SerializedError {
    return {
      kind: this.kind,
      message: this.message,
      retryable: this.retryable,
      ...(this.status !== undefined ? { status: this.status } : {}),
      ...(this.detail !== undefined ? { detail: this.detail } : {}),
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
      ...(this.maybeDelivered !== undefined ? { maybeDelivered: this.maybeDelivered } : {}),
    };
  }
}

export interface SerializedError {
  kind: ErrorKind;
  message: string;
  retryable: boolean;
  status?: number;
  detail?: string;
  retryAfterMs?: number;
  maybeDelivered?: boolean;
}

export function isNanoError(e: unknown): e is NanoError {
  return e instanceof NanoError;
}

/** Wraps anything thrown into a NanoError, keeping NanoErrors as they are. */
export function toNanoError(e: unknown, fallbackKind: ErrorKind = 'protocol'): NanoError {
  if (e instanceof NanoError) return e;
  if (e instanceof Error && e.name === 'AbortError') {
    return new NanoError({ kind: 'cancelled', message: 'The operation was cancelled.', retryable: false, cause: e });
  }
  const text = e instanceof Error ? e.message : String(e);
  return new NanoError({ kind: fallbackKind, message: text || 'Unexpected error.', retryable: false, cause: e });
}
