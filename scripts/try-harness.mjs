// Exercises the VS Code test harness on its own (not the project's test runner).
//   node scripts/try-harness.mjs [setup|server|integration|e2e|all]   (default all)
// NB_HARNESS_VERBOSE=1 streams code-server's log and the page console.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureVsCodeTestEnv } from './setup-vscode.mjs';
import { launchBrowser, startCodeServer, workbenchUrl } from './lib/code-server.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const what = process.argv[2] ?? 'all';
const log = (l) => process.stdout.write(l + '\n');
const secs = (t0) => ((Date.now() - t0) / 1000).toFixed(1);

const made = [];
async function workspace(name) {
  const dir = await mkdtemp(path.join(os.tmpdir(), `nb-try-${name}-`));
  await mkdir(path.join(dir, 'docs'), { recursive: true });
  await writeFile(path.join(dir, 'docs', 'prompts.md'), '# Prompts\n\nA watercolor banana on a blue table\n\nSecond line of text\n');
  made.push(dir);
  return dir;
}

const report = [];
let bad = 0;

if (what === 'setup' || what === 'all' || what === 'server') {
  const t0 = Date.now();
  await ensureVsCodeTestEnv({ log });
  report.push(`setup (cached check or install): ${secs(t0)} s`);
}

if (what === 'server' || what === 'all') {
  // Warm start-up: code-server ready + Chromium + workbench rendered.
  const t0 = Date.now();
  const ws = await workspace('server');
  const server = await startCodeServer({ workspace: ws, log });
  const tServer = secs(t0);
  const browser = await launchBrowser({ log });
  const page = await browser.context.newPage();
  await page.goto(workbenchUrl(server, { workspace: ws, extensionDevelopmentPath: repoRoot }));
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'docs' }).first().waitFor({ timeout: 60_000 });
  report.push(`warm start: code-server ready ${tServer} s, workbench with the folder shown ${secs(t0)} s`);
  await browser.close();
  await server.stop();
}

if (what === 'integration' || what === 'all') {
  const { runIntegrationTests } = await import('./lib/integration.mjs');
  const t0 = Date.now();
  const r = await runIntegrationTests({
    repoRoot,
    testsIndex: path.join(repoRoot, 'out', 'test', 'integration', 'index.js'),
    workspace: await workspace('int'),
    settings: {},
    env: {},
    timeoutMs: 3 * 60_000,
    log,
  });
  report.push(`integration: ${r.passed} passed, ${r.failed} failed in ${secs(t0)} s`);
  for (const f of r.failures) report.push(`  ✗ ${f}`);
  bad += r.failed;
}

if (what === 'e2e' || what === 'all') {
  const { runE2ETests } = await import('./lib/e2e.mjs');
  const t0 = Date.now();
  const r = await runE2ETests({
    repoRoot,
    workspace: await workspace('e2e'),
    settings: {},
    env: {},
    log,
    screenshotsDir: path.join(repoRoot, 'test-results', 'screenshots'),
  });
  report.push(`e2e: ${r.passed} passed, ${r.failed} failed in ${secs(t0)} s`);
  for (const f of r.failures) report.push(`  ✗ ${f}`);
  bad += r.failed;
}

for (const d of made) await rm(d, { recursive: true, force: true });
log('\n=== try-harness');
for (const l of report) log(l);
process.exit(bad ? 1 : 0);
