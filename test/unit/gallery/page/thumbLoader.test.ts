import * as assert from 'node:assert/strict';
import type { PageMessage } from '../../../../src/gallery/protocol';
import { MAX_THUMB_BATCH } from '../../../../src/gallery/protocol';
import { ThumbLoader, type ThumbImage } from '../../../../src/gallery/page/thumbLoader';

/** Enough of an <img> for the loader: its src and dataset. */
function fakeImage(): ThumbImage {
  return { src: '', dataset: {} };
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('ThumbLoader (thumbnails as bytes, in batches)', () => {
  let posted: PageMessage[];
  let blobs: Blob[];
  let loader: ThumbLoader;
  beforeEach(() => {
    posted = [];
    blobs = [];
    loader = new ThumbLoader(
      (m) => posted.push(m),
      (blob) => {
        blobs.push(blob);
        return `blob:test/${blobs.length}`;
      },
    );
  });

  it('asks once for the cards built in one task, in batches of at most MAX_THUMB_BATCH', async () => {
    for (let i = 0; i < MAX_THUMB_BATCH + 3; i++) loader.load(`id-${i}`, fakeImage(), `fallback-${i}`);
    assert.equal(posted.length, 0, 'nothing before the task ends');
    await tick();
    assert.deepEqual(
      posted.map((m) => (m.type === 'thumbs' ? m.ids.length : -1)),
      [MAX_THUMB_BATCH, 3],
    );
  });

  it('shows the bytes as a Blob of their type, and the fallback when none came', async () => {
    const a = fakeImage();
    const b = fakeImage();
    loader.load('a', a, 'res://a');
    loader.load('b', b, 'res://b');
    await tick();
    loader.receive([{ id: 'a', mime: 'image/webp', bytes: new Uint8Array([1, 2, 3]) }, { id: 'b' }]);
    assert.equal(a.src, 'blob:test/1');
    assert.equal(blobs[0].type, 'image/webp');
    assert.deepEqual([...new Uint8Array(await blobs[0].arrayBuffer())], [1, 2, 3]);
    assert.equal(b.src, 'res://b');
  });

  it('leaves an image released meanwhile (scrolled away) empty, and ignores what it did not ask for', async () => {
    const a = fakeImage();
    loader.load('a', a, 'res://a');
    await tick();
    a.dataset.released = '';
    loader.receive([
      { id: 'a', mime: 'image/jpeg', bytes: new Uint8Array([1]) },
      { id: 'other', mime: 'image/jpeg', bytes: new Uint8Array([2]) },
    ]);
    assert.equal(a.src, '');
    assert.equal(blobs.length, 0, 'no object URL made');
  });

  it('asks once for an item shown twice at the same time, and fills both', async () => {
    const a1 = fakeImage();
    const a2 = fakeImage();
    loader.load('a', a1, 'res://a');
    loader.load('a', a2, 'res://a');
    await tick();
    assert.deepEqual(posted, [{ type: 'thumbs', ids: ['a'] }]);
    loader.receive([{ id: 'a', mime: 'image/jpeg', bytes: new Uint8Array([1]) }]);
    assert.ok(a1.src.startsWith('blob:') && a2.src.startsWith('blob:'));
  });
});
