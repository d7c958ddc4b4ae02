// A stand-in for the `vscode` module, for benchmarks of the bundled extension in plain Node: real
// enough for activation, the first command and the services to run (settings, secrets, events,
// URIs, the prompt box and quick picks as hooks); any other API is a callable, constructible stub
// that returns a disposable-like stub (never a thenable, so nothing awaits it forever).
import Module, { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

function anything() {
  return new Proxy(function () {}, {
    get: (_t, k) => (k === 'then' || typeof k === 'symbol' ? undefined : k === 'dispose' ? () => {} : anything()),
    apply: () => anything(),
    construct: () => anything(),
  });
}
const stubbed = (o) => new Proxy(o, { get: (t, k) => (k in t || typeof k === 'symbol' || k === 'then' ? t[k] : anything()) });

class EventEmitter {
  listeners = new Set();
  event = (fn) => {
    this.listeners.add(fn);
    return { dispose: () => this.listeners.delete(fn) };
  };
  fire(e) {
    for (const fn of [...this.listeners]) fn(e);
  }
  dispose() {
    this.listeners.clear();
  }
}

function uri(fsPath, scheme = 'file') {
  const p = fsPath.split(path.sep).join('/');
  return {
    scheme,
    fsPath,
    path: p,
    authority: '',
    query: '',
    fragment: '',
    toString: () => `${scheme}://${p}`,
    toJSON: () => ({ scheme, path: p }),
    with: (change) => uri(change.path ?? fsPath, change.scheme ?? scheme),
  };
}
const Uri = {
  file: (p) => uri(p),
  joinPath: (base, ...parts) => uri(path.join(base.fsPath, ...parts)),
  parse: (s) => (s.startsWith('file://') ? uri(decodeURIComponent(s.slice(7))) : uri(s, s.split(':')[0])),
  from: (c) => uri(c.path, c.scheme),
};

const memento = () => {
  const m = new Map();
  return { get: (k, d) => (m.has(k) ? m.get(k) : d), update: async (k, v) => void m.set(k, v), keys: () => [...m.keys()] };
};

/**
 * Installs the stand-in as `require('vscode')`. `hooks.showInputBox(options)` and
 * `hooks.showQuickPick(items, options)` answer the boxes; `settings` holds `section.key` values.
 */
export function installFakeVscode({ root, storage, settings = {}, secret, hooks = {} }) {
  const commands = new Map();
  const noop = () => ({ dispose() {} });
  const window = stubbed({
    activeTextEditor: undefined,
    visibleTextEditors: [],
    showInputBox: (o) => hooks.showInputBox?.(o) ?? Promise.resolve(undefined),
    showQuickPick: async (items, o) => hooks.showQuickPick?.(await items, o),
    showErrorMessage: async (...a) => hooks.message?.('error', ...a),
    showWarningMessage: async (...a) => hooks.message?.('warning', ...a),
    showInformationMessage: async (...a) => hooks.message?.('info', ...a),
    onDidChangeActiveTextEditor: noop,
    createOutputChannel: () => {
      const line = (l) => hooks.log?.(l);
      return stubbed({ appendLine: line, info: line, warn: line, error: line, debug: line, trace: line, append() {}, show() {}, dispose() {}, clear() {} });
    },
    createStatusBarItem: () => stubbed({ show() {}, hide() {}, dispose() {} }),
    registerWebviewPanelSerializer: noop,
  });
  const workspace = stubbed({
    workspaceFile: undefined,
    workspaceFolders: [{ uri: Uri.file(root), name: path.basename(root), index: 0 }],
    textDocuments: [],
    getConfiguration: (section) => ({
      get: (k, d) => settings[`${section}.${k}`] ?? d,
      has: (k) => `${section}.${k}` in settings,
      inspect: () => undefined,
      update: async () => undefined,
    }),
    onDidChangeConfiguration: noop,
    onDidChangeTextDocument: noop,
    onDidCloseTextDocument: noop,
    onDidOpenTextDocument: noop,
    getWorkspaceFolder: () => undefined,
    asRelativePath: (p) => String(p.fsPath ?? p),
  });
  const vscode = {
    version: '1.100.0',
    Uri,
    // Read by the walkthrough (it opens on first run of an installed extension only).
    ExtensionMode: { Production: 1, Development: 2, Test: 3 },
    EventEmitter,
    Disposable: class {
      constructor(fn) {
        this.dispose = fn;
      }
      static from(...d) {
        return { dispose: () => d.forEach((x) => x.dispose()) };
      }
    },
    window,
    workspace,
    commands: stubbed({
      registerCommand: (id, fn) => {
        commands.set(id, fn);
        return { dispose: () => commands.delete(id) };
      },
      executeCommand: async () => undefined,
    }),
    l10n: { t: (msg, ...args) => (typeof msg === 'string' ? msg : msg.message).replace(/\{(\d+)\}/g, (_m, i) => String(args[i])) },
    env: stubbed({ language: 'en', machineId: 'bench', sessionId: 'bench', appName: 'bench', uiKind: 1 }),
    StatusBarAlignment: { Left: 1, Right: 2 },
    ProgressLocation: { Notification: 15, Window: 10, SourceControl: 1 },
    QuickPickItemKind: { Separator: -1, Default: 0 },
    ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
    FileType: { Unknown: 0, File: 1, Directory: 2, SymbolicLink: 64 },
    ViewColumn: { Active: -1, Beside: -2, One: 1 },
  };
  for (const name of ['languages', 'lm', 'extensions', 'chat', 'tasks', 'debug', 'scm', 'tests', 'authentication', 'notebooks']) vscode[name] = anything();
  for (const name of [
    'CodeLens',
    'CodeAction',
    'CodeActionKind',
    'Range',
    'Position',
    'Selection',
    'Hover',
    'MarkdownString',
    'RelativePattern',
    'ThemeColor',
    'ThemeIcon',
    'LanguageModelToolResult',
    'LanguageModelTextPart',
    'FileSystemError',
    'WorkspaceEdit',
    'CancellationTokenSource',
  ]) {
    vscode[name] = anything();
  }
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
  };
  require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: stubbed(vscode) };

  const context = {
    subscriptions: [],
    globalState: memento(),
    workspaceState: memento(),
    secrets: { get: async () => secret, store: async () => undefined, delete: async () => undefined, onDidChange: noop },
    globalStorageUri: Uri.file(storage),
    storageUri: Uri.file(path.join(storage, 'ws')),
    logUri: Uri.file(path.join(storage, 'log')),
    extensionUri: Uri.file(root),
    extensionPath: root,
    extensionMode: 1,
    extension: { id: 'nano-banana-vscode.nano-banana-vscode', packageJSON: { version: '0.0.0-bench' } },
    asAbsolutePath: (p) => path.join(root, p),
    environmentVariableCollection: anything(),
  };
  return { vscode, context, commands };
}
