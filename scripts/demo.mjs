// npm run demo: the whole extension in a browser, without an API key.
// Packages the .vsix, starts the API simulator (any key accepted) and code-server with the .vsix
// installed and its settings pointing at the simulator, prints the URL, and stops both on Ctrl-C.
//   node scripts/demo.mjs [--port 8080] [--sim-port 8787] [--duration 6000] [--workspace DIR]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { ensureVsCodeTestEnv } from './setup-vscode.mjs';
import { startCodeServer } from './lib/code-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const log = (line) => process.stdout.write(line + '\n');

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith('--')) {
    log(`--${name} needs a value`);
    process.exit(2);
  }
  return v;
}
const port = Number(flag('port', '8080'));
const simPort = Number(flag('sim-port', '0'));
const duration = Number(flag('duration', '6000'));
if (![port, simPort, duration].every((n) => Number.isInteger(n) && n >= 0)) {
  log('--port, --sim-port and --duration take whole numbers');
  process.exit(2);
}

const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const vsix = path.join(root, `${pkg.name}-${pkg.version}.vsix`);
const node = process.execPath;

log('1/4 building the .vsix (npm run package)…');
execFileSync(node, [path.join(root, 'scripts', 'package.mjs')], { cwd: root, stdio: 'inherit' });
log('2/4 compiling the simulator…');
execFileSync(node, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], { cwd: root, stdio: 'inherit' });

const { startSimulator } = require(path.join(root, 'out', 'test', 'simulator', 'server.js'));
const sim = await startSimulator({ port: simPort, anyKey: true, durationMs: duration });
log(`    simulator on ${sim.url} (any API key is accepted)`);

log('3/4 installing the .vsix into a fresh code-server profile…');
const tools = await ensureVsCodeTestEnv({ log });
const base = await mkdtemp(path.join(os.tmpdir(), 'nb-demo-'));
const extensionsDir = path.join(base, 'extensions');
const userDataDir = path.join(base, 'user-data');
await mkdir(extensionsDir, { recursive: true });
const childEnv = { ...process.env, PATH: `${path.dirname(tools.node24)}${path.delimiter}${process.env.PATH}` };
for (const k of Object.keys(childEnv)) if (/^npm_/i.test(k)) delete childEnv[k];
execFileSync(tools.node24, [tools.codeServer, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix], {
  env: childEnv,
  stdio: ['ignore', 'inherit', 'inherit'],
});

const workspace = path.resolve(flag('workspace', path.join(base, 'workspace')));
if (!existsSync(workspace)) {
  await mkdir(workspace, { recursive: true });
  await writeFile(
    path.join(workspace, 'README.md'),
    '# Try Nano Banana\n\nSelect the next line, right-click, and choose "Nano Banana: Generate Image":\n\n' +
      'A watercolor banana wearing sunglasses on a blue beach towel\n\n' +
      'Try also: add [sim:fail] or [sim:text] to a prompt to see how failures look.\n',
  );
}

log('4/4 starting code-server…');
let server;
try {
  server = await startCodeServer({
    tools,
    userDataDir,
    extensionsDir,
    workspace,
    port: port || undefined, // 0: any free port
    log,
    settings: {
      'nanoBanana.apiBaseUrl': sim.url,
      'workbench.startupEditor': 'readme',
    },
  });
} catch (e) {
  log(`code-server did not start: ${e?.message ?? e}`);
  await sim.close();
  process.exit(1);
}

let stopping = false;
const stop = async (code = 0) => {
  if (stopping) return;
  stopping = true;
  log('\nstopping code-server and the simulator…');
  await Promise.allSettled([server.stop(), sim.close()]);
  process.exit(code);
};
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

log('');
log(`  Open ${server.url}/?folder=${encodeURIComponent(workspace)}`);
log('  Run "Nano Banana: Generate Image"; when asked for an API key, type anything (e.g. dk-demo).');
log('  Press Ctrl-C to stop.');
