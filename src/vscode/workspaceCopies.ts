import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import type { NanoConfig } from '../core/config';
import type { HistoryItem } from '../core/history';
import { inert } from '../core/inert';
import { sniffImage } from '../core/images/sniff';
import type { ImageStore } from '../core/images/imageStore';
import type { Log } from './log';
import { insertLink, linkFor, saveToWorkspace } from './save';

/**
 * Copies of history images in the workspace: saving one (remembered for this session, so a link or
 * "Copy path" points at the copy), and inserting a link to it where the last text editor's cursor is.
 */
export class WorkspaceCopies {
  private lastEditor: vscode.TextEditor | undefined;
  /** History item → where it was saved in the workspace this session. */
  private saved = new Map<string, vscode.Uri>();

  constructor(
    private readonly store: ImageStore,
    private readonly log: Log,
    private readonly config: () => NanoConfig,
  ) {}

  rememberEditor(e: vscode.TextEditor | undefined): void {
    if (e && e.document.uri.scheme !== 'output') this.lastEditor = e;
  }

  /** Where the item was saved this session, if it was. */
  savedUri(itemId: string): vscode.Uri | undefined {
    return this.saved.get(itemId);
  }

  private async itemBytes(item: HistoryItem): Promise<{ bytes: Uint8Array; ext: string }> {
    const bytes = await readFile(this.store.pathOf(item));
    const ext = sniffImage(bytes)?.ext ?? 'png';
    return { bytes, ext };
  }

  async save(item: HistoryItem): Promise<vscode.Uri | undefined> {
    const { bytes, ext } = await this.itemBytes(item);
    const uri = await saveToWorkspace(item, bytes, ext, this.config(), this.lastEditor?.document.uri);
    if (uri) {
      this.saved.set(item.id, uri);
      this.log.info(`saved ${item.id} to ${uri.toString()}`);
    }
    return uri;
  }

  announceSaved(uri: vscode.Uri): void {
    const open = vscode.l10n.t('Open');
    // The path comes from the file name pattern, the prompt and the output folder: outside text.
    void vscode.window.showInformationMessage(vscode.l10n.t('Saved to {0}', inert(vscode.workspace.asRelativePath(uri))), open).then((c) => {
      if (c === open) void vscode.commands.executeCommand('vscode.open', uri);
    });
  }

  /** The workspace copy of an item, saving it first when there is none yet. */
  private async workspaceCopy(item: HistoryItem): Promise<vscode.Uri | undefined> {
    const known = this.saved.get(item.id);
    if (known) {
      try {
        await vscode.workspace.fs.stat(known);
        return known;
      } catch {
        this.saved.delete(item.id);
      }
    }
    return this.save(item);
  }

  async insertLink(item: HistoryItem, format?: 'markdown' | 'html'): Promise<string | undefined> {
    const editor = this.lastEditor && !this.lastEditor.document.isClosed ? this.lastEditor : undefined;
    if (!editor) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Open a text editor first: the link is inserted where its cursor is.'));
      return undefined;
    }
    const target = await this.workspaceCopy(item);
    if (!target) return undefined;
    const text = linkFor(editor.document, target, item, format);
    const shown = await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, selection: editor.selection, preserveFocus: false });
    await insertLink(shown, text);
    return text;
  }
}
