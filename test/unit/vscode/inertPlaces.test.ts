// Issue 7, place by place: every spot where the VS Code layer shows text no one here controls (the
// API's words, prompts, file names, setting values) in a notification, quick pick, status bar item
// or log line shows it inert. The VS Code API is the recording stand-in of ./fakeVscode.
import { clearShown, fakeUri, fs, logLines, shown, statusItems, workspace } from './fakeVscode';
import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { DEFAULT_CONFIG } from '../../../src/core/config';
import { NanoError, type ErrorKind, type SerializedError } from '../../../src/core/errors';
import type { HistoryItem } from '../../../src/core/history';
import type { JobChangeEvent, JobRecord } from '../../../src/core/jobs/types';
import { GalleryActions, type GalleryActionDeps } from '../../../src/vscode/commands/galleryActions';
import { NextSteps, type NextStepDeps } from '../../../src/vscode/commands/nextSteps';
import { COMMANDS, type CommandContext } from '../../../src/vscode/commands/registry';
import { describeError, describeJob } from '../../../src/vscode/errorMessages';
import { Log } from '../../../src/vscode/log';
import { Notifier } from '../../../src/vscode/notify';
import { pickOptions } from '../../../src/vscode/optionsStep';
import { readReference } from '../../../src/vscode/references';
import { saveToWorkspace, writeUniqueInFolder } from '../../../src/vscode/save';
import { JobStatusBar, runningTooltip } from '../../../src/vscode/statusBar';
import { WorkspaceCopies } from '../../../src/vscode/workspaceCopies';
import { jobRecord } from '../core/jobs/fakes';

const LINKS = '[Renew it here](command:workbench.action.openSettings) or [log in](https://evil.example/login)';
/** Outside text with a link and an icon, as an API, a selected file or a workspace setting could say it. */
const OUTSIDE = `$(zap) ${LINKS}`;
/** A file name can carry them too (but no slash). */
const FILE_NAME = '$(zap) [Renew it here](command:workbench.action.openSettings).png';

/** `text` has nothing VS Code would turn into a link, an icon or markup. */
function assertNoMarkup(text: unknown, what: string): void {
  assert.equal(typeof text, 'string', `${what} is a plain string`);
  const s = text as string;
  assert.ok(!s.includes(']('), `${what} has no Markdown link: ${s}`);
  assert.doesNotMatch(s, /[a-z]{2,}:\/\/|command:/i, `${what} has no link target: ${s}`);
  assert.doesNotMatch(s, /\$\([a-z~-]+\)/i, `${what} has no $(icon): ${s}`);
  assert.doesNotMatch(s, /<[a-z/]/i, `${what} has no HTML: ${s}`);
}

/** `text` shows the outside words readably, and nothing VS Code would turn into a link, icon or markup. */
function assertInert(text: unknown, what: string): void {
  assertNoMarkup(text, what);
  assert.match(text as string, /Renew it here/, `${what} shows the words: ${String(text)}`);
}

const ALL_KINDS: ErrorKind[] = [
  'invalid-input',
  'config',
  'auth',
  'bad-request',
  'not-found',
  'rate-limited',
  'server',
  'network',
  'protocol',
  'generation-failed',
  'text-only',
  'image',
  'io',
  'cancelled',
  'invalid-response',
];
/** The kinds whose sentence quotes the error's message (the first three: its detail, else its message). */
const QUOTES_MESSAGE: ErrorKind[] = ['bad-request', 'generation-failed', 'text-only', 'invalid-input', 'config', 'network', 'image', 'io', 'invalid-response'];
const QUOTES_DETAIL = QUOTES_MESSAGE.slice(0, 3);

function failedJob(error: SerializedError, prompt = 'a banana'): JobRecord {
  return { ...jobRecord('j1', 'failed'), request: { model: 'google/gempix2', prompt }, error };
}

