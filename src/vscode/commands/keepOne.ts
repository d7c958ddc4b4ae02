import * as vscode from 'vscode';
import { groupSiblings } from '../../core/groups';
import type { HistoryItem } from '../../core/history';
import type { ImageStore } from '../../core/images/imageStore';
import { inert } from '../../core/inert';
import type { WorkspaceCopies } from '../workspaceCopies';

export interface KeepOneDeps {
  store: ImageStore;
  copies: WorkspaceCopies;
  historyChanged: () => void;
}

/**
 * "Keep this one" on an image of a group: saves it into the workspace (the usual save), then asks
 * whether the group's other images leave the history. Paid images are never removed unasked.
 */
export async function keepOne(d: KeepOneDeps, item: HistoryItem): Promise<string | undefined> {
  const uri = await d.copies.save(item);
  if (!uri) return undefined;
  // The path comes from the file name pattern, the prompt and the output folder: outside text.
  const where = inert(vscode.workspace.asRelativePath(uri));
  const others = groupSiblings(d.store.history.list(), item.id);
  if (others.length === 0) return vscode.l10n.t('Saved to {0}', where);
  const remove = vscode.l10n.t('Remove the others');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t(
      'Saved to {0}. Remove the other {1} image(s) of this group from the history? Their files in the extension storage are deleted (saved copies in your workspace stay).',
      where,
      others.length,
    ),
    { modal: true, detail: inert(item.prompt.slice(0, 200)) },
    remove,
  );
  if (answer !== remove) return vscode.l10n.t('Saved to {0}', where);
  let removed = 0;
  for (const other of others) if (await d.store.history.remove(other.id)) removed++;
  d.historyChanged();
  return vscode.l10n.t('Saved to {0}; {1} other image(s) removed from the history.', where, removed);
}
