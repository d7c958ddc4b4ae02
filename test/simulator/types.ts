/**
 * The simulator's public types and constants (re-exported by `server.ts`, where tests import them).
 */
// ---------------------------------------------------------------------------------------------
// Public types

export interface SimulatorOptions {
  /** Port to listen on; default 0 (a random free port). */
  port?: number;
  /** Interface to bind; default '127.0.0.1'. */
  host?: string;
  /** The one accepted API key; default 'dk-simulator'. */
  apiKey?: string;
  /** Demo mode: any non-empty Bearer token is accepted. */
  anyKey?: boolean;
  /** Time from submit to the final state, for tasks submitted from now on; default 3000. */
  durationMs?: number;
  /** Starting balance; default 100. Each successful task consumes 0.5 ("0.500000"). */
  credit?: number;
  /** Optional request log, one line per request (the key is always masked). */
  log?: (line: string) => void;
  /** Clock in ms (default Date.now); lets tests step task lifecycles deterministically. */
  now?: () => number;
  /** How long a `[sim:slow-image]` download takes; default 3000. */
  slowImageMs?: number;
}

export interface RecordedRequest {
  method: string;
  /** pathname + search, as the client sent it. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The raw request body ('' when none, or when a `drop-before` fault dropped it unread). */
  body: string;
  /** Arrival time (the simulator clock). */
  at: number;
}

export type Route = 'submit' | 'query' | 'user' | 'file' | 'any';

export type Fault =
  /**
   * Answer this status; a submit creates no task. The body is `body` as given, else an envelope
   * {code:1,message} whose `message` (default: the status text) and `detail` (default: none) can
   * be chosen, e.g. to see how the extension shows words it does not control.
   */
  | { kind: 'status'; status: number; body?: string; message?: string; detail?: string; retryAfter?: string; headers?: Record<string, string> }
  /** Destroy the socket as soon as the request headers arrive; nothing is read or done. */
  | { kind: 'drop-before' }
  /** Act normally (a submit DOES create its task), then destroy the socket instead of answering. */
  | { kind: 'drop-after' }
  /** Wait this long, then act and answer normally. */
  | { kind: 'delay'; ms: number }
  /** Act normally (a submit creates its task), but answer 200 with the JSON body cut short. */
  | { kind: 'broken-json' }
  /** Answer 200 text/html '<html>502 Bad Gateway</html>' without acting. */
  | { kind: 'html' }
  /** Answer 200 with this JSON body without acting. */
  | { kind: 'shape'; body: unknown };

export type TaskStatus = 'pending' | 'submitted' | 'in_progress' | 'success' | 'failed';

/**
 * What the API says in words, for tests of how the extension shows text it does not control.
 * A task takes the words in force when it is submitted.
 */
export interface SimWords {
  /** The model's text answer of a `[sim:text]` task; default TEXT_ANSWER. */
  textAnswer?: string;
  /** The `status_reason.message` of a `[sim:fail]` task; default FAIL_REASON. */
  failReason?: string;
}

/** What `[sim:...]` directives a task's prompt carried. */
export interface SimDirectives {
  /** `[sim:fail]`: ends `failed` with FAIL_REASON (or the words of `setWords`). */
  fail: boolean;
  /** `[sim:text]`: ends `success` with a text item (TEXT_ANSWER, or the words of `setWords`) instead of an image. */
  text: boolean;
  /** `[sim:single]`: `result` is one object instead of an array. */
  single: boolean;
  /** `[sim:two]`: two images. */
  two: boolean;
  /** `[sim:data]`: images as `data:image/png;base64,` URIs. */
  data: boolean;
  /** `[sim:bad-url]`: the image URL is `/files/<id>/missing.png` (404). */
  badUrl: boolean;
  /** `[sim:not-image]`: the image URL serves text/html with status 200. */
  notImage: boolean;
  /** `[sim:huge]`: the image URL serves a valid ~8 MiB PNG. */
  huge: boolean;
  /** `[sim:slow-image]`: the image URL trickles the PNG over `slowImageMs`. */
  slowImage: boolean;
  /** `[sim:notfound=N]`: the first N queries answer 404 task not found. */
  notFound: number;
  /** `[sim:status500=N]`: the N queries after the notfound ones answer 500. */
  status500: number;
  /** `[sim:duration=MS]`: this task's duration. */
  durationMs?: number;
  /** Directives not understood (ignored), e.g. `[sim:nope]` → 'nope'. */
  unknown: string[];
}

export interface SimTask {
  readonly taskId: string;
  /** The parsed submit body. */
  readonly request: Record<string, unknown>;
  /** Submit time (the simulator clock). */
  readonly createdAt: number;
  readonly durationMs: number;
  /** How many `GET /api/task/query` reached this task (including simulated 404/500 answers). */
  readonly queries: number;
  readonly directives: SimDirectives;
  /** The status a query would report now. */
  readonly status: TaskStatus;
  /** Whether its 0.5 credit has been taken (on success). */
  readonly charged: boolean;
}

export interface Simulator {
  /** e.g. 'http://127.0.0.1:PORT' (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly apiKey: string;
  /** Every request, in arrival order (including file downloads). */
  readonly requests: RecordedRequest[];
  /** Every task created by a submit. */
  readonly tasks: ReadonlyMap<string, SimTask>;
  /** Queue a fault `times` times (default 1), FIFO per route; 'any' matches every request. */
  inject(route: Route, fault: Fault, times?: number): void;
  clearFaults(): void;
  /** Duration of tasks submitted from now on. */
  setDuration(ms: number): void;
  setCredit(n: number): void;
  /** The words of tasks submitted from now on; a field left out goes back to its default. */
  setWords(words: SimWords): void;
  /** Make a task final immediately (throws for an unknown id). */
  completeNow(taskId: string): void;
  /** Forget requests, tasks and faults (credit, duration and words are kept). */
  reset(): void;
  /** Close the server and destroy open (keep-alive) sockets. Idempotent; never hangs. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Constants

export const DEFAULT_API_KEY = 'dk-simulator';
export const DEFAULT_DURATION_MS = 3000;
export const DEFAULT_CREDIT = 100;
export const DEFAULT_SLOW_IMAGE_MS = 3000;
export const COST_PER_TASK = 0.5;
export const SIM_EMAIL = 'sim@example.test';
export const MAX_IMAGES = 4;
export const FAIL_REASON = 'Image generation failed: content policy violation (simulated)';
export const TEXT_ANSWER = "I can't draw that, but here is a poem about bananas.";
export const NOT_IMAGE_BODY = '<html>not an image</html>';
export const HTML_FAULT_BODY = '<html>502 Bad Gateway</html>';
export const BROKEN_JSON_BODY = '{"code":0,"message":"ok","data":{"task';
/** Size of the padding chunk inside the `[sim:huge]` PNG (the file is a little larger). */
export const HUGE_PADDING_BYTES = 8 * 1024 * 1024;
export const ASPECT_RATIOS: readonly string[] = ['auto', '1:1', '16:9', '21:9', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16'];
export const IMAGE_SIZES: readonly string[] = ['1k', '2k', '4k'];
