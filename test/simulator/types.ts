/** The simulator's public types: options, recorded requests, faults, tasks, the handle. */
import type { SimDirectives } from './directives';

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
  /**
   * Image downloads answer 403 `error code: 1010` unless they look like a browser, for every task
   * (as `[sim:browser-only]` does for one), like the bot filters of the real result hosts.
   */
  browserOnlyImages?: boolean;
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
  /** Answer this status (default body: an envelope {code:1,message}); a submit creates no task. */
  | { kind: 'status'; status: number; body?: string; message?: string; detail?: string; retryAfter?: string; headers?: Record<string, string> }
  /** Destroy the socket as soon as the request headers arrive; nothing is read or done. */
  | { kind: 'drop-before' }
  /** Act normally (a submit DOES create its task), then destroy the socket instead of answering. */
  | { kind: 'drop-after' }
  /** Wait this long, then act and answer normally. */
  | { kind: 'delay'; ms: number }
  /** Act at once (a submit creates — and may charge — its task), then wait this long before answering. */
  | { kind: 'act-then-delay'; ms: number }
  /** Act normally (a submit creates its task), but answer 200 with the JSON body cut short. */
  | { kind: 'broken-json' }
  /** Answer 200 text/html '<html>502 Bad Gateway</html>' without acting. */
  | { kind: 'html' }
  /** Answer 200 with this JSON body without acting. */
  | { kind: 'shape'; body: unknown }
  /** Act normally, send the status line, headers (full Content-Length) and half the body, then reset the connection. */
  | { kind: 'cut-body' }
  /** Act normally, send the headers and half the body, wait this long, then send the rest. */
  | { kind: 'stall-body'; ms: number };

export type TaskStatus = 'pending' | 'submitted' | 'in_progress' | 'success' | 'failed';

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
  /** The words of tasks submitted from now on (a field left out goes back to its default). */
  setWords(words: SimWords): void;
  /** Make a task final immediately (throws for an unknown id). */
  completeNow(taskId: string): void;
  /** Forget requests, tasks and faults (credit and duration are kept). */
  reset(): void;
  /** Close the server and destroy open (keep-alive) sockets. Idempotent; never hangs. */
  close(): Promise<void>;
}

/** Words the simulated API says, chosen by a test (e.g. text that must never become a link). */
export interface SimWords {
  /** The model's text answer of a `[sim:text]` task. */
  textAnswer?: string;
  /** The `status_reason.message` of a `[sim:fail]` task. */
  failReason?: string;
}
