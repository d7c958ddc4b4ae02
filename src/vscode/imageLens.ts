/**
 * "Generate this image" above Markdown/HTML image links whose file does not exist yet: a CodeLens
 * and the same as a quick fix. Light on purpose (registered at activation): the core parser, a
 * `stat` per distinct target, nothing of the engine. The commands go through the lazy load.
 */
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatCredits } from '../core/format';
import type { HistoryItem } from '../core/history';
import { inert } from '../core/inert';
import { findImageRefs, localTarget, resolveInRoot, type ImageRef } from '../core/markdownImages';
import { fileExists } from './fileExists';

export const GENERATE_IMAGE_AT = 'nanoBanana.generateImageAt';
export const GENERATE_ALL_MISSING = 'nanoBanana.generateAllMissingImages';
const SETTING = 'nanoBanana.codeLens.enabled';
const MAX_BYTES = 1024 * 1024;
const SELECTOR: vscode.DocumentSelector = [{ language: 'markdown' }, { language: 'html' }];

/** An image link whose file is missing, and what the generate command needs to know about it. */
export interface MissingImage {
  range: vscode.Range;
  target: vscode.Uri;
  ref: ImageRef;
}

/** The argument object of `nanoBanana.generateImageAt` (the lens, the quick fix, tests). */
export interface GenerateImageAtArgs {
  /** The file to write, a URI string (or a Uri). */
  target: string | vscode.Uri;
  /** The prompt: given means no prompt box and no options step. */
  prompt?: string;
  alt?: string;
  width?: number;
  height?: number;
  aspectRatio?: string;
  model?: string;
  /** The document that holds the link (a URI string), for changing the link to another format. */
  document?: string;
  /** The link target as written in the document. */
  link?: string;
}

/** The image links of `document` inside its workspace folder whose file does not exist. */
export async function missingImages(document: vscode.TextDocument): Promise<MissingImage[]> {
  if (document.isUntitled || document.uri.scheme === 'untitled') return [];
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  if (!folder) return [];
  const text = document.getText();
  if (text.length > MAX_BYTES) return [];
  const found: { ref: ImageRef; target: vscode.Uri }[] = [];
  for (const ref of findImageRefs(text, document.languageId)) {
    const rel = localTarget(ref.target);
    const inRoot = rel === undefined ? undefined : resolveInRoot(document.uri.path, rel, folder.uri.path);
    if (inRoot !== undefined) found.push({ ref, target: vscode.Uri.joinPath(folder.uri, ...inRoot.split('/')) });
  }
  const distinct = [...new Set(found.map((f) => f.target.toString()))];
  const present = new Set<string>();
  await Promise.all(
    distinct.map(async (t) => {
      if (await fileExists(vscode.Uri.parse(t))) present.add(t);
    }),
  );
  return found
    .filter((f) => !present.has(f.target.toString()))
    .map((f) => ({ ...f, range: new vscode.Range(document.positionAt(f.ref.start), document.positionAt(f.ref.end)) }));
}

export function commandArgs(document: vscode.TextDocument, m: MissingImage): GenerateImageAtArgs {
  const { alt, width, height, target } = m.ref;
  return { target: m.target.toString(), alt, width, height, document: document.uri.toString(), link: target };
}

function enabled(document: vscode.TextDocument): boolean {
  return vscode.workspace.getConfiguration('nanoBanana', document.uri).get<boolean>('codeLens.enabled', true);
}

