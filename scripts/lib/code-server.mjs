// Start/stop helpers for code-server (VS Code in a browser, Node extension host) and headless Chromium.
// Everything started here is stopped again: by stop()/close(), and on process exit, SIGINT and SIGTERM.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ensureVsCodeTestEnv } from '../setup-vscode.mjs';

// ---------------------------------------------------------------- cleanup on exit

const cleanups = new Map(); // id -> { async: () => Promise, sync: () => void }
let hooked = false;

function hookProcess() {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const c of cleanups.values()) {
      try {
        c.sync();
      } catch {
        /* exiting anyway */
      }
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, async () => {
      process.stderr.write(`\n[harness] ${sig}: stopping code-server and browsers …\n`);
      await stopAll();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

/** Registers something to stop; returns an unregister function. */
export function registerCleanup(asyncStop, syncStop = () => {}) {
  hookProcess();
  const id = randomUUID();
  cleanups.set(id, { async: asyncStop, sync: syncStop });
  return () => cleanups.delete(id);
}

/** Stops everything still registered (code-server instances, browsers). */
export async function stopAll() {
  const all = [...cleanups.values()];
  cleanups.clear();
  await Promise.allSettled(all.map((c) => c.async()));
}

// ---------------------------------------------------------------- helpers

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Pids of live processes whose environment holds NAME=value (Linux /proc; [] elsewhere). */
export function pidsWithEnv(name, value) {
  if (!existsSync('/proc')) return [];
  const needle = Buffer.from(`${name}=${value}\0`);
  const pids = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${e}/environ`).includes(needle)) pids.push(Number(e));
    } catch {
      /* gone or not ours */
    }
  }
  return pids;
}

function killQuietly(pid, sig) {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** Settings that keep welcome pages, trust prompts, tips, telemetry notices and the chat panel out of the way. */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.settings.enableNaturalLanguageSearch': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.editor.enablePreview': false,
  'security.workspace.trust.enabled': false,
  'security.workspace.trust.startupPrompt': 'never',
  'telemetry.telemetryLevel': 'off',
  'telemetry.feedback.enabled': false,
  'update.mode': 'none',
  'update.showReleaseNotes': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'git.autoRepositoryDetection': false,
  'npm.autoDetect': 'off',
  'files.hotExit': 'off',
  'window.restoreWindows': 'none',
  'editor.accessibilitySupport': 'off',
  'accessibility.verbosity.panelChat': false,
  'workbench.localHistory.enabled': false,
};

// ---------------------------------------------------------------- code-server

/**
 * Starts code-server on 127.0.0.1, detached in its own process group, and waits for /healthz.
 * @param {{ env?: Record<string,string>, userDataDir?: string, extensionsDir?: string, workspace?: string,
 *           port?: number, settings?: object, log?: (line: string) => void, tools?: { node24: string, codeServer: string },
 *           readyTimeoutMs?: number, verbose?: boolean }} opts
 * @returns {Promise<{ url: string, host: string, port: number, pid: number, runId: string, logFile: string, userDataDir: string, extensionsDir: string,
 *                    stop: (o?: { keep?: boolean }) => Promise<void>, tail: () => string }>}
 */
export async function startCodeServer({
  env = {},
  userDataDir,
  extensionsDir,
  workspace,
  port,
  settings = {},
  keybindings,
  log = (l) => console.log(l),
  tools,
  readyTimeoutMs = 60_000,
  verbose = !!process.env.NB_HARNESS_VERBOSE,
} = {}) {
  const t0 = Date.now();
  tools ??= await ensureVsCodeTestEnv({ log });
  const base = await mkdtemp(path.join(os.tmpdir(), 'nb-code-server-'));
  userDataDir ??= path.join(base, 'user-data');
  extensionsDir ??= path.join(base, 'extensions');
  await mkdir(path.join(userDataDir, 'User'), { recursive: true });
  await mkdir(extensionsDir, { recursive: true });
  await writeFile(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2));
  if (keybindings?.length) await writeFile(path.join(userDataDir, 'User', 'keybindings.json'), JSON.stringify(keybindings, null, 2));
  port ??= await freePort();
  const host = '127.0.0.1';
  const configFile = path.join(base, 'config.yaml');
  await writeFile(configFile, `bind-addr: ${host}:${port}\nauth: none\ncert: false\n`);
  const logFile = path.join(base, 'code-server.log');

  const runId = randomUUID();
  const args = [
    tools.codeServer,
    '--config',
    configFile,
    '--bind-addr',
    `${host}:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--disable-proxy',
    '--ignore-last-opened',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--vscode-option',
    'enable-smoke-test-driver', // window.codeAutomationLog/Exit + the extension test protocol
  ];
  if (workspace) args.push(workspace);
  const childEnv = {
    ...process.env,
    ...env,
    NB_HARNESS_RUN_ID: runId, // inherited by every descendant: lets stop() find strays outside the group
    PATH: `${path.dirname(tools.node24)}${path.delimiter}${process.env.PATH}`,
  };
  for (const k of Object.keys(childEnv)) if (/^npm_/i.test(k) || k === 'PASSWORD' || k === 'HASHED_PASSWORD' || k === 'VSCODE_OPTIONS') delete childEnv[k];

  const out = createWriteStream(logFile);
  const tailLines = [];
  const onData = (buf) => {
    out.write(buf);
    for (const line of buf.toString().split('\n')) {
      if (!line.trim()) continue;
      tailLines.push(line);
      if (tailLines.length > 80) tailLines.shift();
      if (verbose) log(`[code-server] ${line}`);
    }
  };
  const child = spawn(tools.node24, args, { env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
    child.on('error', (e) => {
      exited = { code: -1, signal: null, error: e };
      resolve(exited);
    });
  });

  const killGroup = (sig) => killQuietly(-child.pid, sig);
  const killStrays = (sig) => {
    for (const pid of pidsWithEnv('NB_HARNESS_RUN_ID', runId)) killQuietly(pid, sig);
  };
  let stopping = null;
  /** Stops the server's whole process tree; removes its temp folder (log, default user data) unless keep. */
  const stop = ({ keep = !!process.env.NB_HARNESS_KEEP } = {}) =>
    (stopping ??= (async () => {
      unregister();
      if (!exited) killGroup('SIGTERM');
      killStrays('SIGTERM');
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline && (!exited || pidsWithEnv('NB_HARNESS_RUN_ID', runId).length)) await sleep(100);
      killGroup('SIGKILL');
      killStrays('SIGKILL');
      await Promise.race([exitPromise, sleep(2_000)]);
      await new Promise((r) => out.end(r));
      if (keep) log(`[harness] kept code-server's files in ${base}`);
      else await rm(base, { recursive: true, force: true, maxRetries: 3 }).catch(() => {});
    })());
  const unregister = registerCleanup(stop, () => {
    killGroup('SIGKILL');
    killStrays('SIGKILL');
  });
  const tail = () => tailLines.join('\n');

  // Wait for /healthz (or for the process to die).
  const url = `http://${host}:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(
        `code-server exited during start-up (${exited.error?.message ?? `code ${exited.code}, signal ${exited.signal}`}); log ${logFile}:\n${tail()}`,
      );
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer ${url}/healthz within ${readyTimeoutMs / 1000} s; log ${logFile}:\n${tail()}`);
    }
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) break;
    } catch {
      /* not yet */
    }
    await sleep(150);
  }
  log(`[harness] code-server ready at ${url} in ${((Date.now() - t0) / 1000).toFixed(1)} s (log ${logFile})`);
  return { url, host, port, logFile, userDataDir, extensionsDir, stop, tail, pid: child.pid, runId };
}

