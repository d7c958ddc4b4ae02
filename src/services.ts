/**
 * Everything behind the first command: the engine (undici client, job scheduler, image store) and
 * the VS Code adapters that show it. Bundled separately from `extension.ts` so activation stays cheap.
 *
 * The `Container` builds each service in dependency order and gives it what it needs; each one
 * subscribes to what it reacts to (settings, job changes) and releases that itself.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { ImageStore } from './core/images/imageStore';
import { disposeSharedImageWorkers } from './core/images/imageWorkers';
import type { WindowIdentity } from './core/jobs/leases';
import { inert } from './core/inert';
import { GalleryPanel } from './gallery/panel';
import type { ItemActionId } from './gallery/page/itemButtons';
import { ApiClientProvider, Balance } from './vscode/apiClients';
import { AutomationApi, type NanoBananaApi } from './vscode/automationApi';
import { GalleryActions } from './vscode/commands/galleryActions';
import { GenerateFlow, type GenerateInput } from './vscode/commands/generate';
import { RefineFlow } from './vscode/commands/refine';
import { NextSteps } from './vscode/commands/nextSteps';
import { JobOutcomes } from './vscode/commands/outcomes';
import { COMMANDS, type CommandContext } from './vscode/commands/registry';
import { DisposableStore } from './vscode/disposables';
import { Credits } from './vscode/credits';
import { reachMilestone } from './vscode/walkthrough';
import { GallerySource, onThumbnailsMade } from './vscode/gallerySource';
import { HistoryLimit } from './vscode/historyLimit';
import { ImageTargets } from './vscode/imageTargets';
import type { CommandId } from './vscode/ids';
import { JobEngine } from './vscode/jobEngine';
import { JobEvents } from './vscode/jobEvents';
import { LiveSettings } from './vscode/liveSettings';
import { LmImageTool } from './vscode/lmTool';
import { Log } from './vscode/log';
import { Notifier } from './vscode/notify';
import { ApiKeyStore } from './vscode/secrets';
import { currentProxy } from './vscode/settings';
import { JobStatusBar } from './vscode/statusBar';
import { WorkspaceCopies } from './vscode/workspaceCopies';

export type { NanoBananaApi } from './vscode/automationApi';

export interface Services {
  run(id: CommandId, args: unknown[]): Promise<unknown>;
  /** A job for the answers the first command collected before the engine loaded (src/front.ts); its id. */
  submit(input: GenerateInput): Promise<string | undefined>;
  /** An error of a command, shown as the engine shows its own. */
  showError(e: unknown): void;
  revivePanel(panel: vscode.WebviewPanel, state: unknown): Promise<void>;
  /** A command of the context menu on a gallery card (`arg`: the card's context, as VS Code passes it). */
  runItemCommand(id: ItemActionId, arg: unknown): Promise<void>;
  resumeOnStartup(): Promise<void>;
  api: NanoBananaApi;
  /** The language model tool `nanoBanana_generateImage` (registered, cheaply, by the activation entry). */
  lmTool: LmImageTool;
  dispose(): Promise<void>;
}

export function createServices(context: vscode.ExtensionContext, identity: WindowIdentity): Services {
  return new Container(context, identity);
}

function userAgent(context: vscode.ExtensionContext): string {
  const version = (context.extension.packageJSON as { version?: string }).version ?? '0.0.0';
  return `nano-banana-vscode/${version} (VS Code ${vscode.version}; ${process.platform})`;
}

/** The parts the gallery and the commands share, made before the panel. */
interface Core {
  log: Log;
  keys: ApiKeyStore;
  settings: LiveSettings;
  store: ImageStore;
  storeReady: Promise<unknown>;
  engine: JobEngine;
}

class Container implements Services {
  /** Listeners and views, released after the jobs have stopped (in reverse order of making). */
  private readonly ui = new DisposableStore();
  private readonly clients: ApiClientProvider;
  private readonly core: Core;
  private readonly gallery: GalleryPanel;
  private readonly nextSteps: NextSteps;
  private readonly commands: CommandContext;
  private readonly historyLimit: HistoryLimit;
  private readonly jobEvents: JobEvents;
  readonly api: NanoBananaApi;
  readonly lmTool: LmImageTool;

