import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { NanoConfig } from '../core/config';
import { isNanoError } from '../core/errors';
import { buildRequest, defaultOptions } from '../core/generateOptions';
import type { HistoryItem } from '../core/history';
import type { ImageStore } from '../core/images/imageStore';
import { imageDimensions, sniffImage } from '../core/images/sniff';
import { writeUniqueInside } from '../core/images/write';
import { inert } from '../core/inert';
import type { JobScheduler } from '../core/jobs/scheduler';
import { isFinal, type JobRecord } from '../core/jobs/types';
import {
  NO_KEY_TEXT,
  NO_WORKSPACE_FOR_PATH_TEXT,
  checkToolInput,
  finalFileName,
  jobEndText,
  successText,
  targetExistsText,
  type LmTarget,
  type LmToolInput,
} from '../core/lmTool';
import { validateRequest } from '../core/validate';
import type { Log } from './log';
import { resolveReferences } from './references';
import { saveWithWorkspaceFs } from './save';
import type { ApiKeyStore } from './secrets';
import type { WorkspaceCopies } from './workspaceCopies';

export interface LmToolDeps {
  keys: ApiKeyStore;
  scheduler: JobScheduler;
  store: ImageStore;
  /** Resolves when the job store and the history are loaded. */
  ready: () => Promise<unknown>;
  copies: WorkspaceCopies;
  config: () => NanoConfig;
  log: Log;
  /** The cost quote of the confirmation. */
  credits: { quote(model: string, count: number): string };
}

/** What the person is asked before the tool runs (also for automation and tests). */
export interface LmToolPreview {
  title: string;
  message: vscode.MarkdownString;
}

const text = (s: string) => new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(s)]);

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch (e) {
    if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') return false;
    throw e;
  }
}

const firstFolder = () => vscode.workspace.workspaceFolders?.[0];

/**
 * The language model tool `nanoBanana_generateImage`: a normal job (status bar, gallery), then the
 * image written into the workspace, and text the model can use. Every failure comes back as text.
 */
export class LmImageTool implements vscode.LanguageModelTool<unknown> {
  constructor(private readonly d: LmToolDeps) {}

  /** The confirmation: prompt, model, target and what the last jobs of the model cost. */
  async preview(raw: unknown): Promise<LmToolPreview | undefined> {
    const checked = checkToolInput(raw);
    if (!checked.ok) return undefined; // invoke answers with the reason; nothing is spent
    await this.d.ready();
    const { input, target } = checked;
    const config = this.d.config();
    const model = defaultOptions(input, config).model;
    const md = new vscode.MarkdownString();
    const line = (label: string, value: string) => {
      md.appendMarkdown(`**${label}** `);
      // Outside text (the prompt may come from any file): inert, and escaped as plain text.
      md.appendText(inert(value));
      md.appendMarkdown('\n\n');
    };
    line(vscode.l10n.t('Prompt:'), input.prompt);
    line(vscode.l10n.t('Model:'), model);
    const where = target
      ? target.rel
      : firstFolder()
        ? vscode.l10n.t('the output folder {0}', config.outputFolder || '.')
        : vscode.l10n.t('the gallery only (no folder is open)');
    line(vscode.l10n.t('Saved to:'), where);
    const opts = defaultOptions(input, config);
    line(vscode.l10n.t('Aspect ratio and size:'), `${opts.aspectRatio} / ${opts.imageSize}`);
    if (checked.references.length) line(vscode.l10n.t('References:'), checked.references.join(', '));
    line(vscode.l10n.t('Credits:'), this.d.credits.quote(model, 1));
    return { title: vscode.l10n.t('Generate an image with Nano Banana?'), message: md };
  }

