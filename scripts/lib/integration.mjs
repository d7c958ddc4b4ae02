// Integration tests in a real VS Code: code-server + headless Chromium open a dev-host window whose payload
// names our extension (extensionDevelopmentPath) and the compiled mocha runner (extensionTestsPath).
// The runner's run() executes in the Node extension host; the page reports its output through
// window.codeAutomationLog and its end through window.codeAutomationExit(code).
// Counts come from a JSON file the runner writes to $NB_TEST_RESULT_FILE (the server's env reaches the host);
// a run in which no test passed or failed (nothing matched NB_TEST_GREP, no test defined) is a failure.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { format, inspect } from 'node:util';
import { ensureVsCodeTestEnv } from '../setup-vscode.mjs';
import { launchBrowser, startCodeServer, workbenchUrl } from './code-server.mjs';

/** Turns codeAutomationLog's (type, args) into text: args are console.log-style (format string first). */
export function formatAutomationLog(type, args) {
  const list = Array.isArray(args) ? args : [args];
  let text = typeof list[0] === 'string' ? format(...list) : list.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' ');
  text = text.replace(/^\[Extension Host\]\s*/, '');
  return { type, text };
}

/** Workbench chatter that says nothing about our tests (start-up steps, offline look-ups, slow contributions). */
export const WORKBENCH_NOISE = [
  /ERR_NAME_NOT_RESOLVED|ENOTFOUND|getaddrinfo|EAI_AGAIN|ERR_INTERNET_DISCONNECTED/,
  /open-vsx\.org|marketplace|vsassets|update\.code\.visualstudio|exp-tas\.com|vscode-unpkg/i,
  /^(Resolving|Resolved) connection token|^Creating a socket|^\[reconnection-grace-time\]|^Updating additional builtin extensions cache/,
  /^\[Service Worker\]|^\[AgentHost|^\[AccountPolicyGate\]|^Creation of workbench contribution .* took \d+ms/,
  /^Canceled: Canceled\b/, // the workbench tearing down the extension host after the run
];

/**
 * Opens the dev-host window and waits for its end: `{ code }` from codeAutomationExit, or `{ error }` when
 * the page crashed, the time ran out or code-server died.
 */
async function openAndAwaitExit({ browser, server, url, timeoutMs, log, verbose }) {
  const page = await browser.context.newPage();
  let resolveExit;
  const exited = new Promise((r) => (resolveExit = r));
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const { text } = formatAutomationLog(type, args);
    if (!verbose && WORKBENCH_NOISE.some((re) => re.test(text))) return;
    for (const line of text.split('\n')) log(`  ${line}`);
  });
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit({ code }));
  page.on('crash', () => resolveExit({ error: 'the workbench page crashed' }));
  if (verbose) page.on('console', (m) => log(`[page ${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => verbose && log(`[page error] ${e.message}`));

  let timer;
  const timedOut = new Promise(
    (r) => (timer = setTimeout(() => r({ error: `timed out after ${timeoutMs / 1000} s waiting for the tests to finish` }), timeoutMs)),
  );
  const serverDied = (async () => {
    while (!server.stopped) {
      await new Promise((r) => setTimeout(r, 500));
      try {
        process.kill(server.pid, 0);
      } catch {
        return { error: `code-server died:\n${server.tail()}` };
      }
    }
    return new Promise(() => {});
  })();
  try {
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    return await Promise.race([exited, timedOut, serverDied]);
  } finally {
    clearTimeout(timer);
    server.stopped = true;
  }
}

/** The run's counts from the runner's result file and the way the host ended. */
function settle(outcome, result, { server, testsIndex, repoRoot }) {
  const fail = (msg, passed = 0) => ({ passed, failed: 1, pending: 0, failures: [msg] });
  if (outcome.error) {
    const r = fail(`integration run failed: ${outcome.error}`, result?.passed ?? 0);
    if (result) (r.failures.unshift(...result.failures), (r.failed += result.failed), (r.pending = result.pending ?? 0));
    return r;
  }
  if (!result) {
    return fail(
      `the extension host exited with code ${outcome.code} and wrote no result to $NB_TEST_RESULT_FILE ` +
        `(run() was not reached or crashed first: check that the extension loads and ${path.relative(repoRoot, testsIndex)} exists); code-server log ${server.logFile}`,
    );
  }
  const r = { passed: result.passed, failed: result.failed, pending: result.pending ?? 0, failures: result.failures };
  if (r.passed + r.failed === 0) {
    r.failed = 1;
    r.failures.push(`no integration test ran (${r.pending} pending)`);
  }
  if (outcome.code !== 0 && r.failed === 0) {
    r.failed = 1;
    r.failures.push(`the extension host exited with code ${outcome.code} though no mocha test failed`);
  }
  return r;
}

/**
 * @param {{ repoRoot: string, testsIndex: string, workspace: string, settings?: object, env?: Record<string,string>,
 *           timeoutMs?: number, log?: (line: string) => void }} o
 * @returns {Promise<{ passed: number, failed: number, pending: number, failures: string[] }>}
 */
export async function runIntegrationTests({ repoRoot, testsIndex, workspace, settings = {}, env = {}, timeoutMs = 5 * 60_000, log = (l) => console.log(l) }) {
  const t0 = Date.now();
  const fail = (msg) => ({ passed: 0, failed: 1, pending: 0, failures: [msg] });
  if (!existsSync(testsIndex)) return fail(`tests index ${testsIndex} is missing (did \`npm run compile-tests\` run?)`);
  const main = path.join(repoRoot, 'dist', 'extension.js');
  if (!existsSync(main)) log(`[harness] warning: ${path.relative(repoRoot, main)} is missing (did \`npm run build\` run?); the extension will not load`);

  const tmp = await mkdtemp(path.join(os.tmpdir(), 'nb-int-result-'));
  const resultFile = path.join(tmp, 'result.json');
  const verbose = !!process.env.NB_HARNESS_VERBOSE;
  let server;
  let browser;
  let ok = false;
  try {
    const tools = await ensureVsCodeTestEnv({ log });
    server = await startCodeServer({ tools, env: { ...env, NB_TEST_RESULT_FILE: resultFile }, workspace, settings, log });
    browser = await launchBrowser({ chromium: tools.chromium, log });
    const url = workbenchUrl(server, { workspace, extensionDevelopmentPath: repoRoot, extensionTestsPath: testsIndex.replace(/\.js$/, '') });
    log(`[harness] opening the dev-host window (${path.relative(repoRoot, testsIndex)})`);
    const outcome = await openAndAwaitExit({ browser, server, url, timeoutMs, log, verbose });

    let result = null;
    try {
      result = JSON.parse(await readFile(resultFile, 'utf8'));
    } catch {
      /* the runner did not get to write it */
    }
    const r = settle(outcome, result, { server, testsIndex, repoRoot });
    ok = r.failed === 0;
    if (!outcome.error) log(`[harness] integration run took ${((Date.now() - t0) / 1000).toFixed(1)} s (exit code ${outcome.code})`);
    return r;
  } catch (e) {
    return fail(`integration harness error: ${e?.stack ?? e}`);
  } finally {
    if (server) server.stopped = true;
    await Promise.allSettled([browser?.close(), server?.stop({ keep: !ok || !!process.env.NB_HARNESS_KEEP })]);
    await rm(tmp, { recursive: true, force: true });
  }
}