  constructor(context: vscode.ExtensionContext, identity: WindowIdentity) {
    const log = this.ui.add(new Log());
    const keys = new ApiKeyStore(context.secrets, (k) => log.addSecret(k));
    const settings = this.ui.add(new LiveSettings());
    this.clients = new ApiClientProvider(settings, keys, log, userAgent(context));
    const store = new ImageStore(context.globalStorageUri.fsPath, settings.current.historyLimit, {
      proxy: currentProxy,
      apiBaseUrl: () => settings.current.apiBaseUrl,
      log: (l) => log.warn(l),
      trash: async (file) => {
        await vscode.workspace.fs.delete(vscode.Uri.file(file), { useTrash: true });
      },
    });
    const storeReady = store.load().catch((e) => log.error(`history could not be loaded: ${e}`));
    const engine = new JobEngine(context, identity, this.clients.taskApi, store, storeReady, settings, log);
    this.core = { log, keys, settings, store, storeReady, engine };

    const { scheduler } = engine;
    const balance = this.ui.add(new Balance(this.clients));
    const creditsFile = path.join(context.globalStorageUri.fsPath, 'credits.jsonl');
    const credits = this.ui.add(new Credits(creditsFile, identity.owner, scheduler, () => store.history.list(), log));
    this.ui.add(
      scheduler.onDidChange((e) => {
        if (e.job.state !== 'success' || e.previous === 'success') return;
        void credits.record(e.job);
        void reachMilestone(context, 'firstImage'); // the walkthrough's "first image" step
      }),
    );
    const generate = new GenerateFlow({ globalState: context.globalState, keys, scheduler, log, config: settings.get });
    const copies = new WorkspaceCopies(store, log, settings.get);
    const historyChanged = this.ui.add(new vscode.EventEmitter<void>());
    const refine = new RefineFlow({ store, storeReady, generate, log });
    const actions = new GalleryActions({ store, scheduler, copies, generate, refine, historyChanged: () => historyChanged.fire() });
    this.gallery = this.galleryPanel(context, balance, credits, actions, historyChanged.event);

    this.nextSteps = new NextSteps({ log, keys, scheduler, generate, gallery: this.gallery });
    const notifier = new Notifier(this.gallery, settings.get);
    const targets = new ImageTargets(store, log);
    const outcomes = new JobOutcomes({
      log,
      store,
      copies,
      config: settings.get,
      balance,
      notifier,
      gallery: this.gallery,
      nextSteps: this.nextSteps,
      targets,
      jobs: scheduler,
    });
    this.jobEvents = new JobEvents(scheduler, this.gallery, outcomes);
    this.historyLimit = new HistoryLimit(settings, store, storeReady, log, () => historyChanged.fire());
    this.ui.add(settings.onDidChange(() => log.info('settings changed')));
    this.ui.add(vscode.window.onDidChangeActiveTextEditor((e) => copies.rememberEditor(e)));
    copies.rememberEditor(vscode.window.activeTextEditor);

    this.commands = { log, keys, scheduler, balance, credits, config: settings.get, gallery: this.gallery, generate, refine };
    this.api = new AutomationApi(scheduler, engine.ready, store, storeReady, actions, credits);
    this.lmTool = new LmImageTool({ keys, scheduler, store, ready: () => Promise.all([storeReady, engine.ready]), copies, config: settings.get, log, credits });
  }

  /** The gallery panel, its status bar companion, and what keeps the page up to date. */
  private galleryPanel(
    context: vscode.ExtensionContext,
    balance: Balance,
    credits: Credits,
    actions: GalleryActions,
    historyChanged: vscode.Event<void>,
  ): GalleryPanel {
    const { store, storeReady, engine, settings } = this.core;
    const source = this.ui.add(
      new GallerySource(
        store,
        engine.scheduler,
        settings.get,
        () => balance.current,
        actions,
        () => credits.current,
      ),
    );
    const gallery = this.ui.add(new GalleryPanel(context.extensionUri, source));
    this.ui.add(new JobStatusBar(engine.scheduler));
    this.ui.add(historyChanged(() => gallery.pushHistory()));
    this.ui.add(onThumbnailsMade(store.thumbs, () => gallery.pushHistory()));
    this.ui.add({ dispose: () => store.thumbs.dispose() });
    this.ui.add({ dispose: disposeSharedImageWorkers });
    this.ui.add(balance.onDidChange(() => gallery.pushBalance()));
    this.ui.add(credits.onDidChange(() => gallery.pushBalance()));
    // The balance is read when someone looks at it (the gallery header), never at activation.
    this.ui.add(
      source.onDidOpen(() => {
        if (balance.current === undefined) void balance.refresh();
        void engine.ready.then(() => credits.refresh()); // today may have become yesterday; other windows spend too
        // Another window may have added images to the shared store since this one read it.
        void storeReady.then(() => store.history.load()).then(() => gallery.pushHistory());
      }),
    );
    return gallery;
  }

  async run(id: CommandId, args: unknown[]): Promise<unknown> {
    try {
      await Promise.all([this.core.storeReady, this.core.engine.ready]);
      return await COMMANDS[id](this.commands, args);
    } catch (e) {
      this.nextSteps.showError(e);
      return undefined;
    }
  }

  async runItemCommand(id: ItemActionId, arg: unknown): Promise<void> {
    try {
      await Promise.all([this.core.storeReady, this.core.engine.ready]);
      await this.gallery.runItemCommand(id, arg);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.core.log.warn(`gallery context menu (${id}): ${message}`);
      void vscode.window.showWarningMessage(inert(message));
    }
  }

  async submit(input: GenerateInput): Promise<string | undefined> {
    try {
      await Promise.all([this.core.storeReady, this.core.engine.ready]);
      return await this.commands.generate.start(input);
    } catch (e) {
      this.nextSteps.showError(e);
      return undefined;
    }
  }

  showError(e: unknown): void {
    this.nextSteps.showError(e);
  }

  async revivePanel(panel: vscode.WebviewPanel): Promise<void> {
    await this.core.storeReady;
    this.gallery.revive(panel);
  }

  async resumeOnStartup(): Promise<void> {
    await this.core.engine.ready;
    const n = this.core.engine.scheduler.active().length;
    if (n) this.core.log.info(`resumed ${n} job(s) from the last session`);
  }

  /** Stop reacting, let the jobs settle and persist, then close the views and the connections. */
  async dispose(): Promise<void> {
    this.historyLimit.dispose();
    this.jobEvents.dispose();
    await this.core.engine.dispose();
    this.ui.dispose();
    await this.clients.close();
  }
}
