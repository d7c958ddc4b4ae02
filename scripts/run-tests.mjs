// Runs the test suites and ends with ONE plain line "summary: N passed, N failed" (CI reads it;
// ", N skipped" is appended when tests were pending). A stage in which no test ran fails the run.
//   node scripts/run-tests.mjs all          unit, then integration and UI tests in a real VS Code
//   node scripts/run-tests.mjs unit         plain-Node unit tests only (fast)
//   node scripts/run-tests.mjs faults       the fault suite: the real engine against a misbehaving
//                                           simulator, and the gallery against XSS; prints a table
//   node scripts/run-tests.mjs integration  mocha inside the VS Code extension host
//   node scripts/run-tests.mjs e2e          Playwright driving the workbench
// Expects `npm run build` and `npm run compile-tests` to have run (npm test does both).
import { createRequire } from 'node:module';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const which = process.argv[2] ?? 'all';
const stages = which === 'all' ? ['unit', 'faults', 'integration', 'e2e'] : [which];
const log = (line) => process.stdout.write(line + '\n');

function findTests(dir, suffix) {
  const fs = require('node:fs');
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(suffix)) out.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out.sort();
}

async function runUnit() {
  const Mocha = require('mocha');
  const mocha = new Mocha({ reporter: 'spec', timeout: 20_000 });
  const files = findTests(path.join(repoRoot, 'out', 'test', 'unit'), '.test.js');
  if (files.length === 0) throw new Error('no unit tests found under out/test/unit (did `npm run compile-tests` run?)');
  for (const f of files) mocha.addFile(f);
  const failures = [];
  const stats = await new Promise((resolve) => {
    const runner = mocha.run(() => resolve(runner.stats));
    runner.on('fail', (test, err) => failures.push(`${test.fullTitle()}: ${err?.message ?? err}`));
  });
  return { passed: stats.passes, failed: stats.failures, pending: stats.pending, failures };
}

/** The fault table of the last `faults` stage, printed again at the end of the run. */
let faultTable;
let faultRows;
let renderFaultTable;
/** Figures of the real faults in VS Code (test/e2e/resilience.e2e.mjs writes them during the e2e stage). */
const e2eFigures = path.join(repoRoot, 'test-results', 'fault-figures.json');

async function runFaults() {
  const Mocha = require('mocha');
  const mocha = new Mocha({ reporter: 'spec', timeout: 40_000 });
  const dir = path.join(repoRoot, 'out', 'test', 'faults');
  const files = findTests(dir, '.test.js');
  if (files.length === 0) throw new Error('no fault scenarios found under out/test/faults (did `npm run compile-tests` run?)');
  for (const f of files) mocha.addFile(f);
  const failures = [];
  const stats = await new Promise((resolve) => {
    const runner = mocha.run(() => resolve(runner.stats));
    runner.on('fail', (test, err) => failures.push(`${test.fullTitle()}: ${err?.message ?? err}`));
  });
  // The same module instance the scenarios recorded their rows in.
  const { rows, renderTable } = require(path.join(dir, 'figures.js'));
  faultTable = renderTable(rows);
  faultRows = rows;
  renderFaultTable = renderTable;
  log('');
  log(`fault table (${rows.length} scenarios):`);
  for (const line of faultTable) log('  ' + line);
  // A run of 0 scenarios fails the stage (the loop below counts it).
  return { passed: stats.passes, failed: stats.failures, pending: stats.pending, failures };
}

async function freshWorkspace(name) {
  const dir = await mkdtemp(path.join(os.tmpdir(), `nb-${name}-`));
  await mkdir(path.join(dir, 'docs'), { recursive: true });
  await writeFile(path.join(dir, 'docs', 'prompts.md'), '# Prompts\n\nA watercolor banana on a blue table\n\nSecond line of text\n');
  return dir;
}

async function runIntegration() {
  const { runIntegrationTests } = await import('./lib/integration.mjs');
  const testsIndex = path.join(repoRoot, 'out', 'test', 'integration', 'index.js');
  if (!existsSync(testsIndex)) throw new Error('out/test/integration/index.js is missing (did `npm run compile-tests` run?)');
  const workspace = await freshWorkspace('int');
  const result = await runIntegrationTests({ repoRoot, testsIndex, workspace, settings: {}, env: {}, timeoutMs: 5 * 60_000, log });
  // Kept when something failed, to look at what the tests wrote.
  if (result.failed === 0) await rm(workspace, { recursive: true, force: true });
  else log(`[harness] kept the integration workspace ${workspace}`);
  return result;
}

