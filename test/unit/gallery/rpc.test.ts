import * as assert from 'node:assert/strict';
import { isHostMessage, isPageMessage, type PageMessage } from '../../../src/gallery/protocol';
import { RequestChannel } from '../../../src/gallery/page/rpc';
import { requestFor, ITEM_ACTIONS } from '../../../src/gallery/page/actions';
import { parseViewState } from '../../../src/gallery/page/viewState';

describe('gallery page: request channel', () => {
  it('posts requests with incrementing ids and resolves each with its own reply', async () => {
    const posted: PageMessage[] = [];
    const rpc = new RequestChannel((m) => posted.push(m));
    const first = rpc.request({ kind: 'generate' });
    const second = rpc.request({ kind: 'open', itemId: 'x' });
    assert.deepEqual(posted, [
      { type: 'request', id: 1, action: { kind: 'generate' } },
      { type: 'request', id: 2, action: { kind: 'open', itemId: 'x' } },
    ]);
    assert.ok(posted.every(isPageMessage), 'what the page posts passes the host guard');
    assert.equal(rpc.pendingCount, 2);

    // Out of order replies land on the right promise.
    assert.equal(rpc.handle({ type: 'reply', id: 2, ok: false, error: 'No such image.' }), true);
    assert.equal(rpc.handle({ type: 'reply', id: 1, ok: true, message: 'Done.' }), true);
    assert.deepEqual(await first, { type: 'reply', id: 1, ok: true, message: 'Done.' });
    assert.deepEqual(await second, { type: 'reply', id: 2, ok: false, error: 'No such image.' });
    assert.equal(rpc.pendingCount, 0);
  });

  it('drops unknown and duplicate replies and ignores other messages', async () => {
    const rpc = new RequestChannel(() => undefined);
    const p = rpc.request({ kind: 'generate' });
    assert.equal(rpc.handle({ type: 'reply', id: 99, ok: true }), true);
    assert.equal(rpc.pendingCount, 1);
    assert.equal(rpc.handle({ type: 'balance', balance: 3 }), false);
    rpc.handle({ type: 'reply', id: 1, ok: true });
    rpc.handle({ type: 'reply', id: 1, ok: false, error: 'late' });
    assert.deepEqual(await p, { type: 'reply', id: 1, ok: true });
  });

  it('rejects and forgets a request whose post throws', async () => {
    const rpc = new RequestChannel(() => {
      throw new Error('gone');
    });
    await assert.rejects(rpc.request({ kind: 'generate' }), /gone/);
    assert.equal(rpc.pendingCount, 0);
  });

  it('replies pass the host message guard', () => {
    assert.ok(isHostMessage({ type: 'reply', id: 1, ok: true }));
    assert.ok(!isHostMessage({ type: 'reply', id: '1', ok: true }));
  });
});

describe('gallery page: item actions', () => {
  it('maps every action to a valid request, except copyImage (done in the page)', () => {
    for (const def of ITEM_ACTIONS) {
      const action = requestFor(def.id, 'img-1');
      if (def.id === 'copyImage') {
        assert.equal(action, undefined);
        continue;
      }
      assert.ok(action, def.id);
      assert.ok(isPageMessage({ type: 'request', id: 1, action }), `${def.id} passes the host guard`);
    }
    assert.deepEqual(requestFor('insertHtml', 'a'), { kind: 'insertLink', itemId: 'a', format: 'html' });
    assert.deepEqual(requestFor('insertMarkdown', 'a'), { kind: 'insertLink', itemId: 'a', format: 'markdown' });
    assert.equal(new Set(ITEM_ACTIONS.map((a) => a.id)).size, 10);
  });

  it('restores the view state defensively', () => {
    assert.deepEqual(parseViewState({ filter: 'kite' }), { filter: 'kite' });
    assert.deepEqual(parseViewState(undefined), { filter: '' });
    assert.deepEqual(parseViewState({ filter: 3 }), { filter: '' });
    assert.deepEqual(parseViewState('x'), { filter: '' });
  });
});
