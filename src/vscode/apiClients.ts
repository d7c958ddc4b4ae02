import * as vscode from 'vscode';
import { ApiClient } from '../core/api/client';
import type { GenerateRequest, Task, TaskApi } from '../core/api/types';
import type { LiveSettings } from './liveSettings';
import type { Log } from './log';
import type { ApiKeyStore } from './secrets';
import { currentProxy } from './settings';

/**
 * One API client for the current settings, made on first use. Only a change of address, timeout or
 * proxy replaces it (and its connections): closing a client cuts requests in flight, which for a
 * submit could lose a paid task's id.
 */
export class ApiClientProvider implements vscode.Disposable {
  private client: ApiClient | undefined;
  private readonly sub: vscode.Disposable;
  /** The scheduler talks to whichever client matches the current settings. */
  readonly taskApi: TaskApi = {
    submit: (req: GenerateRequest, signal?: AbortSignal) => this.get().submit(req, signal),
    query: (taskId: string, signal?: AbortSignal): Promise<Task> => this.get().query(taskId, signal),
  };

  constructor(
    private readonly settings: LiveSettings,
    private readonly keys: ApiKeyStore,
    private readonly log: Log,
    private readonly userAgent: string,
  ) {
    this.sub = settings.onDidChange((e) => {
      if (e.affects('nanoBanana.apiBaseUrl') || e.affects('nanoBanana.requestTimeoutSeconds') || e.affects('http.proxy')) {
        const old = this.client;
        this.client = undefined;
        void old?.close();
      }
    });
  }

  get(): ApiClient {
    const config = this.settings.current;
    this.client ??= new ApiClient({
      baseUrl: config.apiBaseUrl,
      apiKey: () => this.keys.get(),
      userAgent: this.userAgent,
      proxy: currentProxy(),
      requestTimeoutMs: config.requestTimeoutSeconds * 1000,
      log: (line) => this.log.debug(line),
    });
    return this.client;
  }

  /** Stops listening; `close` ends the connections (last, after the jobs have stopped). */
  dispose(): void {
    this.sub.dispose();
  }

  async close(): Promise<void> {
    this.dispose();
    await this.client?.close();
  }
}

/** The credit balance, read when someone looks at it (the gallery header), never at activation. */
export class Balance implements vscode.Disposable {
  private value: number | undefined;
  private readonly emitter = new vscode.EventEmitter<number | undefined>();
  readonly onDidChange = this.emitter.event;

  constructor(private readonly clients: ApiClientProvider) {}

  get current(): number | undefined {
    return this.value;
  }

  async refresh(): Promise<number | undefined> {
    this.value = await this.clients
      .get()
      .balance()
      .catch(() => undefined);
    this.emitter.fire(this.value);
    return this.value;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
