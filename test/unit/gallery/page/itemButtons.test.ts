import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ITEM_BUTTONS,
  MENU_GROUPS,
  buttonActions,
  contextMenuEntries,
  menuSections,
  requestFor,
  type ItemActionDef,
} from '../../../../src/gallery/page/itemButtons';
import { isGalleryAction, itemContext, itemIdFromContext } from '../../../../src/gallery/protocol';

const root = path.resolve(__dirname, '..', '..', '..', '..', '..');

interface Manifest {
  contributes: {
    commands: { command: string; title: string }[];
    menus: Record<string, { command: string; when?: string; group?: string }[]>;
  };
}
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
const nls = (name: string) => JSON.parse(readFileSync(path.join(root, name), 'utf8')) as Record<string, string>;

/** A made-up action list, to see the functions follow the data, not the current list. */
const def = (id: ItemActionDef['id'], group: ItemActionDef['group'], more: Partial<ItemActionDef> = {}): ItemActionDef => ({
  id,
  icon: 'x',
  label: () => id,
  inMenu: true,
  command: `test.${id}`,
  group,
  ...more,
});

describe('gallery item actions (one list for buttons, "…" menu and context menu)', () => {
  it('has exactly one primary button (Save), and Insert link (Markdown) as the other labelled button', () => {
    const buttons = buttonActions();
    assert.deepEqual(
      buttons.map((d) => [d.id, d.button?.kind]),
      [
        ['save', 'primary'],
        ['insertMarkdown', 'secondary'],
      ],
    );
  });

  it('reaches every action: a labelled button or the "…" menu, and always the context menu', () => {
    for (const d of ITEM_BUTTONS) {
      assert.ok(!!d.button !== d.inMenu, `${d.id}: either a button or in the "…" menu`);
      assert.match(d.command, /^nanoBanana\.gallery\.\w+$/, d.id);
    }
    assert.equal(new Set(ITEM_BUTTONS.map((d) => d.command)).size, ITEM_BUTTONS.length, 'one command per action');
    // The HTML link stays one step away: the first item of the "…" menu.
    assert.equal(menuSections()[0][0].id, 'insertHtml');
  });

  it('splits the "…" menu into sections by group, in group order, remove last', () => {
    const sections = menuSections();
    assert.deepEqual(
      sections.map((s) => s.map((d) => d.id)),
      [['insertHtml', 'open'], ['copyImage', 'copyPath'], ['reveal'], ['reusePrompt', 'useAsReference', 'refine'], ['remove']],
    );
    const made = [def('remove', '9_remove'), def('copyPath', '2_copy'), def('save', 'navigation', { inMenu: false }), def('open', 'navigation')];
    assert.deepEqual(
      menuSections(made).map((s) => s.map((d) => d.id)),
      [['open'], ['copyPath'], ['remove']],
    );
  });

  it('gives the context menu entries group@order per group, with the gallery card when clause', () => {
    const made = [def('remove', '9_remove'), def('copyPath', '2_copy'), def('save', 'navigation', { inMenu: false }), def('open', 'navigation')];
    assert.deepEqual(contextMenuEntries(made), [
      { command: 'test.save', when: "webviewId == 'nanoBanana.gallery' && webviewSection == 'galleryItem'", group: 'navigation@1' },
      { command: 'test.open', when: "webviewId == 'nanoBanana.gallery' && webviewSection == 'galleryItem'", group: 'navigation@2' },
      { command: 'test.copyPath', when: "webviewId == 'nanoBanana.gallery' && webviewSection == 'galleryItem'", group: '2_copy@1' },
      { command: 'test.remove', when: "webviewId == 'nanoBanana.gallery' && webviewSection == 'galleryItem'", group: '9_remove@1' },
    ]);
    assert.deepEqual(MENU_GROUPS[0], 'navigation');
    assert.deepEqual([...MENU_GROUPS].slice(1), [...MENU_GROUPS].slice(1).sort(), 'VS Code sorts the groups after navigation by name');
  });

  it('package.json contributes the context menu exactly as the list says', () => {
    assert.deepEqual(manifest.contributes.menus['webview/context'], contextMenuEntries());
  });

  it('package.json declares each menu command with a localized title, hidden from the palette', () => {
    const en = nls('package.nls.json');
    const tr = nls('package.nls.tr.json');
    const palette = manifest.contributes.menus.commandPalette;
    for (const d of ITEM_BUTTONS) {
      const cmd = manifest.contributes.commands.find((c) => c.command === d.command);
      assert.ok(cmd, `${d.command} is declared`);
      const key = /^%(.+)%$/.exec(cmd.title)?.[1];
      assert.ok(key && en[key] && tr[key], `${d.command}: title ${cmd.title} in English and Turkish`);
      assert.ok(
        palette.some((p) => p.command === d.command && p.when === 'false'),
        `${d.command} is hidden from the command palette`,
      );
    }
  });

  it('turns each action into a host request the protocol accepts (copyImage stays in the page)', () => {
    for (const d of ITEM_BUTTONS) {
      const request = requestFor(d.id, 'item-1');
      if (d.id === 'copyImage') assert.equal(request, undefined);
      else assert.ok(isGalleryAction(request), `${d.id}: ${JSON.stringify(request)}`);
    }
    assert.deepEqual(requestFor('insertMarkdown', 'a'), { kind: 'insertLink', itemId: 'a', format: 'markdown' });
    assert.deepEqual(requestFor('insertHtml', 'a'), { kind: 'insertLink', itemId: 'a', format: 'html' });
  });
});

describe('the card context (data-vscode-context) and the argument of a menu command', () => {
  it('writes JSON with the section, the item and no Cut/Copy/Paste', () => {
    assert.deepEqual(JSON.parse(itemContext('abc"def')), { webviewSection: 'galleryItem', itemId: 'abc"def', preventDefaultContextMenuItems: true });
  });

  it('reads back the item id from what VS Code passes (the context plus `webview`)', () => {
    const arg = { ...(JSON.parse(itemContext('item-7')) as object), webview: 'nanoBanana.gallery' };
    assert.equal(itemIdFromContext(arg), 'item-7');
  });

  it('refuses any other argument', () => {
    for (const arg of [
      undefined,
      null,
      'item-7',
      ['item-7'],
      { itemId: 'item-7' },
      { webview: 'nanoBanana.gallery', itemId: 'item-7' },
      { webview: 'other.view', webviewSection: 'galleryItem', itemId: 'item-7' },
      { webview: 'nanoBanana.gallery', webviewSection: 'jobs', itemId: 'item-7' },
      { webview: 'nanoBanana.gallery', webviewSection: 'galleryItem', itemId: '' },
      { webview: 'nanoBanana.gallery', webviewSection: 'galleryItem', itemId: 7 },
      { webview: 'nanoBanana.gallery', webviewSection: 'galleryItem', itemId: 'x'.repeat(201) },
    ]) {
      assert.equal(itemIdFromContext(arg), undefined, JSON.stringify(arg));
    }
  });
});