class ImageLensProvider implements vscode.CodeLensProvider, vscode.CodeActionProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  refresh(): void {
    this.changed.fire();
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!enabled(document)) return [];
    return (await missingImages(document)).map(
      (m) =>
        new vscode.CodeLens(m.range, {
          title: vscode.l10n.t('$(sparkle) Generate this image'),
          tooltip: vscode.l10n.t('Generate the missing image with Nano Banana and save it under this name'),
          command: GENERATE_IMAGE_AT,
          arguments: [commandArgs(document, m)],
        }),
    );
  }

  async provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection): Promise<vscode.CodeAction[]> {
    if (!enabled(document)) return [];
    const here = (await missingImages(document)).filter((m) => m.range.intersection(range) !== undefined);
    return here.map((m) => {
      const action = new vscode.CodeAction(vscode.l10n.t('Generate this image with Nano Banana'), vscode.CodeActionKind.QuickFix);
      action.command = { title: action.title, command: GENERATE_IMAGE_AT, arguments: [commandArgs(document, m)] };
      return action;
    });
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * The images of the history that were made for a file (their `target`), read straight from the
 * history index (a JSON file), so that a hover does not load the engine. Re-read when it changed.
 */
class MadeFor {
  private cache: { mtimeMs: number; byTarget: Map<string, HistoryItem> } | undefined;

  constructor(private readonly indexPath: string) {}

  async lookup(target: string): Promise<HistoryItem | undefined> {
    try {
      const { mtimeMs } = await stat(this.indexPath);
      if (this.cache?.mtimeMs !== mtimeMs) {
        const data = JSON.parse(await readFile(this.indexPath, 'utf8')) as { items?: unknown };
        const byTarget = new Map<string, HistoryItem>();
        for (const i of Array.isArray(data.items) ? (data.items as HistoryItem[]) : []) {
          if (typeof i?.target !== 'string' || typeof i.prompt !== 'string' || typeof i.createdAt !== 'number') continue;
          const known = byTarget.get(i.target);
          if (!known || known.createdAt < i.createdAt) byTarget.set(i.target, i);
        }
        this.cache = { mtimeMs, byTarget };
      }
      return this.cache.byTarget.get(target);
    } catch {
      return undefined; // no history yet, or an index being rewritten: no hover
    }
  }
}

const commandLink = (id: string, args: unknown) => `command:${id}?${encodeURIComponent(JSON.stringify([args]))}`;

/** A hover on a link to an image this extension made: its prompt, model, date, credits, and two actions. */
async function imageHover(made: MadeFor, document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  if (!folder || document.isUntitled) return undefined;
  const text = document.getText();
  if (text.length > MAX_BYTES) return undefined;
  const offset = document.offsetAt(position);
  const ref = findImageRefs(text, document.languageId).find((r) => r.start <= offset && offset <= r.end);
  const rel = ref && localTarget(ref.target);
  const inRoot = rel === undefined ? undefined : resolveInRoot(document.uri.path, rel, folder.uri.path);
  if (!ref || inRoot === undefined) return undefined;
  const item = await made.lookup(vscode.Uri.joinPath(folder.uri, ...inRoot.split('/')).toString());
  if (!item) return undefined;
  const md = new vscode.MarkdownString();
  md.isTrusted = { enabledCommands: ['nanoBanana.generate', 'nanoBanana.showGallery'] };
  md.appendMarkdown(`**${vscode.l10n.t('Made by Nano Banana')}**\n\n`);
  // The prompt is outside text: inert, and appended as text (escaped), never Markdown.
  md.appendText(inert(item.prompt));
  md.appendMarkdown('\n\n');
  const credits = item.consumed ? ' · ' + vscode.l10n.t('Credits used: {0}.', inert(formatCredits(item.consumed, vscode.env.language))) : '';
  md.appendText(`${inert(item.model)} · ${new Date(item.createdAt).toLocaleString(vscode.env.language)}${credits}`);
  md.appendMarkdown('\n\n');
  const again = { prompt: item.prompt, model: item.model, aspectRatio: item.aspectRatio };
  md.appendMarkdown(
    `[${vscode.l10n.t('Regenerate')}](${commandLink('nanoBanana.generate', again)}) · [${vscode.l10n.t('Open in gallery')}](${commandLink('nanoBanana.showGallery', item.id)})`,
  );
  return new vscode.Hover(md, new vscode.Range(document.positionAt(ref.start), document.positionAt(ref.end)));
}

/** Registers the lens, the quick fix and the hover; the lenses are asked again when files appear or go. */
export function registerImageLens(globalStorage: vscode.Uri): vscode.Disposable {
  const made = new MadeFor(path.join(globalStorage.fsPath, 'images', 'index.json'));
  const provider = new ImageLensProvider();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const soon = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => provider.refresh(), 100);
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/*', false, true, false);
  return vscode.Disposable.from(
    provider,
    watcher,
    watcher.onDidCreate(soon),
    watcher.onDidDelete(soon),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(SETTING) && provider.refresh()),
    vscode.languages.registerCodeLensProvider(SELECTOR, provider),
    vscode.languages.registerCodeActionsProvider(SELECTOR, provider, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
    vscode.languages.registerHoverProvider(SELECTOR, { provideHover: (d, p) => imageHover(made, d, p) }),
    { dispose: () => timer && clearTimeout(timer) },
  );
}
