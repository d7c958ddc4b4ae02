import * as vscode from 'vscode';
import { isNanoError, toNanoError } from '../core/errors';
import type { NanoConfig } from '../core/config';
import { inert } from '../core/inert';
import type { HistoryItem } from '../core/history';
import type { JobScheduler } from '../core/jobs/scheduler';
import type { JobRecord } from '../core/jobs/types';
import { ACTIVE_STATES } from '../core/jobs/types';
import { buildRequest, defaultOptions, isGenerateArgs, resolvePromptSource, type GenerateArgs } from '../core/generateOptions';
import { validatePrompt, validateRequest } from '../core/validate';
import type { GalleryPanel } from '../gallery/panel';
import type { GalleryAction } from '../gallery/protocol';
import { describeError, stepLabel, type NextStep } from './errorMessages';
import { LAST_PROMPT_KEY, type CommandId } from './ids';
import type { ImageStore } from '../core/images/imageStore';
import type { Log } from './log';
import type { Notifier } from './notify';
import { pickOptions } from './optionsStep';
import { resolveReferences, type ResolvedReference } from './references';
import type { ApiKeyStore } from './secrets';
import { stateWord } from './statusBar';
import { WorkspaceCopies } from './workspaceCopies';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  log: Log;
  keys: ApiKeyStore;
  scheduler: JobScheduler;
  store: ImageStore;
  gallery: GalleryPanel;
  notifier: Notifier;
  config: () => NanoConfig;
  refreshBalance: () => Promise<number | undefined>;
  ready: () => Promise<void>;
}

interface StartInput {
  prompt: string;
  args?: GenerateArgs;
  references: ResolvedReference[];
  referenceUris: vscode.Uri[];
  interactive: boolean;
}

/** The command handlers and the gallery's actions. */
export class Commands {
  private readonly copies: WorkspaceCopies;

  constructor(private readonly d: CommandDeps) {
    this.copies = new WorkspaceCopies(d.store, d.log, d.config);
  }

  rememberEditor(e: vscode.TextEditor | undefined): void {
    this.copies.rememberEditor(e);
  }

  async run(id: CommandId, args: unknown[]): Promise<unknown> {
    await this.d.ready();
    switch (id) {
      case 'nanoBanana.generate':
        return this.generate(args[0]);
      case 'nanoBanana.generateWithReferences':
        return this.generateWithReferences(args[0], args[1]);
      case 'nanoBanana.setApiKey':
        return this.setApiKey(args[0]);
      case 'nanoBanana.clearApiKey':
        await this.d.keys.clear();
        void vscode.window.showInformationMessage(vscode.l10n.t('The Nano Banana API key was removed from secret storage.'));
        return true;
      case 'nanoBanana.showGallery':
        this.d.gallery.show();
        return true;
      case 'nanoBanana.cancelJob':
        return this.cancelJob(args[0]);
      case 'nanoBanana.resumeJob':
        return this.resumeJob(args[0]);
      case 'nanoBanana.showLog':
        this.d.log.show();
        return true;
    }
  }

  // ---- generation

  /** `nanoBanana.generate`: returns the new job's id, or undefined when nothing was started. */
  async generate(arg: unknown, preset?: { prompt?: string; references?: vscode.Uri[] }): Promise<string | undefined> {
    const args = isGenerateArgs(arg) ? arg : undefined;
    const editor = vscode.window.activeTextEditor;
    const selection = preset?.prompt === undefined && editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : undefined;
    const source =
      preset?.prompt !== undefined
        ? { kind: 'ask' as const, initial: preset.prompt }
        : resolvePromptSource(args, selection, this.d.context.globalState.get<string>(LAST_PROMPT_KEY));

    if (!(await this.d.keys.ensure())) return undefined;

    let prompt: string;
    if (source.kind === 'given') {
      prompt = source.prompt;
    } else {
      const typed = await vscode.window.showInputBox({
        title: vscode.l10n.t('Nano Banana: Generate Image'),
        prompt: vscode.l10n.t('Describe the image you want'),
        value: source.initial,
        valueSelection: [0, source.initial.length],
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('The prompt is empty: describe the image you want.')),
      });
      if (typed === undefined) return undefined;
      prompt = typed;
    }
    try {
      prompt = validatePrompt(prompt);
    } catch {
      void vscode.window.showErrorMessage(vscode.l10n.t('The prompt is empty: describe the image you want.'));
      return undefined;
    }

