// Activation: the bundled extension is required and activate() run against a stand-in of the
// `vscode` module; then the engine bundle (loaded on the first command) is required.
import { createRequire } from 'node:module';
import Module from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { table } from './common.mjs';

export const title = 'Activation: what starting the extension costs';

const require = createRequire(import.meta.url);

// A stand-in for the `vscode` module: just enough surface for activate() to run. Anything not
// listed is a function that returns a disposable (registerX, onDidX, createX …), so activation can
// register what it likes; what it reads (the workspace) is given.
const anything = () => new Proxy(function () {}, { get: (_t, k) => (k === 'dispose' ? () => {} : anything()), apply: () => anything() });
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

function installFakeVscode(root) {
  const known = {
    Uri: { joinPath: () => ({}), file: (p) => ({ fsPath: p, scheme: 'file', toString: () => `file://${p}` }) },
    workspace: { workspaceFile: undefined, workspaceFolders: [{ uri: { scheme: 'file', fsPath: root, toString: () => `file://${root}` } }] },
    // Read by the walkthrough (it opens on first run of an installed extension only).
    ExtensionMode: { Production: 1, Development: 2, Test: 3 },
  };
  const fakeVscode = Object.fromEntries([...NAMES.map((n) => [n, anything()]), ...Object.entries(known).map(([k, v]) => [k, wrap(v)])]);
  const origResolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    if (request === 'vscode') return 'vscode';
    return origResolve.call(this, request, ...rest);
  };
  require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: fakeVscode };
}

export async function run(ctx) {
  installFakeVscode(ctx.root);
  const memento = { get: () => undefined, update: async () => undefined };
  const secrets = { get: async () => undefined, onDidChange: () => ({ dispose: () => undefined }) };
  const context = {
    subscriptions: [],
    globalState: memento,
    workspaceState: memento,
    secrets,
    globalStorageUri: { fsPath: path.join(ctx.root, '.cache', 'bench-storage') },
  };
  const t0 = performance.now();
  const ext = require(path.join(ctx.root, 'dist', 'extension.js'));
  const t1 = performance.now();
  ext.activate(context);
  const t2 = performance.now();
  try {
    require(path.join(ctx.root, 'dist', 'services.js'));
  } catch {
    // services.js needs more of the vscode API than the stand-in has; loading is what is timed.
  }
  const t3 = performance.now();
  const r = (ms) => Math.round(ms * 100) / 100;
  const json = { requireMs: r(t1 - t0), activateMs: r(t2 - t1), registrations: context.subscriptions.length, engineLoadMs: r(t3 - t2) };
  const lines = table(
    ['what', 'figure', 'goal'],
    [
      [
        'require dist/extension.js + activate()',
        `${(t2 - t0).toFixed(2)} ms (${json.registrations} registrations)`,
        'registrations only (no goal in the issue)',
      ],
      ['engine bundle load on first use', `${(t3 - t2).toFixed(2)} ms`, 'once, on the first command'],
    ],
  );
  return { json, lines };
}
