/**
 * "Refine…": a new image from a history image. The prompt box opens prefilled with its prompt; the
 * image itself is the first reference, followed by its own references that can still be read (at
 * most four in all); the new job records its lineage (core/lineage.ts), so the gallery shows the
 * chain. Runs from the gallery, or as `nanoBanana.refineImage` (palette: a pick of the history;
 * automation: `{ itemId, prompt?, model?, aspectRatio?, imageSize? }`, with `prompt` it asks nothing).
 */
import * as vscode from 'vscode';
import { MAX_REFERENCES } from '../../core/api/types';
import type { HistoryItem } from '../../core/history';
import type { ImageStore } from '../../core/images/imageStore';
import { isRefineArgs } from '../../core/generateOptions';
import { inert } from '../../core/inert';
import { childLineage, shortPrompt } from '../../core/lineage';
import { fileExists } from '../fileExists';
import type { Log } from '../log';
import type { GenerateFlow } from './generate';
import type { CommandHandler } from './registry';

export interface RefineDeps {
  store: ImageStore;
  storeReady: Promise<unknown>;
  generate: GenerateFlow;
  log: Log;
}

export class RefineFlow {
  constructor(private readonly d: RefineDeps) {}

  /** Refines the image `arg` names (an item id or {@link RefineArgs}), or one picked from the history; the new job's id. */
  async refine(arg: unknown): Promise<string | undefined> {
    await this.d.storeReady;
    const args = isRefineArgs(arg) ? arg : undefined;
    const id = typeof arg === 'string' ? arg : (args?.itemId ?? (await this.pick()));
    if (id === undefined) return undefined;
    const item = this.d.store.history.get(id);
    if (!item) {
      void vscode.window.showErrorMessage(vscode.l10n.t('This image is no longer in the history.'));
      return undefined;
    }
    const preset = {
      references: await this.references(item),
      lineage: childLineage(item),
      model: item.model,
      aspectRatio: item.aspectRatio,
      imageSize: item.imageSize,
    };
    // A preset prompt means "ask, prefilled": only when the arguments bring none.
    if (args?.prompt === undefined) return this.d.generate.generate(undefined, { ...preset, prompt: item.prompt });
    const { prompt, model, aspectRatio, imageSize } = args;
    return this.d.generate.generate({ prompt, model, aspectRatio, imageSize }, preset);
  }

  /** The image first, then its own references that still exist, at most four. */
  private async references(item: HistoryItem): Promise<vscode.Uri[]> {
    const out = [vscode.Uri.file(this.d.store.pathOf(item))];
    let missing = 0;
    for (const source of item.referenceSources ?? []) {
      if (out.length >= MAX_REFERENCES) break;
      const uri = parse(source);
      if (uri && (uri.scheme === 'https' || (await fileExists(uri)))) out.push(uri);
      else missing++;
    }
    if (missing) this.d.log.info(`refine ${item.id}: ${missing} of its reference image(s) no longer exist; left out`);
    return out;
  }

  /** From the palette: which image to refine, newest first. */
  private async pick(): Promise<string | undefined> {
    const items = this.d.store.history.list();
    if (!items.length) {
      void vscode.window.showInformationMessage(vscode.l10n.t('There are no images in the history to refine yet.'));
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      items.map((i) => ({
        id: i.id,
        label: inert(shortPrompt(i.prompt, 80)),
        description: inert(i.lineage ? `v${i.lineage.version} · ${i.model}` : i.model),
        detail: new Date(i.createdAt).toLocaleString(vscode.env.language),
      })),
      { title: vscode.l10n.t('Nano Banana: Refine Image'), placeHolder: vscode.l10n.t('Pick the image to refine'), matchOnDescription: true },
    );
    return picked?.id;
  }
}

function parse(source: string): vscode.Uri | undefined {
  try {
    return vscode.Uri.parse(source, true);
  } catch {
    return undefined;
  }
}

export const refineImage: CommandHandler = (c, args) => c.refine.refine(args[0]);
