// npm run bench: prints figures (no pass/fail): activation cost of the bundled extension, the cost
// of loading the engine on first use, and how many status requests the adaptive polling makes.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import Module from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

// A stand-in for the `vscode` module: just enough surface for activate() to run. Anything not
// listed is a function that returns a disposable (registerX, onDidX, createX …), so activation can
// register what it likes; what it reads (the workspace) is given.
const disposable = { dispose() {} };
const anything = () => new Proxy(function () {}, { get: (_t, k) => (k === 'dispose' ? () => {} : anything()), apply: () => anything() });
const known = {
  Uri: { joinPath: () => ({}), file: (p) => ({ fsPath: p, scheme: 'file', toString: () => `file://${p}` }) },
  workspace: { workspaceFile: undefined, workspaceFolders: [{ uri: { scheme: 'file', fsPath: root, toString: () => `file://${root}` } }] },
};
const wrap = (o) => new Proxy(o, { get: (t, k) => (k in t ? t[k] : anything()) });
// Own keys (esbuild's interop copies them): the namespaces and classes activation may touch.
const NAMES = [
  'commands',
  'window',
  'languages',
  'lm',
  'l10n',
  'env',
  'extensions',
  'EventEmitter',
  'CodeLens',
  'CodeAction',
  'CodeActionKind',
  'Range',
  'Position',
  'Hover',
  'MarkdownString',
  'RelativePattern',
  'ThemeColor',
  'StatusBarAlignment',
  'FileType',
  'Disposable',
];
const fakeVscode = Object.fromEntries([...NAMES.map((n) => [n, anything()]), ...Object.entries(known).map(([k, v]) => [k, wrap(v)])]);
void disposable;
const origResolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'vscode') return 'vscode';
  return origResolve.call(this, request, ...rest);
};
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: fakeVscode };

const memento = { get: () => undefined, update: async () => undefined };
const secrets = { get: async () => undefined, onDidChange: () => ({ dispose: () => undefined }) };
const context = {
  subscriptions: [],
  globalState: memento,
  workspaceState: memento,
  secrets,
  globalStorageUri: { fsPath: path.join(root, '.cache', 'bench-storage') },
};
const t0 = performance.now();
const ext = require(path.join(root, 'dist', 'extension.js'));
const t1 = performance.now();
ext.activate(context);
const t2 = performance.now();
console.log(
  `activation: require ${(t1 - t0).toFixed(2)} ms + activate() ${(t2 - t1).toFixed(2)} ms = ${(t2 - t0).toFixed(2)} ms (${context.subscriptions.length} registrations)`,
);

const t3 = performance.now();
try {
  require(path.join(root, 'dist', 'services.js'));
} catch {
  // services.js needs more of the vscode API than the stand-in has; loading is what is timed.
}
const t4 = performance.now();
console.log(`engine bundle load on first use: ${(t4 - t3).toFixed(2)} ms`);

// Adaptive polling vs. fixed intervals. Real jobs vary: for each typical length, 200 jobs whose
// true length is drawn within ±25 % of it (seeded, so the figures repeat). "learned" knows only
// the typical length (the median the scheduler learns), not each job's own.
const { pollDelay } = require(path.join(root, 'out', 'src', 'core', 'jobs', 'pollPolicy.js'));
function simulate(durationMs, next) {
  let t = 0;
  let n = 0;
  while (t < durationMs) {
    t += next(t);
    n++;
  }
  return { n, lateMs: t - durationMs };
}
let seed = 42;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const strategies = [
  ['fixed 2 s', () => () => 2000],
  ['fixed 5 s', () => () => 5000],
  ['adaptive, nothing learned', () => (t) => pollDelay(t, undefined)],
  ['adaptive, learned', (typical) => (t) => pollDelay(t, typical)],
];
console.log('\nmean status requests per job / mean delay between a job finishing and being seen (200 jobs each)');
console.log(`typical | ${strategies.map(([name]) => name.padEnd(26)).join('| ')}`);
for (const typical of [8000, 20000, 45000, 90000]) {
  const jobs = Array.from({ length: 200 }, () => Math.round(typical * (0.75 + random() * 0.5)));
  const cells = strategies.map(([, make]) => {
    const rs = jobs.map((d) => simulate(d, make(typical)));
    const n = rs.reduce((a, r) => a + r.n, 0) / rs.length;
    const late = rs.reduce((a, r) => a + r.lateMs, 0) / rs.length;
    return `${n.toFixed(1).padStart(5)} req, ${(late / 1000).toFixed(2).padStart(5)} s late`.padEnd(26);
  });
  console.log(`${String(typical / 1000).padStart(5)} s | ${cells.join('| ')}`);
}
