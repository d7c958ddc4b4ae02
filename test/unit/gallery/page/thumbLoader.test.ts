import * as assert from 'node:assert/strict';
import type { PageMessage } from '../../../../src/gallery/protocol';
import { MAX_THUMB_BATCH } from '../../../../src/gallery/protocol';
import { dataUrl, SLICE, ThumbLoader, type ThumbImage } from '../../../../src/gallery/page/thumbLoader';

/** Enough of an <img> for the loader: its src and dataset. */
function fakeImage(): ThumbImage {
  return { src: '', dataset: {} };
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('ThumbLoader (thumbnails as bytes, in batches)', () => {
  let posted: PageMessage[];
  let made: { mime: string; bytes: Uint8Array }[];
  let loader: ThumbLoader;
  beforeEach(() => {
    posted = [];
    made = [];
    loader = new ThumbLoader(
      (m) => posted.push(m),
      (mime, bytes) => {
        made.push({ mime, bytes });
        return `data:test/${made.length}`;
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

  it('shows the bytes as a URL of their type, and the fallback when none came', async () => {
    const a = fakeImage();
    const b = fakeImage();
    loader.load('a', a, 'res://a');
    loader.load('b', b, 'res://b');
    await tick();
    loader.receive([{ id: 'a', mime: 'image/webp', bytes: new Uint8Array([1, 2, 3]) }, { id: 'b' }]);
    assert.equal(a.src, 'data:test/1');
    assert.equal(made[0].mime, 'image/webp');
    assert.deepEqual([...made[0].bytes], [1, 2, 3]);
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
    assert.equal(made.length, 0, 'no URL made');
  });

  it('asks once for an item shown twice at the same time, and fills both', async () => {
    const a1 = fakeImage();
    const a2 = fakeImage();
    loader.load('a', a1, 'res://a');
    loader.load('a', a2, 'res://a');
    await tick();
    assert.deepEqual(posted, [{ type: 'thumbs', ids: ['a'] }]);
    loader.receive([{ id: 'a', mime: 'image/jpeg', bytes: new Uint8Array([1]) }]);
    assert.ok(a1.src.startsWith('data:') && a2.src.startsWith('data:'));
  });

  it('shows a large answer a slice a task, in order, skipping a card released between slices', async () => {
    const later: (() => void)[] = [];
    const sliced = new ThumbLoader(
      (m) => posted.push(m),
      (mime, bytes) => {
        made.push({ mime, bytes });
        return `data:test/${made.length}`;
      },
      (run) => later.push(run),
    );
    const n = 2 * SLICE + 5;
    const images = Array.from({ length: n }, () => fakeImage());
    images.forEach((image, i) => sliced.load(`id-${i}`, image, `res://${i}`));
    await tick();
    sliced.receive(images.map((_, i) => ({ id: `id-${i}`, mime: 'image/jpeg', bytes: new Uint8Array([i]) })));
    const shown = () => images.filter((image) => image.src !== '').length;
    assert.equal(shown(), SLICE, 'the first slice at once');
    assert.equal(later.length, 1, 'the rest in a later task');
    images[SLICE].dataset.released = ''; // scrolled away before its slice
    later.shift()?.();
    assert.equal(shown(), 2 * SLICE - 1);
    assert.equal(images[SLICE].src, '', 'released: left empty');
    later.shift()?.();
    assert.equal(shown(), n - 1);
    assert.equal(later.length, 0, 'nothing more scheduled');
    // In order: the first image got the first URL, the last one the last.
    assert.equal(images[0].src, 'data:test/1');
    assert.equal(images[n - 1].src, `data:test/${n - 1}`);
  });

  it('makes data: URLs that hold the bytes exactly, also past the size fromCharCode takes at once', () => {
    for (const n of [0, 1, 2, 3, 0x2000, 0x2000 + 1, 100_000]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 7919) & 255);
      const url = dataUrl('image/jpeg', bytes);
      assert.ok(url.startsWith('data:image/jpeg;base64,'));
      assert.ok(Buffer.from(url.slice('data:image/jpeg;base64,'.length), 'base64').equals(Buffer.from(bytes)), `${n} bytes`);
    }
  });
});
