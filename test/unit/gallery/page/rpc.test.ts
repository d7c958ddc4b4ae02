import * as assert from 'node:assert/strict';
import { isHostMessage, isPageMessage, type PageMessage } from '../../../../src/gallery/protocol';
import { REQUEST_TIMEOUT_MS, RequestAbandonedError, RequestChannel, type Timers } from '../../../../src/gallery/page/rpc';
import { requestFor, ITEM_BUTTONS } from '../../../../src/gallery/page/itemButtons';
import { parseViewState } from '../../../../src/gallery/page/viewState';

/** Timers that run only when told to. */
class FakeTimers implements Timers {
  private next = 1;
  private readonly timers = new Map<number, { run: () => void; ms: number }>();
  private readonly all: number[] = [];
  setTimeout(run: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.set(id, { run, ms });
    this.all.push(ms);
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  delays(): number[] {
    return [...this.all];
  }
  running(): number {
    return this.timers.size;
  }
  fireAll(): void {
    const due = [...this.timers.values()];
    this.timers.clear();
    for (const t of due) t.run();
  }
}

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

  it('rejects a request that gets no reply within the timeout, and forgets it', async () => {
    const timers = new FakeTimers();
    const rpc = new RequestChannel(() => undefined, 30_000, timers);
    const slow = rpc.request({ kind: 'open', itemId: 'x' });
    const answered = rpc.request({ kind: 'generate' });
    assert.deepEqual(timers.delays(), [30_000, 30_000]);
    rpc.handle({ type: 'reply', id: 2, ok: true });
    assert.deepEqual(await answered, { type: 'reply', id: 2, ok: true });
    assert.equal(timers.running(), 1, 'an answered request stops its timer');
    timers.fireAll();
    await assert.rejects(slow, (e: unknown) => e instanceof RequestAbandonedError && e.reason === 'timeout' && e.action === 'open');
    assert.equal(rpc.pendingCount, 0);
    assert.equal(rpc.handle({ type: 'reply', id: 1, ok: true }), true, 'a late reply is consumed and dropped');
  });

  it('waits five minutes by default (a save dialog may stay open a while)', () => {
    assert.equal(REQUEST_TIMEOUT_MS, 300_000);
  });

  it('rejects every pending request on dispose, and later ones at once', async () => {
    const timers = new FakeTimers();
    const posted: PageMessage[] = [];
    const rpc = new RequestChannel((m) => posted.push(m), 30_000, timers);
    const a = rpc.request({ kind: 'save', itemId: 'a' });
    const b = rpc.request({ kind: 'cancelJob', jobId: 'j' });
    rpc.dispose();
    await assert.rejects(a, (e: unknown) => e instanceof RequestAbandonedError && e.reason === 'disposed' && e.action === 'save');
    await assert.rejects(b, (e: unknown) => e instanceof RequestAbandonedError && e.reason === 'disposed' && e.action === 'cancelJob');
    assert.equal(rpc.pendingCount, 0);
    assert.equal(timers.running(), 0, 'no timer outlives the channel');
    await assert.rejects(rpc.request({ kind: 'generate' }), (e: unknown) => e instanceof RequestAbandonedError && e.reason === 'disposed');
    assert.equal(posted.length, 2, 'nothing is posted after dispose');
  });

  it('replies pass the host message guard', () => {
    assert.ok(isHostMessage({ type: 'reply', id: 1, ok: true }));
    assert.ok(!isHostMessage({ type: 'reply', id: '1', ok: true }));
  });
});

describe('gallery page: item actions', () => {
  it('maps every action to a valid request, except copyImage (done in the page)', () => {
    for (const def of ITEM_BUTTONS) {
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
    assert.equal(new Set(ITEM_BUTTONS.map((a) => a.id)).size, 11);
  });

  it('restores the view state defensively', () => {
    assert.deepEqual(parseViewState({ filter: 'kite' }), { filter: 'kite' });
    assert.deepEqual(parseViewState(undefined), { filter: '' });
    assert.deepEqual(parseViewState({ filter: 3 }), { filter: '' });
    assert.deepEqual(parseViewState('x'), { filter: '' });
    // Where the history's view stood: kept when well-formed, dropped otherwise (the filter still read).
    const scroll = { rowId: 'img-7', offset: -42.5 };
    assert.deepEqual(parseViewState({ filter: 'kite', scroll }), { filter: 'kite', scroll });
    assert.deepEqual(parseViewState({ scroll }), { filter: '', scroll });
    assert.deepEqual(parseViewState({ filter: 'kite', scroll: { rowId: 7, offset: 0 } }), { filter: 'kite' });
    assert.deepEqual(parseViewState({ filter: 'kite', scroll: { rowId: 'a', offset: Number.NaN } }), { filter: 'kite' });
    assert.deepEqual(parseViewState({ filter: 'kite', scroll: null }), { filter: 'kite' });
  });
});
