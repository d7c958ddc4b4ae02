import * as vscode from 'vscode';
import { KNOWN_MODELS } from '../core/api/types';
import { MAX_COMPARED_MODELS, MAX_VARIATIONS, MIN_COMPARED_MODELS, type GroupProblem } from '../core/groups';
import { inert } from '../core/inert';

/** The group part of the options step: how many variations, or which models to compare. */
export interface GroupOptions {
  variations: number;
  /** Two to four models, or empty (no comparison). */
  models: string[];
}

export type GroupRowId = 'variations' | 'compare';

/** The two rows of the options step for a group. */
export function groupRows(g: GroupOptions): (vscode.QuickPickItem & { id: GroupRowId })[] {
  return [
    { id: 'variations', label: `$(layers) ${vscode.l10n.t('Variations')}`, description: String(g.variations) },
    {
      id: 'compare',
      label: `$(versions) ${vscode.l10n.t('Compare models…')}`,
      description: g.models.length ? inert(g.models.join(', ')) : vscode.l10n.t('off'),
    },
  ];
}

/** Runs the row's picker; returns the new group options (the old ones when dismissed). */
export async function pickGroupRow(id: GroupRowId, g: GroupOptions, currentModel: string): Promise<GroupOptions> {
  return id === 'variations' ? pickVariations(g) : pickModels(g, currentModel);
}

async function pickVariations(g: GroupOptions): Promise<GroupOptions> {
  const items = Array.from({ length: MAX_VARIATIONS }, (_, i) => ({
    label: String(i + 1),
    description: i + 1 === g.variations ? vscode.l10n.t('current') : undefined,
  }));
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Variations: how many images of the same request') });
  if (!picked) return g;
  // Variations and a comparison are one or the other: more variations end the comparison.
  return { variations: Number(picked.label), models: Number(picked.label) > 1 ? [] : g.models };
}

async function pickModels(g: GroupOptions, currentModel: string): Promise<GroupOptions> {
  const chosen = g.models.length ? g.models : [currentModel];
  const all = [...new Set([...KNOWN_MODELS, currentModel, ...g.models])];
  const items = all.map((m) => ({ label: inert(m), model: m, picked: chosen.includes(m) }));
  const picked = await vscode.window.showQuickPick(items, {
    canPickMany: true,
    title: vscode.l10n.t('Compare models: pick {0} to {1}', MIN_COMPARED_MODELS, MAX_COMPARED_MODELS),
    placeHolder: vscode.l10n.t('The same prompt runs once on each model; the images are shown side by side'),
  });
  if (!picked) return g;
  if (picked.length === 0) return { ...g, models: [] };
  if (picked.length < MIN_COMPARED_MODELS || picked.length > MAX_COMPARED_MODELS) {
    void vscode.window.showWarningMessage(groupProblemMessage('model-count'));
    return g;
  }
  return { variations: 1, models: picked.map((p) => p.model) };
}

/** A sentence for a group that cannot start, with what to do. */
export function groupProblemMessage(problem: GroupProblem): string {
  switch (problem) {
    case 'variations':
      return vscode.l10n.t('Variations must be a whole number from 1 to {0}.', MAX_VARIATIONS);
    case 'model-count':
      return vscode.l10n.t('Pick {0} to {1} models to compare.', MIN_COMPARED_MODELS, MAX_COMPARED_MODELS);
    case 'model-duplicate':
      return vscode.l10n.t('Each model can be compared once: remove the repeated model.');
  }
}
