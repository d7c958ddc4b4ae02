import * as assert from 'node:assert/strict';
import { orient } from '../../../../src/core/images/exif';

describe('orient (EXIF orientations on RGBA pixels)', () => {
  // A 3×2 image whose pixels are told apart by their red byte:  a b c
  //                                                             d e f
  const [a, b, c, d, e, f] = [10, 20, 30, 40, 50, 60];
  const img = { width: 3, height: 2, data: Uint8Array.from([a, b, c, d, e, f].flatMap((r) => [r, 1, 2, 255])) };
  const reds = (out: { data: Uint8Array }) => Array.from(out.data.filter((_, i) => i % 4 === 0));

  const expected: [number, number, number, number[]][] = [
    [1, 3, 2, [a, b, c, d, e, f]],
    [2, 3, 2, [c, b, a, f, e, d]], // mirrored left to right
    [3, 3, 2, [f, e, d, c, b, a]], // turned 180°
    [4, 3, 2, [d, e, f, a, b, c]], // mirrored top to bottom
    [5, 2, 3, [a, d, b, e, c, f]], // transposed
    [6, 2, 3, [d, a, e, b, f, c]], // turned 90° clockwise
    [7, 2, 3, [f, c, e, b, d, a]], // transversed
    [8, 2, 3, [c, f, b, e, a, d]], // turned 90° counter-clockwise
  ];
  for (const [o, w, h, pixels] of expected) {
    it(`orientation ${o} gives ${w}×${h}, pixels in the right places, the other bytes kept`, () => {
      const out = orient(img, o);
      assert.deepEqual([out.width, out.height], [w, h]);
      assert.deepEqual(reds(out), pixels);
      for (let i = 0; i < out.data.length; i += 4) assert.deepEqual(Array.from(out.data.subarray(i + 1, i + 4)), [1, 2, 255]);
    });
  }

  it('reads pixels that do not start on a 4-byte boundary, and leaves unknown orientations alone', () => {
    const shifted = new Uint8Array(img.data.length + 1);
    shifted.set(img.data, 1);
    assert.deepEqual(reds(orient({ ...img, data: shifted.subarray(1) }, 6)), [d, a, e, b, f, c]);
    assert.equal(orient(img, 9), img);
    assert.equal(orient(img, 0), img);
  });
});
