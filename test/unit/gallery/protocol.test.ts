import * as assert from 'node:assert/strict';
import { isGalleryAction, isHostMessage, isPageMessage } from '../../../src/gallery/protocol';
import { hasLegacyActiveJobs } from '../../../src/vscode/ids';

describe('gallery protocol guards', () => {
  it('accepts every well-formed page message', () => {
    assert.ok(isPageMessage({ type: 'ready' }));
    for (const action of [
      { kind: 'save', itemId: 'a' },
      { kind: 'insertLink', itemId: 'a', format: 'markdown' },
      { kind: 'insertLink', itemId: 'a', format: 'html' },
      { kind: 'copyPath', itemId: 'a' },
      { kind: 'open', itemId: 'a' },
      { kind: 'reveal', itemId: 'a' },
      { kind: 'reusePrompt', itemId: 'a' },
      { kind: 'useAsReference', itemId: 'a' },
      { kind: 'remove', itemId: 'a' },
      { kind: 'keep', itemId: 'a' },
      { kind: 'cancelJob', jobId: 'j' },
      { kind: 'resumeJob', jobId: 'j' },
      { kind: 'generate' },
    ]) {
      assert.ok(isPageMessage({ type: 'request', id: 1, action }), JSON.stringify(action));
    }
  });
  it('rejects malformed or hostile page messages', () => {
    for (const m of [
      null,
      'ready',
      { type: 'eval', code: 'x' },
      { type: 'request', id: '1', action: { kind: 'save', itemId: 'a' } },
      { type: 'request', id: 1.5, action: { kind: 'save', itemId: 'a' } },
      { type: 'request', id: 1, action: { kind: 'save' } },
      { type: 'request', id: 1, action: { kind: 'save', itemId: '' } },
      { type: 'request', id: 1, action: { kind: 'insertLink', itemId: 'a', format: 'rtf' } },
      { type: 'request', id: 1, action: { kind: 'cancelJob', itemId: 'a' } },
      { type: 'request', id: 1, action: { kind: 'keep' } },
      { type: 'request', id: 1, action: { kind: 'keep', itemId: 7 } },
      { type: 'request', id: 1, action: { kind: 'deleteEverything' } },
      { type: 'viewState', filter: 'cat' }, // the filter stays in the page's webview state
    ]) {
      assert.ok(!isPageMessage(m), JSON.stringify(m));
    }
    assert.ok(!isGalleryAction([]));
  });
  it('checks host messages on the page side', () => {
    assert.ok(isHostMessage({ type: 'jobs', jobs: [] }));
    assert.ok(isHostMessage({ type: 'history', items: [], focusId: 'x' }));
    assert.ok(isHostMessage({ type: 'balance' }));
    assert.ok(isHostMessage({ type: 'reply', id: 3, ok: false, error: 'no' }));
    assert.ok(isHostMessage({ type: 'init', state: { jobs: [], history: [], strings: {} } }));
    assert.ok(!isHostMessage({ type: 'init', state: { jobs: [] } }));
    assert.ok(!isHostMessage({ type: 'balance', balance: '3' }));
    assert.ok(!isHostMessage({ type: 'reply', id: 3 }));
  });
});

describe('old job storage check at activation', () => {
  it('is true only when the old globalState list still holds an active job', () => {
    assert.equal(hasLegacyActiveJobs(undefined), false);
    assert.equal(hasLegacyActiveJobs({ version: 1, jobs: [] }), false);
    assert.equal(hasLegacyActiveJobs({ version: 1, jobs: [{ state: 'success' }, { state: 'timed-out' }] }), false);
    assert.equal(hasLegacyActiveJobs({ version: 1, jobs: [{ state: 'success' }, { state: 'in_progress' }] }), true);
    assert.equal(hasLegacyActiveJobs({ version: 1, jobs: [{ state: 'downloading' }] }), true);
    assert.equal(hasLegacyActiveJobs({ jobs: 'nope' }), false);
  });
});
