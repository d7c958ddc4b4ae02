/**
 * A stand-in for the `vscode` module, so the VS Code layer's wording (src/vscode/*) can be tested in
 * plain Node: it records every notification, quick pick, status bar item and log line the code
 * shows. Importing this file installs it; import it before anything from src/vscode.
 */
import Module from 'node:module';

/** One thing the code showed: a notification (`info`/`warning`/`error`) or a quick pick. */
export interface Shown {
  api: 'info' | 'warning' | 'error' | 'quickPick';
  message: string;
  /** A notification's options (`{ modal, detail }`) when it had some. */
  options?: { modal?: boolean; detail?: string };
  /** A notification's buttons, or a quick pick's items. */
  items: unknown[];
}

export const shown: Shown[] = [];
export const logLines: string[] = [];
export const statusItems: FakeStatusBarItem[] = [];

export class FakeStatusBarItem {
  text = '';
  tooltip: unknown;
  name = '';
  command: unknown;
  backgroundColor: unknown;
  accessibilityInformation: unknown;
  visible = false;
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  dispose(): void {}
}

export interface FakeUri {
  scheme: string;
  path: string;
  fsPath: string;
  toString(): string;
}

export function fakeUri(path: string, scheme = 'file'): FakeUri {
  return { scheme, path, fsPath: path, toString: () => `${scheme}://${path}` };
}

function format(message: string, args: unknown[]): string {
  return message.replace(/\{(\d+)\}/g, (m, i: string) => (Number(i) < args.length ? String(args[Number(i)]) : m));
}

function notify(api: Shown['api']) {
  return (message: string, ...rest: unknown[]) => {
    const options = rest[0] !== null && typeof rest[0] === 'object' ? (rest.shift() as Shown['options']) : undefined;
    shown.push({ api, message, options, items: rest });
    return Promise.resolve(undefined);
  };
}

/** vscode.FileSystemError: an error with a `code` such as 'FileExists'. */
export class FileSystemError extends Error {
  constructor(
    message?: string,
    readonly code = 'Unknown',
  ) {
    super(message);
  }
}

/** What `vscode.workspace.fs` answers; tests replace the functions they need. */
export const fs = {
  stat: (_uri: FakeUri): Promise<{ size: number }> => Promise.reject(new Error('ENOENT')),
  readFile: (_uri: FakeUri): Promise<Uint8Array> => Promise.resolve(new Uint8Array()),
  writeFile: (): Promise<void> => Promise.resolve(),
  createDirectory: (): Promise<void> => Promise.resolve(),
  rename: (): Promise<void> => Promise.resolve(),
  delete: (): Promise<void> => Promise.resolve(),
};

export const workspace = {
  fs,
  workspaceFolders: undefined as { uri: FakeUri; name: string; index: number }[] | undefined,
  getWorkspaceFolder: (_uri: FakeUri) => undefined,
  asRelativePath: (u: FakeUri | string) => (typeof u === 'string' ? u : u.path.replace(/^\/ws\//, '')),
};

export const fakeVscode = {
  l10n: { t: (message: string, ...args: unknown[]) => format(message, args) },
  window: {
    showInformationMessage: notify('info'),
    showWarningMessage: notify('warning'),
    showErrorMessage: notify('error'),
    showQuickPick: async (items: unknown, options?: { title?: string }) => {
      shown.push({ api: 'quickPick', message: options?.title ?? '', items: [...((await items) as unknown[])] });
      return undefined;
    },
    showOpenDialog: () => Promise.resolve(undefined),
    createStatusBarItem: () => {
      const item = new FakeStatusBarItem();
      statusItems.push(item);
      return item;
    },
    createOutputChannel: () => ({
      info: (l: string) => logLines.push(l),
      warn: (l: string) => logLines.push(l),
      error: (l: string) => logLines.push(l),
      debug: (l: string) => logLines.push(l),
      show: () => undefined,
      dispose: () => undefined,
    }),
  },
  workspace,
  commands: { executeCommand: () => Promise.resolve(undefined) },
  Uri: {
    file: (p: string) => fakeUri(p),
    parse: (s: string) => fakeUri(s.replace(/^[a-z]+:\/\//i, ''), s.split(':')[0]),
    joinPath: (base: FakeUri, ...segments: string[]) => fakeUri([base.path, ...segments].join('/'), base.scheme),
  },
  StatusBarAlignment: { Left: 1, Right: 2 },
  FileSystemError,
  FileType: { Unknown: 0, File: 1, Directory: 2, SymbolicLink: 64 },
  ViewColumn: { Active: -1, Beside: -2 },
  ThemeColor: class {
    constructor(readonly id: string) {}
  },
  EventEmitter: class<T> {
    private listeners: ((e: T) => void)[] = [];
    event = (l: (e: T) => void) => {
      this.listeners.push(l);
      return { dispose: () => (this.listeners = this.listeners.filter((x) => x !== l)) };
    };
    fire(e: T): void {
      for (const l of [...this.listeners]) l(e);
    }
    dispose(): void {
      this.listeners = [];
    }
  },
};

/** Forgets what was shown (between tests). */
export function clearShown(): void {
  shown.length = 0;
  logLines.length = 0;
  statusItems.length = 0;
}

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
const mod = Module as unknown as { _load: Loader };
const load = mod._load;
mod._load = function (request: string, parent: unknown, isMain: boolean) {
  if (request === 'vscode') return fakeVscode;
  return load.call(this, request, parent, isMain);
};