/** vscode-remote URI of a server-side absolute path, as the workbench payload wants it. */
export function remoteUri(server, absPath) {
  return `vscode-remote://${server.host}:${server.port}${absPath.split(path.sep).map(encodeURIComponent).join('/')}`;
}

/**
 * Workbench URL opening `workspace` with a dev-host payload.
 * @param {{ url: string, host: string, port: number }} server
 * @param {{ workspace?: string, extensionDevelopmentPath?: string, extensionTestsPath?: string }} o
 */
export function workbenchUrl(server, { workspace, extensionDevelopmentPath, extensionTestsPath }) {
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remoteUri(server, extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(server, extensionTestsPath)]);
  payload.push(['skipWelcome', 'true']);
  const q = [];
  if (workspace) q.push(`folder=${encodeURIComponent(workspace)}`);
  q.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return `${server.url}/?${q.join('&')}`;
}

// ---------------------------------------------------------------- browser

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * Launches headless Chromium (Debian's, via playwright-core) with a fresh profile; always closed again.
 * `args`: more command-line switches (after the harness's and Playwright's own: a switch given again wins).
 * @returns {Promise<{ browser: import('playwright-core').Browser, context: import('playwright-core').BrowserContext, close: () => Promise<void> }>}
 */
export async function launchBrowser({ chromium: executablePath, viewport = { width: 1400, height: 900 }, log = () => {}, args = [] } = {}) {
  executablePath ??= (await ensureVsCodeTestEnv({ log })).chromium;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS, ...args], headless: true, timeout: 60_000 });
  const pid = browser.process?.()?.pid;
  let closing = null;
  const close = () =>
    (closing ??= (async () => {
      unregister();
      await Promise.race([browser.close().catch(() => {}), sleep(10_000)]);
      if (pid) killQuietly(pid, 'SIGKILL');
    })());
  const unregister = registerCleanup(close, () => pid && killQuietly(pid, 'SIGKILL'));
  const context = await browser.newContext({ viewport, locale: 'en-US', ignoreHTTPSErrors: true });
  return { browser, context, close };
}
