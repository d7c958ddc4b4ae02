import * as assert from 'node:assert/strict';
import { isGalleryAction, isHostMessage, isPageMessage } from '../../src/gallery/protocol';
import { hasActiveJobs } from '../../src/vscode/ids';

describe('gallery protocol guards', () => {
  it('accepts every well-formed page message', () => {
    assert.ok(isPageMessage({ type: 'ready' }));
    assert.ok(isPageMessage({ type: 'viewState', filter: 'cat' }));
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
      { type: 'request', id: 1, action: { kind: 'deleteEverything' } },
      { type: 'viewState', filter: 3 },
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

describe('persisted jobs check at activation', () => {
  it('is true only when some job is still active', () => {
    assert.equal(hasActiveJobs(undefined), false);
    assert.equal(hasActiveJobs({ version: 1, jobs: [] }), false);
    assert.equal(hasActiveJobs({ version: 1, jobs: [{ state: 'success' }, { state: 'timed-out' }] }), false);
    assert.equal(hasActiveJobs({ version: 1, jobs: [{ state: 'success' }, { state: 'in_progress' }] }), true);
    assert.equal(hasActiveJobs({ version: 1, jobs: [{ state: 'downloading' }] }), true);
    assert.equal(hasActiveJobs({ jobs: 'nope' }), false);
    // A job another live window runs (leased within the last 90 s) is not ours to resume.
    const running = { version: 1, jobs: [{ id: 'j1', state: 'in_progress' }] };
    assert.equal(hasActiveJobs(running, { j1: { owner: 'other', at: 1000 } }, 1000 + 89_999), false);
    assert.equal(hasActiveJobs(running, { j1: { owner: 'other', at: 1000 } }, 1000 + 90_000), true, 'an expired lease: adopt');
    assert.equal(hasActiveJobs(running, { j2: { owner: 'other', at: 1000 } }, 1000), true);
  });
});