    const referenceUris = preset?.references ?? [];
    let refs: ResolvedReference[] = [];
    if (args?.references) refs = await resolveReferences(args.references);
    return this.start({ prompt, args, references: refs, referenceUris, interactive: !args });
  }

  private async start(input: StartInput): Promise<string | undefined> {
    const config = this.d.config();
    let options = defaultOptions(input.args, config);
    let refs = input.references;
    if (input.interactive) {
      const picked = await pickOptions(options, input.referenceUris, input.prompt);
      if (!picked) return undefined;
      options = picked.options;
      refs = [...refs, ...(await resolveReferences(picked.references))];
    } else if (input.referenceUris.length) {
      refs = [...refs, ...(await resolveReferences(input.referenceUris))];
    }
    const request = validateRequest(
      buildRequest(
        input.prompt,
        options,
        refs.map((r) => r.value),
        config.callbackUrl,
      ),
    );
    await this.d.context.globalState.update(LAST_PROMPT_KEY, input.prompt);
    const job = this.d.scheduler.start(request, { referenceNames: refs.map((r) => r.name) });
    this.d.log.info(`job ${job.id} started: model ${request.model}, ${refs.length} reference(s)`);
    return job.id;
  }

  /** Explorer menu (multi-select): the images become references, then the prompt is asked. */
  async generateWithReferences(clicked: unknown, selected: unknown): Promise<string | undefined> {
    let uris: vscode.Uri[] = Array.isArray(selected) ? selected.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : [];
    if (!uris.length && clicked instanceof vscode.Uri) uris = [clicked];
    if (isGenerateArgs(clicked)) return this.generate(clicked);
    if (!uris.length) {
      const chosen = await vscode.window.showOpenDialog({
        canSelectMany: true,
        title: vscode.l10n.t('Choose up to {0} reference images', 4),
        filters: { [vscode.l10n.t('Images')]: ['png', 'jpg', 'jpeg', 'webp', 'gif'] },
      });
      if (!chosen?.length) return undefined;
      uris = chosen;
    }
    if (uris.length > 4) {
      void vscode.window.showErrorMessage(vscode.l10n.t('{0} reference images were chosen; at most {1} can be used. Pick fewer.', uris.length, 4));
      return undefined;
    }
    return this.generate(undefined, { prompt: this.d.context.globalState.get<string>(LAST_PROMPT_KEY) ?? '', references: uris });
  }

  // ---- key

  private async setApiKey(arg: unknown): Promise<boolean> {
    if (typeof arg === 'string') {
      if (!arg.trim() || /\s/.test(arg.trim())) {
        void vscode.window.showErrorMessage(vscode.l10n.t('That API key is empty or has spaces; it was not saved.'));
        return false;
      }
      await this.d.keys.set(arg);
    } else if (!(await this.d.keys.prompt())) {
      return false;
    }
    void vscode.window.showInformationMessage(vscode.l10n.t("API key saved in VS Code's secret storage."));
    void this.d.refreshBalance();
    return true;
  }

  // ---- jobs

  private async cancelJob(arg: unknown): Promise<boolean> {
    const id =
      typeof arg === 'string' ? arg : await this.pickJob(this.d.scheduler.active(), vscode.l10n.t('No job is running.'), vscode.l10n.t('Cancel which job?'));
    return id ? this.d.scheduler.cancel(id) : false;
  }

  private async resumeJob(arg: unknown): Promise<boolean> {
    const resumable = this.d.scheduler.list().filter((j) => j.resumable && !ACTIVE_STATES.has(j.state));
    const id =
      typeof arg === 'string'
        ? arg
        : await this.pickJob(resumable, vscode.l10n.t('No cancelled or timed-out job to resume.'), vscode.l10n.t('Resume which job?'));
    return id ? this.d.scheduler.resume(id) : false;
  }

  private async pickJob(jobs: ReadonlyArray<Readonly<JobRecord>>, none: string, title: string): Promise<string | undefined> {
    if (!jobs.length) {
      void vscode.window.showInformationMessage(none);
      return undefined;
    }
    // Prompts and model ids are outside text; a quick pick renders `$(icon)` in them.
    const picked = await vscode.window.showQuickPick(
      jobs.map((j) => ({ label: inert(j.request.prompt), description: `${stateWord(j.state)} · ${inert(j.request.model)}`, id: j.id })),
      { title },
    );
    return picked?.id;
  }

  // ---- job outcomes

  async onJobSucceeded(job: Readonly<JobRecord>): Promise<void> {
    const items = (job.deliveredIds ?? []).map((id) => this.d.store.history.get(id)).filter((i): i is HistoryItem => !!i);
    const config = this.d.config();
    // Auto-save needs a folder to save into: in an empty window it would open a dialog per image.
    if (config.autoSave && vscode.workspace.workspaceFolders?.length) {
      for (const item of items) await this.copies.save(item).catch((e) => this.showError(e));
    }
    const balance = await this.d.refreshBalance();
    const choice = await this.d.notifier.success(job, balance);
    const first = items[0];
    if (!first) return;
    if (choice === 'openGallery') this.d.gallery.show(first.id);
    else if (choice === 'save')
      await this.copies.save(first).then(
        (u) => u && this.copies.announceSaved(u),
        (e) => this.showError(e),
      );
    else if (choice === 'insertLink') await this.copies.insertLink(first).catch((e) => this.showError(e));
  }

  onJobFailed(job: Readonly<JobRecord>): void {
    this.d.log.warn(`job ${job.id} ${job.state}: ${job.error?.message ?? ''}`);
    void this.d.notifier
      .failure(job)
      .then((step) => step && this.nextStep(step, job))
      .catch((e: unknown) => this.showError(e));
  }

  private async nextStep(step: NextStep, job?: Readonly<JobRecord>): Promise<void> {
    switch (step) {
      case 'updateKey':
        if (await this.d.keys.prompt()) {
          if (job?.resumable) this.d.scheduler.resume(job.id);
        }
        return;
      case 'retry':
        if (job) {
          if (job.resumable && job.taskId) this.d.scheduler.resume(job.id);
          else await this.generate(undefined, { prompt: job.request.prompt });
        }
        return;
      case 'resume':
        if (job) this.d.scheduler.resume(job.id);
        return;
      case 'openLog':
        this.d.log.show();
        return;
      case 'openSettings':
        await vscode.commands.executeCommand('workbench.action.openSettings', 'nanoBanana');
        return;
      case 'openGallery':
        this.d.gallery.show();
        return;
    }
  }

  /** One clear sentence, with the next step as a button. */
  showError(e: unknown): void {
    // Anything that is not an engine error here came from the file system (saving, reading).
    const err = toNanoError(e, 'io');
    const d = describeError(err.toJSON());
    this.d.log.error(`${err.kind}: ${err.message}${err.detail ? ` (${err.detail})` : ''}`);
    if (err.kind === 'cancelled') return;
    const labels = d.steps.map((s) => stepLabel(s));
    void vscode.window.showErrorMessage(d.message, ...labels).then((choice) => {
      const i = choice ? labels.indexOf(choice) : -1;
      if (i >= 0) this.nextStep(d.steps[i]).catch((x: unknown) => this.d.log.error(`next step failed: ${String(x)}`));
    });
    if (!isNanoError(e)) this.d.log.error(String((e as Error)?.stack ?? e));
  }

  async galleryAction(a: GalleryAction): Promise<string | undefined> {
    if (a.kind === 'generate') {
      await this.generate(undefined);
      return undefined;
    }
    if (a.kind === 'cancelJob') return this.d.scheduler.cancel(a.jobId) ? vscode.l10n.t('Cancelled.') : undefined;
    if (a.kind === 'resumeJob') return this.d.scheduler.resume(a.jobId) ? vscode.l10n.t('Resumed.') : undefined;
    const item = this.d.store.history.get(a.itemId);
    if (!item) throw new Error(vscode.l10n.t('This image is no longer in the history.'));
    const fileUri = vscode.Uri.file(this.d.store.pathOf(item));
    switch (a.kind) {
      case 'save': {
        const uri = await this.copies.save(item);
        return uri ? vscode.l10n.t('Saved to {0}', vscode.workspace.asRelativePath(uri)) : undefined;
      }
      case 'insertLink': {
        const text = await this.copies.insertLink(item, a.format);
        return text ? vscode.l10n.t('Link inserted.') : undefined;
      }
      case 'copyPath': {
        const uri = this.copies.savedUri(item.id) ?? fileUri;
        await vscode.env.clipboard.writeText(uri.scheme === 'file' ? uri.fsPath : uri.toString());
        return vscode.l10n.t('Path copied.');
      }
      case 'open':
        await vscode.commands.executeCommand('vscode.open', this.copies.savedUri(item.id) ?? fileUri, { preview: true, viewColumn: vscode.ViewColumn.Active });
        return undefined;
      case 'reveal': {
        const saved = this.copies.savedUri(item.id);
        if (saved) await vscode.commands.executeCommand('revealInExplorer', saved);
        else await vscode.commands.executeCommand('revealFileInOS', fileUri);
        return undefined;
      }
      case 'reusePrompt':
        await this.generate(undefined, { prompt: item.prompt });
        return undefined;
      case 'useAsReference':
        await this.generate(undefined, { prompt: item.prompt, references: [fileUri] });
        return undefined;
      case 'remove': {
        // Deleting a paid image is not undone by a click: ask first.
        const remove = vscode.l10n.t('Remove');
        const ok = await vscode.window.showWarningMessage(
          vscode.l10n.t('Remove this image from the history? Its file in the extension storage is deleted (saved copies in your workspace stay).'),
          { modal: true, detail: inert(item.prompt.slice(0, 200)) },
          remove,
        );
        if (ok !== remove) return undefined;
        await this.d.store.history.remove(item.id);
        this.d.gallery.pushHistory();
        return vscode.l10n.t('Removed from history.');
      }
    }
  }
}
