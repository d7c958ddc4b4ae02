import * as vscode from 'vscode';
import { inert } from '../../core/inert';
import { aspectFromHints, promptFromAlt } from '../../core/markdownImages';
import { commandArgs, missingImages, type GenerateImageAtArgs } from '../imageLens';
import { fileExists } from '../fileExists';
import { placeInWorkspace } from '../imageTargets';
import type { CommandHandler } from './registry';

function isArgs(x: unknown): x is GenerateImageAtArgs {
  if (typeof x !== 'object' || x === null) return false;
  const t = (x as { target?: unknown }).target;
  return typeof t === 'string' || t instanceof vscode.Uri;
}

/**
 * `nanoBanana.generateImageAt` (the lens and the quick fix): an image for a link to a missing file,
 * written to that file when it arrives. With a `prompt` in the argument no box is shown; otherwise
 * the prompt box (prefilled from the alt text) and the options step (aspect ratio from the hints).
 */
export const generateImageAt: CommandHandler = async (c, args) => {
  const a = args[0];
  if (!isArgs(a)) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Generate this image: no image link was given. Use the lens above an image link.'));
    return undefined;
  }
  const target = typeof a.target === 'string' ? vscode.Uri.parse(a.target) : a.target;
  placeInWorkspace(target); // throws (shown by the caller) for a file outside the workspace
  if (await fileExists(target)) {
    void vscode.window.showWarningMessage(vscode.l10n.t('{0} already exists: it is not overwritten.', inert(vscode.workspace.asRelativePath(target))));
    return undefined;
  }
  const aspectRatio = a.aspectRatio ?? aspectFromHints(a.alt ?? '', a.width, a.height);
  const preset = { target: target.toString(), aspectRatio };
  if (a.prompt !== undefined) return c.generate.generate({ prompt: a.prompt, model: a.model, aspectRatio: a.aspectRatio }, preset);
  return c.generate.generate(undefined, { ...preset, prompt: promptFromAlt(a.alt ?? '', target.path) });
};

/** The document the command is about: a Uri (editor menu), `{ document }`, or the active editor's. */
async function documentOf(arg: unknown): Promise<vscode.TextDocument | undefined> {
  const given =
    arg instanceof vscode.Uri
      ? arg
      : typeof (arg as { document?: unknown })?.document === 'string'
        ? vscode.Uri.parse((arg as { document: string }).document)
        : undefined;
  if (given) return vscode.workspace.openTextDocument(given);
  return vscode.window.activeTextEditor?.document;
}

/**
 * `nanoBanana.generateAllMissingImages`: one job per missing image of the file, prompts from the
 * alt texts, started together (the scheduler's rate cap paces their polls). Each job stands alone:
 * cancelling one keeps the images that have arrived. Returns the job ids.
 */
export const generateAllMissingImages: CommandHandler = async (c, args) => {
  const doc = await documentOf(args[0]);
  if (!doc) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Open a Markdown or HTML file first.'));
    return [];
  }
  const seen = new Set<string>();
  const missing = (await missingImages(doc)).filter((m) => !seen.has(m.target.toString()) && seen.add(m.target.toString()));
  if (!missing.length) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No missing images in this file: every image link points at an existing file.'));
    return [];
  }
  const interactive = !(typeof args[0] === 'object' && args[0] !== null && !(args[0] instanceof vscode.Uri));
  if (interactive) {
    const go = vscode.l10n.t('Generate {0}', missing.length);
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t('Generate {0} missing images in this file? Each prompt is the alt text of its link.', missing.length),
      { modal: true, detail: c.credits.quote(c.config().model, missing.length) },
      go,
    );
    if (choice !== go) return [];
  }
  const ids: string[] = [];
  for (const m of missing) {
    const a = commandArgs(doc, m);
    const prompt = promptFromAlt(a.alt ?? '', m.target.path);
    const aspectRatio = aspectFromHints(a.alt ?? '', a.width, a.height);
    const id = await c.generate.generate({ prompt }, { target: m.target.toString(), aspectRatio });
    if (id) ids.push(id);
  }
  c.log.info(`generate all missing images: ${ids.length} job(s) for ${doc.uri.toString()}`);
  return ids;
};