describe('issue 7: outside text is shown inert by the VS Code layer', () => {
  beforeEach(() => clearShown());

  it('describeError quotes message and detail inert, for every kind', () => {
    for (const kind of ALL_KINDS) {
      const byMessage = describeError({ kind, message: OUTSIDE, retryable: false }).message;
      const byDetail = describeError({ kind, message: 'm', detail: OUTSIDE, retryable: false }).message;
      assertNoMarkup(byMessage, `describeError(${kind}) of a message`);
      assertNoMarkup(byDetail, `describeError(${kind}) of a detail`);
      if (QUOTES_MESSAGE.includes(kind)) assertInert(byMessage, `describeError(${kind}) of a message`);
      if (QUOTES_DETAIL.includes(kind)) assertInert(byDetail, `describeError(${kind}) of a detail`);
    }
  });

  it('describeError keeps its own sentences as they are (only the quoted values change)', () => {
    assert.equal(
      describeError({ kind: 'server', message: 'x', retryable: true, status: 500 }).message,
      'The API had a server error (HTTP 500). Retry in a moment.',
    );
    assert.equal(
      describeError({ kind: 'text-only', message: 'x', detail: LINKS, retryable: false }).message,
      'The model answered in words instead of an image: “⟦Renew it here⟧❨command∶workbench.action.openSettings❩ or ⟦log in⟧❨https∶//evil.example/login❩”',
    );
  });

  it('describeJob (failure notifications, the gallery) words a failed job inert', () => {
    assertInert(describeJob(failedJob({ kind: 'generation-failed', message: 'x', detail: LINKS, retryable: false }), 10).message, 'describeJob');
  });

  it('Notifier: "Image ready" quotes the prompt and the credits inert; failures too', async () => {
    const notifier = new Notifier({ visible: false }, () => DEFAULT_CONFIG);
    const job: JobRecord = { ...jobRecord('j1', 'success'), request: { model: 'google/gempix2', prompt: OUTSIDE }, consumed: '[x](command:y)' };
    await notifier.success(job, 99);
    await notifier.failure(failedJob({ kind: 'text-only', message: 'x', detail: OUTSIDE, retryable: false }));
    assert.deepEqual(
      shown.map((s) => s.api),
      ['info', 'error'],
    );
    assertInert(shown[0].message, 'the image-ready notification');
    assert.ok(!shown[0].message.includes('](') && shown[0].message.includes('⟦x⟧❨command∶y❩'), shown[0].message);
    assertInert(shown[1].message, 'the failure notification');
  });

  it('the status bar: the running tooltip is plain text, and the prompts in it and in the final tooltip are inert', () => {
    const job: JobRecord = { ...jobRecord('j1', 'in_progress'), request: { model: 'google/gempix2', prompt: OUTSIDE }, createdAt: 1000 };
    assertInert(runningTooltip([job], 13_000), 'runningTooltip');
    assert.match(runningTooltip([job], 13_000), /^generating · 0:12 — \$❨zap❩ ⟦Renew it here⟧/);
    let active = [job];
    let listener: (e: JobChangeEvent) => void = () => undefined;
    const bar = new JobStatusBar({ active: () => active, onDidChange: (l) => ((listener = l), { dispose: () => undefined }) }, 50);
    try {
      const item = statusItems[0];
      assertInert(item.tooltip, 'the running tooltip');
      assert.doesNotMatch(item.text, /zap|Renew/, 'the item text is our own words');
      active = [];
      listener({ job: { ...job, state: 'failed' }, previous: 'in_progress' });
      assert.match(item.text, /failed/);
      assertInert(item.tooltip, 'the final tooltip');
    } finally {
      bar.dispose();
    }
  });

  it('the options step: prompt, model, aspect ratio, size and reference names are inert in the quick pick', async () => {
    await pickOptions({ model: OUTSIDE, aspectRatio: OUTSIDE, imageSize: 'auto' }, [fakeUri(`/ws/${FILE_NAME}`) as unknown as vscode.Uri], OUTSIDE);
    await pickOptions({ model: 'google/nano-banana-pro', aspectRatio: 'auto', imageSize: OUTSIDE }, [], 'a banana');
    const [first, second] = shown.map((s) => s.items as vscode.QuickPickItem[]);
    for (const item of first) if (item.description !== 'none') assertInert(item.description, `the options row "${item.label}"`);
    assertInert(second.find((i) => /Image size/.test(i.label))?.description, 'the image size row');
    assert.match(first[0].label, /^\$\(sparkle\) /, 'our own icons stay');
  });

  it('the log defangs URI schemes in every line, and still hides the key', () => {
    const log = new Log();
    log.addSecret('dk-secretsecret');
    log.warn(`job j1 failed: ${LINKS} (key dk-secretsecret)`);
    log.info('file:///etc/passwd');
    assert.deepEqual(logLines, [
      'job j1 failed: [Renew it here](command∶workbench.action.openSettings) or [log in](https∶//evil.example/login) (key «redacted»)',
      'file∶///etc/passwd',
    ]);
  });

  it('reference images: a file name is quoted inert when it cannot be read or is too large', async () => {
    const uri = fakeUri(`/ws/${FILE_NAME}`) as unknown as vscode.Uri;
    const saved = fs.stat;
    try {
      fs.stat = () => Promise.reject(new Error('EACCES'));
      await assert.rejects(readReference(uri), (e: NanoError) => (assertInert(e.message, 'the unreadable-reference error'), true));
      fs.stat = () => Promise.resolve({ size: 60 * 1024 * 1024 });
      await assert.rejects(readReference(uri), (e: NanoError) => (assertInert(e.message, 'the too-large-reference error'), true));
    } finally {
      fs.stat = saved;
    }
  });

  it('saving: an output folder setting and a file name are quoted inert', async () => {
    const item: HistoryItem = { id: 'i1', prompt: OUTSIDE, model: 'm', createdAt: 0, fileName: 'a.png', mime: 'image/png', bytes: 1 };
    workspace.workspaceFolders = [{ uri: fakeUri('/ws'), name: 'ws', index: 0 }];
    const saved = fs.rename;
    try {
      const settings = { outputFolder: `../${OUTSIDE}`, fileNamePattern: '{date}' };
      await assert.rejects(saveToWorkspace(item, new Uint8Array(), 'png', settings), (e: NanoError) => {
        assert.equal(e.kind, 'config');
        assertInert(e.message, 'the output-folder error');
        assertInert(describeError(e.toJSON()).message, 'the output-folder notification');
        return true;
      });
      fs.rename = () => Promise.reject(Object.assign(new Error('taken'), { code: 'FileExists' })); // every name is taken
      await assert.rejects(
        writeUniqueInFolder(fakeUri(`/ws/${LINKS}`) as unknown as vscode.Uri, OUTSIDE, 'png', new Uint8Array()),
        (e: NanoError) => (assertInert(e.message, 'the no-free-name error'), true),
      );
    } finally {
      fs.rename = saved;
      workspace.workspaceFolders = undefined;
    }
  });

  it('"Saved to" quotes the saved path inert', () => {
    new WorkspaceCopies({} as never, new Log(), () => DEFAULT_CONFIG).announceSaved(fakeUri(`/ws/images/${LINKS}.png`) as unknown as vscode.Uri);
    assertInert(shown[0]?.message, 'the saved notification');
  });

  describe('Commands and gallery actions', () => {
    const item: HistoryItem = { id: 'i1', prompt: OUTSIDE, model: 'm', createdAt: 0, fileName: 'a.png', mime: 'image/png', bytes: 1 };
    const running: JobRecord = { ...jobRecord('j1', 'in_progress'), request: { model: `$(zap)[m](https://evil.example)`, prompt: OUTSIDE } };
    const scheduler = { active: () => [running], list: () => [running], cancel: () => false };
    const store = { history: { get: () => item }, pathOf: () => '/store/a.png' };
    it('the Cancel Job pick shows prompts and model ids inert', async () => {
      await COMMANDS['nanoBanana.cancelJob']({ scheduler } as unknown as CommandContext, []);
      const [pick] = shown;
      assert.equal(pick.api, 'quickPick');
      const [row] = pick.items as vscode.QuickPickItem[];
      assertInert(row.label, 'the job label');
      assert.doesNotMatch(row.description ?? '', /\$\(|\]\(|:\/\//, `the job description: ${row.description}`);
    });

    it('showError: the error notification and its log line are inert', () => {
      new NextSteps({ log: new Log() } as unknown as NextStepDeps).showError(
        new NanoError({ kind: 'bad-request', message: 'refused', detail: OUTSIDE, retryable: false }),
      );
      assert.equal(shown[0]?.api, 'error');
      assertInert(shown[0].message, 'the error notification');
      assert.ok(
        logLines.some((l) => l.includes('Renew it here') && !/:\/\/|command:/.test(l)),
        logLines.join('\n'),
      );
    });

    it('"Remove from history" quotes the prompt inert in its modal detail', async () => {
      await new GalleryActions({ store, scheduler, historyChanged: () => undefined } as unknown as GalleryActionDeps).handle({ kind: 'remove', itemId: 'i1' });
      assert.equal(shown[0]?.api, 'warning');
      assert.equal(shown[0].options?.modal, true);
      assertInert(shown[0].options?.detail, 'the modal detail');
    });
  });
});
