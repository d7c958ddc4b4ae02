import * as vscode from 'vscode';
import { ASPECT_RATIOS, KNOWN_MODELS, modelSupportsImageSize } from '../core/api/types';
import { inert } from '../core/inert';
import type { ChosenOptions } from '../core/generateOptions';
import { MAX_REFERENCES } from '../core/api/types';
import { groupRows, pickGroupRow, type GroupOptions, type GroupRowId } from './groupStep';
import { sharedImageWorkers } from '../core/images/imageWorkers';
import { prepareReferencesAhead } from './references';

interface Item extends vscode.QuickPickItem {
  id: 'go' | 'model' | 'ratio' | 'size' | 'refs' | GroupRowId;
}

export type PickedOptions = { options: ChosenOptions; references: vscode.Uri[]; group: GroupOptions };

/**
 * The skippable options step: Enter on the first row generates with what is shown; the other rows
 * change one option each and come back. Undefined when dismissed. The descriptions show outside
 * text (the prompt, setting values, file names) inert: a quick pick renders `$(icon)`.
 */
export async function pickOptions(
  initial: ChosenOptions,
  references: vscode.Uri[],
  prompt: string,
  initialGroup?: GroupOptions,
): Promise<PickedOptions | undefined> {
  let opts = { ...initial };
  let refs = [...references];
  /** Absent: this request cannot be a group (it writes one file, a link's target). */
  let group = initialGroup;
  for (;;) {
    const items = [...rows(opts, refs, prompt), ...(group ? groupRows(group) : [])];
    const picked = await vscode.window.showQuickPick(items, {
      title: vscode.l10n.t('Nano Banana: options (Enter to generate)'),
      placeHolder: vscode.l10n.t('Press Enter to generate, or change an option'),
      ignoreFocusOut: true,
    });
    if (!picked) return undefined;
    switch (picked.id) {
      case 'go':
        return { options: opts, references: refs, group: group ?? { variations: 1, models: [] } };
      case 'model': {
        const m = await pickFrom([...KNOWN_MODELS], opts.model, vscode.l10n.t('Model'), true);
        if (m) opts = { ...opts, model: m };
        break;
      }
      case 'ratio': {
        const r = await pickFrom([...ASPECT_RATIOS], opts.aspectRatio, vscode.l10n.t('Aspect ratio'));
        if (r) opts = { ...opts, aspectRatio: r };
        break;
      }
      case 'size': {
        const s = await pickFrom(['auto', '1k', '2k', '4k'], opts.imageSize, vscode.l10n.t('Image size'));
        if (s) opts = { ...opts, imageSize: s };
        break;
      }
      case 'refs':
        refs = await pickReferences(refs);
        break;
      case 'variations':
      case 'compare':
        if (group) group = await pickGroupRow(picked.id, group, opts.model);
        break;
    }
  }
}

async function pickFrom(values: string[], current: string, title: string, allowCustom = false): Promise<string | undefined> {
  const items: vscode.QuickPickItem[] = values.map((v) => ({
    label: v,
    picked: v === current,
    description: v === current ? vscode.l10n.t('current') : undefined,
  }));
  if (!allowCustom) return (await vscode.window.showQuickPick(items, { title }))?.label;
  const qp = vscode.window.createQuickPick();
  qp.title = title;
  qp.items = items;
  qp.placeholder = vscode.l10n.t('Pick a model or type another model id');
  return new Promise((resolve) => {
    let done = false;
    qp.onDidAccept(() => {
      done = true;
      resolve(qp.selectedItems[0]?.label ?? (qp.value.trim() || undefined));
      qp.hide();
    });
    qp.onDidHide(() => {
      if (!done) resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}

/** The rows of the options step: Generate first, then one row per option. */
function rows(opts: ChosenOptions, refs: vscode.Uri[], prompt: string): Item[] {
  return [
    { id: 'go', label: `$(sparkle) ${vscode.l10n.t('Generate')}`, description: inert(prompt.length > 60 ? prompt.slice(0, 59) + '…' : prompt) },
    { id: 'model', label: `$(hubot) ${vscode.l10n.t('Model')}`, description: inert(opts.model) },
    { id: 'ratio', label: `$(screen-full) ${vscode.l10n.t('Aspect ratio')}`, description: inert(opts.aspectRatio) },
    ...(modelSupportsImageSize(opts.model)
      ? [{ id: 'size' as const, label: `$(zoom-in) ${vscode.l10n.t('Image size')}`, description: inert(opts.imageSize) }]
      : []),
    {
      id: 'refs',
      label: `$(file-media) ${vscode.l10n.t('Reference images')}`,
      description: refs.length ? inert(refs.map((r) => r.path.split('/').pop()).join(', ')) : vscode.l10n.t('none'),
    },
  ];
}

/** The reference images chosen in a dialog; the old ones when dismissed or when too many were chosen (said so). */
async function pickReferences(refs: vscode.Uri[]): Promise<vscode.Uri[]> {
  // A large photo is decoded in the image worker: start it (and its decoders) while the person picks.
  sharedImageWorkers().warm();
  const chosen = await vscode.window.showOpenDialog({
    canSelectMany: true,
    openLabel: vscode.l10n.t('Use as references'),
    title: vscode.l10n.t('Choose up to {0} reference images', MAX_REFERENCES),
    filters: { [vscode.l10n.t('Images')]: ['png', 'jpg', 'jpeg', 'webp', 'gif'] },
  });
  if (!chosen) return refs;
  if (chosen.length > MAX_REFERENCES) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t('{0} reference images were chosen; at most {1} can be used. Pick fewer.', chosen.length, MAX_REFERENCES),
    );
    return refs;
  }
  prepareReferencesAhead(chosen); // ready by the time the person has answered the rest
  return chosen;
}