async function runE2E() {
  const { runE2ETests } = await import('./lib/e2e.mjs');
  // The UI tests talk to the local API simulator, never to the real API. The key is not in the
  // settings: the tests type it into the extension's own prompt, as a user would.
  const simulatorModule = path.join(repoRoot, 'out', 'test', 'simulator', 'server.js');
  if (!existsSync(simulatorModule)) throw new Error('out/test/simulator/server.js is missing (did `npm run compile-tests` run?)');
  const { startSimulator } = require(simulatorModule);
  await rm(e2eFigures, { force: true }); // only this run's figures go into the fault table
  const sim = await startSimulator({ apiKey: 'dk-e2e-ui-test', durationMs: 2500 });
  // A folder with a readable name (it is in the window title of docs/gallery.png), and a second
  // prompt, so the gallery shows two different images.
  const workspace = path.join(await mkdtemp(path.join(os.tmpdir(), 'nb-e2e-')), 'banana-notes');
  await mkdir(path.join(workspace, 'docs'), { recursive: true });
  await writeFile(
    path.join(workspace, 'docs', 'prompts.md'),
    '# Prompts\n\nA watercolor banana on a blue table\n\nA paper-cut banana rocket at dusk\n\nSecond line of text\n',
  );
  // Screenshots of this run only (a stale FAILED-… from an earlier run would mislead).
  const screenshotsDir = path.join(repoRoot, 'test-results', 'screenshots');
  await rm(screenshotsDir, { recursive: true, force: true });
  let result;
  try {
    result = await runE2ETests({
      repoRoot,
      workspace,
      // No word wrap, so a prompt is one editor line (Home, Shift+End select all of it).
      settings: { 'nanoBanana.apiBaseUrl': sim.url, '[markdown]': { 'editor.wordWrap': 'off' } },
      env: {},
      log,
      screenshotsDir,
      fixtures: { sim },
    });
    return result;
  } finally {
    await sim.close();
    // Keep the workspace (with what the tests saved into it) only when something failed.
    if (result && result.failed === 0) await rm(path.dirname(workspace), { recursive: true, force: true });
    else log(`[e2e] workspace kept: ${workspace}`);
  }
}

/** The e2e stage's fault figures (real reloads and kills in VS Code) as rows of the fault table. */
async function readVsCodeFaultRows() {
  if (!stages.includes('e2e')) return [];
  const all = await readFile(e2eFigures, 'utf8').then(JSON.parse, () => ({}));
  return Object.values(all).map((f) => ({
    scenario: `${f.scenario.replace(' (10 jobs)', ` (${f.jobs})`)}, VS Code`,
    jobs: f.jobs,
    delivered: f.delivered,
    failed: f.jobs - f.delivered,
    crashes: 0,
    paidLost: f.paidImagesLost,
    dupTasks: f.duplicateSubmits,
    posts: f.jobs + f.duplicateSubmits,
    told: '-',
    keySeen: f.keySeen ?? '-',
    secs: f.secs ?? 0,
    said: '',
    ok: f.delivered === f.jobs && f.duplicateSubmits === 0 && f.paidImagesLost === 0 && !f.keySeen,
  }));
}

const runners = { unit: runUnit, faults: runFaults, integration: runIntegration, e2e: runE2E };
const totals = { passed: 0, failed: 0, pending: 0 };
const rows = [];
for (const stage of stages) {
  const run = runners[stage];
  if (!run) {
    log(`unknown stage "${stage}" (use all, unit, faults, integration or e2e)`);
    process.exit(2);
  }
  const started = Date.now();
  log(`\n=== ${stage} tests`);
  let result;
  try {
    result = await run();
  } catch (e) {
    // A suite that cannot start counts as one failure, with the reason.
    result = { passed: 0, failed: 1, failures: [`${stage} suite could not run: ${e?.stack ?? e}`] };
  }
  result.pending ??= 0;
  // A stage that ran nothing (a grep matching no test, an empty suite, a start that never ran) proves nothing.
  if (result.passed + result.failed === 0) {
    result.failed = 1;
    result.failures = [
      ...(result.failures ?? []),
      `${stage}: no test ran (0 passed, 0 failed, ${result.pending} pending): every test skipped, none matched, or none defined`,
    ];
  }
  totals.passed += result.passed;
  totals.failed += result.failed;
  totals.pending += result.pending;
  rows.push({ stage, ...result, secs: ((Date.now() - started) / 1000).toFixed(1) });
}

log('\n=== results');
for (const r of rows) {
  const counts = `${String(r.passed).padStart(4)} ok ${String(r.failed).padStart(4)} not ok ${String(r.pending).padStart(4)} pending`;
  log(`  ${r.stage.padEnd(12)} ${counts}  (${r.secs} s)`);
  for (const f of r.failures ?? []) log(`    ✗ ${f}`);
}
const vsCodeRows = await readVsCodeFaultRows();
if (faultTable && vsCodeRows.length) faultTable = renderFaultTable([...faultRows, ...vsCodeRows]);
if (faultTable) {
  log('\n=== faults (figures per scenario; ✗ = a figure is off)');
  for (const line of faultTable) log('  ' + line);
}
log(`summary: ${totals.passed} passed, ${totals.failed} failed${totals.pending ? `, ${totals.pending} skipped` : ''}`);
process.exit(totals.failed > 0 || totals.passed === 0 ? 1 : 0);
