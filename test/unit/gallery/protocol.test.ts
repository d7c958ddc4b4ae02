import * as assert from 'node:assert/strict';
import { isGalleryAction, isHostMessage, isPageMessage, MAX_THUMB_BATCH } from '../../../src/gallery/protocol';
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
      { kind: 'refine', itemId: 'a' },
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
      { type: 'request', id: 1, action: { kind: 'refine' } },
      { type: 'request', id: 1, action: { kind: 'refine', itemId: 7 } },
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
    // What the card's context menu sends back: a toast, or "copy this image".
    assert.ok(isHostMessage({ type: 'notice', text: 'Link inserted.' }));
    assert.ok(isHostMessage({ type: 'notice', text: 'gone', error: true }));
    assert.ok(!isHostMessage({ type: 'notice', text: 3 }));
    assert.ok(!isHostMessage({ type: 'notice', text: 'x', error: 'yes' }));
    assert.ok(isHostMessage({ type: 'copyImage', itemId: 'a' }));
    assert.ok(!isHostMessage({ type: 'copyImage' }));
    const lineage = { parentId: 'p', rootId: 'p', version: 2, ancestors: ['p'] };
    assert.ok(isHostMessage({ type: 'history', items: [{ id: 'c', lineage }, { id: 'p' }] }));
    assert.ok(!isHostMessage({ type: 'history', items: [{ id: 'c', lineage: { ...lineage, ancestors: 'p' } }] }));
    assert.ok(!isHostMessage({ type: 'init', state: { jobs: [], history: [{ id: 'c', lineage: { ...lineage, version: 0 } }], strings: {} } }));
  });
  it('checks the spending figures that ride with the balance', () => {
    assert.ok(isHostMessage({ type: 'balance', balance: 12.5, spent: { today: '0.5', total: '3' } }));
    assert.ok(isHostMessage({ type: 'balance', spent: { today: '0', total: '0' } }));
    assert.ok(!isHostMessage({ type: 'balance', spent: { today: 0.5, total: '3' } }));
    assert.ok(!isHostMessage({ type: 'balance', spent: '0.5' }));
    assert.ok(!isHostMessage({ type: 'balance', spent: null }));
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

describe('gallery protocol: thumbnails as bytes', () => {
  it('accepts a page asking for a batch of thumbnails, within the batch limit', () => {
    assert.ok(isPageMessage({ type: 'thumbs', ids: ['a', 'b'] }));
    assert.ok(isPageMessage({ type: 'thumbs', ids: Array.from({ length: MAX_THUMB_BATCH }, (_, i) => `id-${i}`) }));
  });
  it('rejects an empty, oversized or malformed batch', () => {
    for (const m of [
      { type: 'thumbs' },
      { type: 'thumbs', ids: [] },
      { type: 'thumbs', ids: 'a' },
      { type: 'thumbs', ids: [1] },
      { type: 'thumbs', ids: [''] },
      { type: 'thumbs', ids: ['x'.repeat(201)] },
      { type: 'thumbs', ids: Array.from({ length: MAX_THUMB_BATCH + 1 }, (_, i) => `id-${i}`) },
    ]) {
      assert.ok(!isPageMessage(m), JSON.stringify(m));
    }
  });
  it('accepts the host’s answer: bytes with an image type, or none', () => {
    assert.ok(isHostMessage({ type: 'thumbs', thumbs: [] }));
    assert.ok(isHostMessage({ type: 'thumbs', thumbs: [{ id: 'a', mime: 'image/jpeg', bytes: new Uint8Array([1]) }, { id: 'b' }] }));
    assert.ok(isHostMessage({ type: 'thumbs', thumbs: [{ id: 'a', mime: 'image/webp', bytes: new Uint8Array(0) }] }));
  });
  it('rejects bytes that are not a Uint8Array, another type, or a missing id', () => {
    for (const thumb of [
      { id: 'a', mime: 'image/jpeg', bytes: [1, 2] },
      { id: 'a', mime: 'image/jpeg', bytes: { type: 'Buffer', data: [1] } },
      { id: 'a', mime: 'image/svg+xml', bytes: new Uint8Array([1]) },
      { id: 'a', bytes: new Uint8Array([1]) },
      { id: 'a', mime: 'image/jpeg' },
      { mime: 'image/jpeg', bytes: new Uint8Array([1]) },
    ]) {
      assert.ok(!isHostMessage({ type: 'thumbs', thumbs: [thumb] }), JSON.stringify(thumb));
    }
    assert.ok(!isHostMessage({ type: 'thumbs', thumbs: 'a' }));
  });
});
