// A tiny runner for UI tests in test/e2e/*.e2e.mjs, each exporting
//   export const tests = [{ name, timeout?, run: async ({ page, workbench, log, screenshot, workspace, repoRoot, ...fixtures }) => {} }];
// `fixtures` are whatever the caller passes (e.g. the API simulator); `workspace` is the opened folder on disk;
// `server` is the code-server (its user data dir, run id), `browser` the Chromium, `openWindow(folder)` a second window.
// All tests share one code-server + Chromium page: a dev-host window with our extension
// (extensionDevelopmentPath only, no extensionTestsPath). Between tests the workbench is reset
// (quick input closed, editors closed, notifications cleared). A failing test leaves a screenshot.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureVsCodeTestEnv } from '../setup-vscode.mjs';
import { launchBrowser, startCodeServer, workbenchUrl } from './code-server.mjs';
import { createWorkbench } from './workbench.mjs';

const withTimeout = (promise, ms, what) => {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms))),
  ]).finally(() => clearTimeout(timer));
};

/** Imports every *.e2e.mjs of `testsDir`: the cases, and a failure line per file that does not load. */
async function collectCases(testsDir) {
  const files = existsSync(testsDir)
    ? readdirSync(testsDir)
        .filter((f) => f.endsWith('.e2e.mjs'))
        .sort()
    : [];
  const cases = [];
  const broken = [];
  const keybindings = [];
  for (const f of files) {
    try {
      const mod = await import(pathToFileURL(path.join(testsDir, f)).href);
      if (!Array.isArray(mod.tests)) throw new Error('it does not export `tests` (an array)');
      for (const t of mod.tests) cases.push({ ...t, file: f });
      // Keybindings a test file needs (VS Code reads keybindings.json of the profile at start).
      if (Array.isArray(mod.keybindings)) keybindings.push(...mod.keybindings);
    } catch (e) {
      broken.push(`${f}: could not load: ${e?.message ?? e}`);
    }
  }
  return { files, cases, broken, keybindings };
}

/** Runs one case on the shared page; throws what the test threw (or its timeout). */
async function runCase(c, { page, workbench, server, browser, repoRoot, workspace, screenshotsDir, fixtures, log, slug, timeoutMs }) {
  await withTimeout(
    c.run({
      ...fixtures,
      page,
      workbench,
      workspace,
      repoRoot,
      server,
      browser,
      log: (l) => log(`    ${l}`),
      screenshot: (name) => workbench.screenshot(`${slug}-${name}`),
      // Another browser window on `folder` (same code-server, same profile), driven like the first.
      openWindow: async (folder) => {
        const other = await browser.context.newPage();
        const wb = createWorkbench(other, { log, screenshotsDir, workspace: folder });
        await other.goto(workbenchUrl(server, { workspace: folder, extensionDevelopmentPath: repoRoot }), {
          waitUntil: 'domcontentloaded',
          timeout: 60_000,
        });
        await wb.waitReady();
        return { page: other, workbench: wb };
      },
    }),
    c.timeout ?? timeoutMs,
    `"${c.name}"`,
  );
}

/** Runs the cases one after the other on the shared page (reset between them); counts into `result`. */
async function runSelected(selected, shared, result) {
  const { workbench, repoRoot, log } = shared;
  for (const [i, c] of selected.entries()) {
    const name = c.file.replace(/\.e2e\.mjs$/, '');
    const label = `${name} › ${c.name}`;
    const slug = `${name}-${c.name}`.replace(/[^\w.-]+/g, '_').slice(0, 100);
    const tt = Date.now();
    try {
      if (i > 0) await withTimeout(workbench.reset(), 20_000, 'reset between tests');
      await runCase(c, { ...shared, slug });
      result.passed++;
      log(`  ✔ ${label} (${Date.now() - tt} ms)`);
    } catch (e) {
      result.failed++;
      const shot = await workbench.screenshot(`FAILED-${slug}`).catch(() => null);
      const msg = `${label}: ${e?.message ?? e}${shot ? ` (screenshot ${path.relative(repoRoot, shot)})` : ''}`;
      result.failures.push(msg);
      log(`  ✗ ${msg}`);
    }
  }
}

/**
 * @param {{ repoRoot: string, workspace: string, settings?: object, env?: Record<string,string>, log?: (line: string) => void,
 *           screenshotsDir?: string, testsDir?: string, grep?: string|RegExp, timeoutMs?: number, fixtures?: object }} o
 * @returns {Promise<{ passed: number, failed: number, pending: number, failures: string[] }>}
 */
export async function runE2ETests({
  repoRoot,
  workspace,
  settings = {},
  env = {},
  log = (l) => console.log(l),
  screenshotsDir = path.join(repoRoot, 'test-results', 'screenshots'),
  testsDir = path.join(repoRoot, 'test', 'e2e'),
  grep = process.env.NB_E2E_GREP,
  timeoutMs = 60_000,
  fixtures = {},
}) {
  const t0 = Date.now();
  // Collect the tests first: a broken test file is a failure of its own.
  const { files, cases, broken, keybindings } = await collectCases(testsDir);
  if (!files.length) return { passed: 0, failed: 1, pending: 0, failures: [`no *.e2e.mjs files in ${testsDir}`] };
  const result = { passed: 0, failed: broken.length, pending: 0, failures: [...broken] };
  const re = grep ? (grep instanceof RegExp ? grep : new RegExp(grep, 'i')) : null;
  const selected = cases.filter((c) => !re || re.test(`${c.file} ${c.name}`));
  // Nothing to run proves nothing: fail now, without starting VS Code.
  if (!selected.length) {
    const why = re ? `NB_E2E_GREP=${re.source} matches none of the ${cases.length} tests` : `the test files export no tests`;
    return { ...result, failed: result.failed + 1, failures: [...result.failures, `no e2e test ran: ${why} in ${files.join(', ')}`] };
  }
  if (!existsSync(path.join(repoRoot, 'dist', 'extension.js')))
    log('[harness] warning: dist/extension.js is missing (did `npm run build` run?); the extension will not load');

  let server;
  let browser;
  try {
    const tools = await ensureVsCodeTestEnv({ log });
    server = await startCodeServer({ tools, env, workspace, settings, keybindings, log });
    browser = await launchBrowser({ chromium: tools.chromium, log });
    const page = await browser.context.newPage();
    page.on('crash', () => log('[harness] the workbench page crashed'));
    if (process.env.NB_HARNESS_VERBOSE) page.on('console', (m) => log(`[page ${m.type()}] ${m.text()}`));
    const workbench = createWorkbench(page, { log, screenshotsDir, workspace });
    await page.goto(workbenchUrl(server, { workspace, extensionDevelopmentPath: repoRoot }), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await workbench.waitReady();

    const shared = { page, workbench, server, browser, repoRoot, workspace, screenshotsDir, fixtures, log, timeoutMs };
    await runSelected(selected, shared, result);
    log(`[harness] e2e run took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return result;
  } catch (e) {
    result.failed++;
    result.failures.push(`e2e harness error: ${e?.stack ?? e}${server ? `\n--- code-server log tail ---\n${server.tail()}` : ''}`);
    return result;
  } finally {
    await Promise.allSettled([browser?.close(), server?.stop({ keep: result.failed > 0 || !!process.env.NB_HARNESS_KEEP })]);
  }
}
