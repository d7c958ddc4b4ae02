import * as assert from 'node:assert/strict';
import { Outbox } from '../../../src/gallery/outbox';
import type { GalleryState, HostMessage } from '../../../src/gallery/protocol';

const state = { jobs: [], history: [], strings: {} } as unknown as GalleryState;
const init: Extract<HostMessage, { type: 'init' }> = { type: 'init', state };

describe('gallery host: outbox (messages held until the page is ready)', () => {
  it('holds messages until ready, then sends init and the held replies, dropping snapshots init replaces', () => {
    const sent: HostMessage[] = [];
    const box = new Outbox((m) => sent.push(m));
    box.post({ type: 'jobs', jobs: [] });
    box.post({ type: 'reply', id: 1, ok: true, message: 'Saved.' });
    box.post({ type: 'balance', balance: 3 });
    box.post({ type: 'history', items: [] });
    box.post({ type: 'reply', id: 2, ok: false, error: 'No such image.' });
    assert.deepEqual(sent, [], 'nothing reaches a page that is not listening');
    assert.equal(box.heldCount, 5);

    box.open(init);
    assert.deepEqual(sent, [init, { type: 'reply', id: 1, ok: true, message: 'Saved.' }, { type: 'reply', id: 2, ok: false, error: 'No such image.' }]);
    assert.equal(box.heldCount, 0);

    box.post({ type: 'balance', balance: 2 });
    assert.deepEqual(sent.at(-1), { type: 'balance', balance: 2 }, 'once ready, messages go out at once');
  });

  it('holds again while the page is hidden, and forgets everything on clear', () => {
    const sent: HostMessage[] = [];
    const box = new Outbox((m) => sent.push(m));
    box.open(init);
    box.close();
    box.post({ type: 'reply', id: 7, ok: true });
    assert.equal(sent.length, 1, 'only the first init');
    assert.equal(box.heldCount, 1);
    box.clear();
    assert.equal(box.heldCount, 0);
    assert.equal(box.isListening, false);
    box.open(init);
    assert.deepEqual(sent, [init, init]);
  });

  it('is bounded: beyond the limit the oldest messages go', () => {
    const sent: HostMessage[] = [];
    const box = new Outbox((m) => sent.push(m), 3);
    for (let id = 1; id <= 5; id++) box.post({ type: 'reply', id, ok: true });
    assert.equal(box.heldCount, 3);
    box.open(init);
    assert.deepEqual(
      sent.map((m) => (m.type === 'reply' ? m.id : m.type)),
      ['init', 3, 4, 5],
    );
  });
});