  async prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<unknown>): Promise<vscode.PreparedToolInvocation> {
    const invocationMessage = vscode.l10n.t('Generating an image with Nano Banana');
    // Without a key nothing can be spent: no question, the result tells what to do.
    if (!(await this.d.keys.get())) return { invocationMessage };
    const preview = await this.preview(options.input);
    return preview ? { invocationMessage, confirmationMessages: preview } : { invocationMessage };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<unknown>, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
    try {
      return text(await this.run(options.input, token));
    } catch (e) {
      this.d.log.warn(`language model tool: ${e instanceof Error ? e.message : String(e)}`);
      const why = isNanoError(e) ? e.message : e instanceof Error ? e.message : String(e);
      return text(`No image was made: ${why}`);
    }
  }

  private async run(raw: unknown, token: vscode.CancellationToken): Promise<string> {
    const checked = checkToolInput(raw);
    if (!checked.ok) return `The input was not used: ${checked.message}`;
    const { input, target } = checked;
    if (!(await this.d.keys.get())) return NO_KEY_TEXT;
    await this.d.ready();
    const ws = firstFolder();
    if (target) {
      if (!ws) return NO_WORKSPACE_FOR_PATH_TEXT;
      if (await exists(vscode.Uri.joinPath(ws.uri, ...target.rel.split('/')))) return targetExistsText(target.rel);
    }
    if (checked.references.length && !ws) return 'No workspace folder is open, so "references" cannot be read; call the tool without them.';
    const refs = await resolveReferences(checked.references.map((r) => vscode.Uri.joinPath(ws!.uri, ...r.split('/'))));
    if (token.isCancellationRequested) return 'Cancelled before anything was sent: no image was made and no credits were spent.';
    const job = this.start(input, refs);
    const ended = await this.settle(job.id, token);
    if (ended.state !== 'success') return jobEndText(ended);
    if (token.isCancellationRequested)
      return `The request was cancelled as the image arrived: it is in the Nano Banana gallery (job ${ended.id}), not in the workspace.`;
    const item = (ended.deliveredIds ?? []).map((id) => this.d.store.history.get(id)).find((i): i is HistoryItem => !!i);
    if (!item) return `The image job ${ended.id} finished, but its image is not in the history any more.`;
    return this.deliver(item, ended, target);
  }

  private start(input: LmToolInput, refs: Awaited<ReturnType<typeof resolveReferences>>): JobRecord {
    const config = this.d.config();
    const request = validateRequest(
      buildRequest(
        input.prompt,
        defaultOptions(input, config),
        refs.map((r) => r.value),
        config.callbackUrl,
      ),
    );
    const job = this.d.scheduler.start(request, { referenceNames: refs.map((r) => r.name) });
    this.d.log.info(`job ${job.id} started by a language model tool: model ${request.model}, ${refs.length} reference(s)`);
    return job;
  }

  /** Waits for the job to end; a cancelled token cancels the job (it keeps its task: resumable). */
  private settle(id: string, token: vscode.CancellationToken): Promise<Readonly<JobRecord>> {
    return new Promise((resolve) => {
      const done = (job: Readonly<JobRecord>) => {
        sub.dispose();
        onCancel.dispose();
        resolve(job);
      };
      const sub = this.d.scheduler.onDidChange((e) => {
        if (e.job.id === id && isFinal(e.job.state)) done(e.job);
      });
      const onCancel = token.onCancellationRequested(() => {
        this.d.scheduler.cancel(id);
        const now = this.d.scheduler.get(id);
        if (now && isFinal(now.state)) done(now);
      });
      const now = this.d.scheduler.get(id);
      if (!now) done({ id, state: 'failed', request: { model: '', prompt: '' }, createdAt: 0, updatedAt: 0, pollCount: 0, note: 'the job disappeared' });
      else if (isFinal(now.state)) done(now);
      else if (token.isCancellationRequested) {
        this.d.scheduler.cancel(id);
        const after = this.d.scheduler.get(id);
        if (after && isFinal(after.state)) done(after);
      }
    });
  }

  /** Writes the image where it was asked for (or into the output folder) and says so. */
  private async deliver(item: HistoryItem, job: Readonly<JobRecord>, target: LmTarget | undefined): Promise<string> {
    const bytes = await readFile(this.d.store.pathOf(item));
    const type = sniffImage(bytes);
    const size = imageDimensions(bytes);
    const common = {
      prompt: item.prompt,
      model: item.model,
      bytes: bytes.length,
      width: size?.width ?? item.width,
      height: size?.height ?? item.height,
      consumed: item.consumed ?? job.consumed,
      jobId: job.id,
    };
    const ws = firstFolder();
    if (!ws) return successText({ ...common, path: this.d.store.pathOf(item), inWorkspace: false });
    let uri: vscode.Uri | undefined;
    let askedPath: string | undefined;
    if (target) {
      const name = finalFileName(target, type?.ext);
      if (name !== `${target.base}.${target.ext}`) askedPath = target.rel;
      const dot = name.lastIndexOf('.');
      const [base, ext] = [name.slice(0, dot), name.slice(dot + 1)];
      const rel = target.folder ? `${target.folder}/${name}` : name;
      if (ws.uri.scheme === 'file') {
        let written: Awaited<ReturnType<typeof writeUniqueInside>>;
        try {
          written = await writeUniqueInside(ws.uri.fsPath, target.folder, base, ext, bytes, undefined, 1);
        } catch (e) {
          if (await exists(vscode.Uri.joinPath(ws.uri, ...rel.split('/')))) {
            return `${targetExistsText(rel)} (It appeared while the image was being made; the image is in the Nano Banana gallery, job ${job.id}.)`;
          }
          throw e;
        }
        if (!written.ok) {
          return `${target.rel} leads outside the workspace folder through a symbolic link; nothing was written. The image is in the Nano Banana gallery (job ${job.id}); choose a path inside the workspace.`;
        }
        uri = vscode.Uri.file(written.path);
      } else {
        if (await exists(vscode.Uri.joinPath(ws.uri, ...rel.split('/')))) return targetExistsText(rel);
        uri = await saveWithWorkspaceFs(ws.uri, target.folder, target.folder, base, ext, bytes);
      }
    } else {
      uri = this.d.copies.savedUri(item.id) ?? (await this.d.copies.save(item));
      if (!uri) return successText({ ...common, path: this.d.store.pathOf(item), inWorkspace: false });
    }
    const root = vscode.workspace.getWorkspaceFolder(uri) ?? ws;
    const rel = path.posix.relative(root.uri.path, uri.path);
    this.d.log.info(`language model tool: job ${job.id} written to ${rel}`);
    return successText({ ...common, path: rel, inWorkspace: true, askedPath });
  }
}
