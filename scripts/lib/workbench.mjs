// Playwright helpers for driving the VS Code workbench (code-server, VS Code 1.139) in UI tests.
// Selectors are VS Code's own DOM classes; each helper waits for the state it needs rather than sleeping.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * @param {import('playwright-core').Page} page
 * @param {{ log?: (line: string) => void, screenshotsDir?: string, workspace?: string, timeout?: number }} [opts]
 */
export function createWorkbench(page, { log = () => {}, screenshotsDir, workspace, timeout = 20_000 } = {}) {
  const quickInput = page.locator('.quick-input-widget');
  const quickInputBox = quickInput.locator('.quick-input-box input');
  const isMac = process.platform === 'darwin';
  const mod = isMac ? 'Meta' : 'Control';

  const wb = {
    page,
    timeout,

    /** Waits until the workbench is up: parts rendered, the workspace folder in the explorer, the extension host connected. */
    async waitReady({ timeout: t = 90_000 } = {}) {
      const t0 = Date.now();
      await page.locator('.monaco-workbench').waitFor({ timeout: t });
      await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: t });
      await page.locator('.monaco-workbench .part.editor').waitFor({ timeout: t });
      if (workspace) {
        // The explorer's root is the folder's name; its children render once the remote file system answers.
        const name = path.basename(workspace);
        await page
          .locator('.part.sidebar .pane-header', { hasText: new RegExp(escapeRe(name), 'i') })
          .first()
          .waitFor({ timeout: t });
      }
      // Extension host ready: the "activating extensions" progress of the status bar is gone.
      await page.waitForFunction(
        () => !document.querySelector('.statusbar-item[id*="extensionHostProgress"], .statusbar-item .codicon-sync.codicon-modifier-spin'),
        null,
        { timeout: t },
      );
      log(`[workbench] ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    },

    /** Closes quick input, modal dialogs and context menus that may be open. */
    async dismiss() {
      const open = page.locator('.quick-input-widget:visible, .monaco-dialog-box:visible, .context-view .monaco-menu:visible');
      for (let i = 0; i < 4 && (await open.count()) > 0; i++) await page.keyboard.press('Escape');
    },

    /** The modal dialog shown now (e.g. "Command '…' resulted in an error"): { title, detail, buttons } or null. */
    async dialog() {
      const box = page.locator('.monaco-dialog-box:visible').first();
      if (!(await box.count())) return null;
      return box.evaluate((el) => ({
        title: el.querySelector('.dialog-message-text')?.innerText?.trim() ?? '',
        detail: el.querySelector('.dialog-message-detail')?.innerText?.trim() ?? '',
        buttons: [...el.querySelectorAll('.dialog-buttons .monaco-button')].map((b) => b.textContent?.trim() ?? ''),
      }));
    },

    /**
     * Waits until `locator` is visible, failing early (with its text) if a modal dialog or an error
     * notification shows up instead, e.g. when a command threw.
     */
    async waitForOrError(locator, { timeout: t = timeout, what = 'the expected UI' } = {}) {
      const deadline = Date.now() + t;
      for (;;) {
        if (
          await locator
            .first()
            .isVisible()
            .catch(() => false)
        )
          return locator.first();
        const d = await wb.dialog();
        if (d) throw new Error(`a dialog appeared instead of ${what}: ${d.title}${d.detail ? ` — ${d.detail}` : ''}`);
        const errs = (await wb.notifications()).filter((n) => n.severity === 'error');
        if (errs.length) throw new Error(`an error notification appeared instead of ${what}: ${errs.map((n) => n.message).join(' | ')}`);
        if (Date.now() > deadline) throw new Error(`${what} did not appear within ${t / 1000} s`);
        await page.waitForTimeout(200);
      }
    },

    /** Opens the quick input with `keys` (falls back to `fallback`); returns the input box. */
    async openQuickInput(keys, fallback) {
      await wb.dismiss();
      await page
        .locator('.monaco-workbench')
        .click({ position: { x: 5, y: 5 }, trial: true })
        .catch(() => {});
      for (const k of [keys, fallback].filter(Boolean)) {
        await page.keyboard.press(k);
        try {
          await quickInputBox.waitFor({ state: 'visible', timeout: 3_000 });
          return quickInputBox;
        } catch {
          /* try the next key */
        }
      }
      throw new Error(`quick input did not open with ${keys}${fallback ? ` or ${fallback}` : ''}`);
    },

    /** Runs a command by its palette title (e.g. "Nano Banana: Show Gallery") through F1. */
    async runCommand(title, { timeout: t = timeout, quiet = false } = {}) {
      const row = quickInput
        .locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRe(title)}\\s*$`, 'i') }) })
        .first();
      // The palette lists the commands known when it opens: right after start-up an extension's
      // commands may not be registered yet, so reopen it until the command shows (or time runs out).
      const deadline = Date.now() + t;
      for (;;) {
        const box = await wb.openQuickInput('F1', `${mod}+Shift+P`);
        try {
          // A palette opened while another part takes the focus (a walkthrough opening) closes at
          // once and its input stays inert: that is a try that failed, like a missing command.
          await box.fill(`>${title}`, { timeout: Math.min(3_000, Math.max(500, deadline - Date.now())) });
          await row.waitFor({ state: 'visible', timeout: Math.min(3_000, Math.max(500, deadline - Date.now())) });
          break;
        } catch {
          const shown = await quickInput
            .locator('.monaco-list-row .label-name')
            .allInnerTexts()
            .catch(() => []);
          await wb.dismiss();
          if (Date.now() >= deadline)
            throw new Error(`command "${title}" is not in the command palette (showing: ${shown.slice(0, 8).join(' | ') || 'nothing'})`);
          if (!quiet) log(`[workbench] "${title}" is not in the command palette yet; trying again`);
        }
      }
      await row.click();
      // The palette is gone once the quick input is hidden or shows something else: a command may
      // open its own quick input (then it never hides, and waiting for "hidden" would sit out the timeout).
      await page
        .waitForFunction(
          () => {
            const w = document.querySelector('.quick-input-widget');
            if (!w || getComputedStyle(w).display === 'none') return true;
            const input = w.querySelector('.quick-input-box input');
            return !(input instanceof HTMLInputElement) || !input.value.startsWith('>');
          },
          null,
          { timeout: t },
        )
        .catch(() => {});
      if (!quiet) log(`[workbench] ran "${title}"`);
    },

    /** Quick input currently shown (e.g. a command's own prompt): fill it and accept. */
    async answerQuickInput(text, { timeout: t = timeout } = {}) {
      await quickInputBox.waitFor({ state: 'visible', timeout: t });
      await quickInputBox.fill(text);
      await page.keyboard.press('Enter');
    },

    /** Picks an item of the quick pick shown now by its label. */
    async pickQuickItem(label, { timeout: t = timeout } = {}) {
      const row = quickInput.locator('.monaco-list-row', { hasText: label instanceof RegExp ? label : new RegExp(escapeRe(label), 'i') }).first();
      await row.waitFor({ state: 'visible', timeout: t });
      await row.click();
    },

    /** Opens a workspace file by its path relative to the folder (quick open), and waits for its tab. */
    async openFile(relPath, { timeout: t = timeout } = {}) {
      const box = await wb.openQuickInput(`${mod}+P`, `${mod}+E`);
      await box.fill(relPath);
      const base = path.basename(relPath);
      const row = quickInput.locator('.monaco-list-row', { hasText: base }).first();
      await row.waitFor({ state: 'visible', timeout: t });
      // Click the row that matches: Enter takes the selected row, which right after typing may still
      // be another file (e.g. one just restored by a reload).
      await row.click();
      await wb.tab(base).waitFor({ state: 'visible', timeout: t });
      await page.locator('.part.editor .editor-instance .monaco-editor .view-lines').first().waitFor({ timeout: t });
      log(`[workbench] opened ${relPath}`);
    },

    /** The active text editor (Monaco) element. */
    activeEditor() {
      return page.locator('.part.editor .editor-group-container.active .editor-instance .monaco-editor').first();
    },

    /** Focuses the active text editor and selects all its text. */
    async selectAll() {
      const ed = wb.activeEditor();
      await ed.locator('.view-lines').click();
      await page.keyboard.press(`${mod}+A`);
      await page.waitForFunction(() => !!document.querySelector('.part.editor .monaco-editor.focused .selected-text'), null, { timeout }).catch(() => {});
    },

    /** Types into the focused editor. */
    async type(text) {
      await page.keyboard.type(text);
    },

    /** Editor tab by title (string: contains, case-insensitive; or RegExp). */
    tab(title) {
      const re = title instanceof RegExp ? title : new RegExp(escapeRe(title), 'i');
      return page.locator('.part.editor .tabs-container .tab', { hasText: re }).first();
    },

    /** Titles of all open editor tabs. */
    async tabTitles() {
      return (await page.locator('.part.editor .tabs-container .tab .label-name').allInnerTexts()).map((s) => s.trim());
    },

    /** The active tab's title. */
    async activeTabTitle() {
      return (
        await page
          .locator('.part.editor .editor-group-container.active .tab.active .label-name')
          .first()
          .innerText()
          .catch(() => '')
      ).trim();
    },

    /** A status bar entry whose text matches (locator; `await x.waitFor()` to wait for it). */
    statusBarItem(textRegex) {
      const re = textRegex instanceof RegExp ? textRegex : new RegExp(escapeRe(textRegex), 'i');
      return page.locator('.part.statusbar .statusbar-item', { hasText: re }).first();
    },

    /** Texts of the status bar entries shown now. */
    async statusBarTexts() {
      return (await page.locator('.part.statusbar .statusbar-item').allInnerTexts()).map((s) => s.trim()).filter(Boolean);
    },

    /**
     * Notifications shown now: [{ message, source, severity, buttons }]. Reads the toasts and, when it
     * is open, the notification center. Note: code-server runs with `enable-smoke-test-driver` (the
     * dev-host payload needs it) and VS Code shows no toasts at all in that mode; notifications then
     * only appear in the center (see openNotificationCenter / waitForNotification).
     */
    async notifications() {
      return page.locator('.notifications-toasts .notification-toast, .notifications-center:visible .notification-list-item').evaluateAll((els) =>
        els.map((el) => ({
          message: el.querySelector('.notification-list-item-message')?.textContent?.trim() ?? '',
          source: el.querySelector('.notification-list-item-source')?.textContent?.trim() ?? '',
          severity: el.querySelector('.codicon-error') ? 'error' : el.querySelector('.codicon-warning') ? 'warning' : 'info',
          buttons: [...el.querySelectorAll('.notification-list-item-buttons-container .monaco-button')].map((b) => b.textContent?.trim() ?? ''),
        })),
      );
    },

    /** Opens the notification center (the bell), where notifications are listed even without toasts. */
    async openNotificationCenter({ timeout: t = timeout } = {}) {
      const center = page.locator('.notifications-center');
      if (await center.isVisible().catch(() => false)) return center;
      await wb.runCommand('Notifications: Show Notifications', { quiet: true });
      await center.waitFor({ state: 'visible', timeout: t });
      return center;
    },

    /** Closes the notification center if it is open. */
    async closeNotificationCenter() {
      const center = page.locator('.notifications-center');
      if (!(await center.isVisible().catch(() => false))) return;
      await wb.runCommand('Notifications: Hide Notifications', { quiet: true });
      await center.waitFor({ state: 'hidden', timeout }).catch(() => {});
    },

    /**
     * Waits for a notification whose message matches, as a toast or (toasts being off under the smoke
     * test driver) in the notification center, which it opens; returns its element (toast or list item).
     */
    async waitForNotification(re, { timeout: t = timeout } = {}) {
      const rx = re instanceof RegExp ? re : new RegExp(escapeRe(re), 'i');
      const message = page.locator('.notification-list-item-message', { hasText: rx });
      const toast = page.locator('.notifications-toasts .notification-toast', { has: message }).first();
      const listed = page.locator('.notifications-center .notification-list-item', { has: message }).first();
      const deadline = Date.now() + t;
      for (;;) {
        if (await toast.isVisible().catch(() => false)) return toast;
        if (await listed.isVisible().catch(() => false)) return listed;
        if (Date.now() > deadline) throw new Error(`no notification matching ${rx} within ${t / 1000} s (shown: ${JSON.stringify(await wb.notifications())})`);
        // The bell gets a dot when a notification arrives that no toast shows: look in the center.
        if (await page.locator('.part.statusbar .codicon-bell-dot').count()) await wb.openNotificationCenter().catch(() => {});
        await page.waitForTimeout(200);
      }
    },

    /** Clicks a button of the notification matching `re`. */
    async clickNotificationButton(re, button) {
      const toast = await wb.waitForNotification(re);
      await toast.locator('.monaco-button', { hasText: button }).first().click();
    },

    /**
     * The content frame of the webview shown in the editor tab titled `title` (a FrameLocator).
     * Webviews are an outer iframe (class "webview", in an overlay outside the editor DOM) holding the
     * extension's page in an inner iframe (#active-frame). Activates the tab first; picks the visible webview.
     */
    async webviewFrame(title, { timeout: t = timeout } = {}) {
      if (title) {
        const tab = wb.tab(title);
        await tab.waitFor({ state: 'visible', timeout: t });
        if (!(await tab.evaluate((el) => el.classList.contains('active')))) await tab.click();
      }
      const outer = page.locator('iframe.webview.ready:visible');
      await outer.first().waitFor({ state: 'attached', timeout: t });
      const deadline = Date.now() + t;
      for (;;) {
        // The visible one: hidden webviews keep their iframe but have no size / visibility:hidden.
        const idx = await outer.evaluateAll((els) =>
          els.findIndex(
            (el) =>
              el.getBoundingClientRect().width > 0 && getComputedStyle(el).visibility !== 'hidden' && el.closest('[style*="visibility: hidden"]') === null,
          ),
        );
        if (idx >= 0) {
          const frame = outer.nth(idx).contentFrame().locator('iframe#active-frame').contentFrame();
          await frame.locator('body').waitFor({ state: 'attached', timeout: Math.max(1_000, deadline - Date.now()) });
          return frame;
        }
        if (Date.now() > deadline) throw new Error(`no visible webview${title ? ` for "${title}"` : ''}`);
        await page.waitForTimeout(200);
      }
    },

    /** Saves a PNG of the page to screenshotsDir/<name>.png; returns its path. */
    async screenshot(name) {
      if (!screenshotsDir) return null;
      await mkdir(screenshotsDir, { recursive: true });
      const file = path.join(screenshotsDir, `${name.replace(/[^\w.-]+/g, '_')}.png`);
      await page.screenshot({ path: file });
      log(`[workbench] screenshot ${file}`);
      return file;
    },

    /** Back to a neutral state between tests: no quick input, no toasts, no editors. */
    async reset() {
      await wb.dismiss();
      await wb.closeNotificationCenter().catch(() => {});
      await wb.runCommand('View: Close All Editors', { quiet: true }).catch(() => {});
      await wb.runCommand('Notifications: Clear All Notifications', { quiet: true }).catch(() => {});
    },
  };
  return wb;
}
