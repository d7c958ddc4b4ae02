import * as assert from 'node:assert/strict';
import { coverCrop } from '../../../../src/gallery/page/coverCrop';

describe('gallery page: coverCrop', () => {
  it('crops a wide picture to the middle of its width for a square box (object-fit: cover)', () => {
    // A 16:9 thumbnail, 384×216, in a 200×200 box: the middle 216×216 square.
    assert.deepEqual(coverCrop(384, 216, 200, 200), { x: 84, y: 0, w: 216, h: 216 });
  });

  it('crops a tall picture to the middle of its height', () => {
    assert.deepEqual(coverCrop(216, 384, 400, 400), { x: 0, y: 84, w: 216, h: 216 });
  });

  it('keeps the whole picture when it has the box shape, whatever the scale', () => {
    assert.deepEqual(coverCrop(384, 384, 250, 250), { x: 0, y: 0, w: 384, h: 384 });
    assert.deepEqual(coverCrop(100, 50, 400, 200), { x: 0, y: 0, w: 100, h: 50 });
  });

  it('keeps the box aspect ratio in the crop for a box that is not square', () => {
    const crop = coverCrop(300, 300, 300, 150);
    assert.deepEqual(crop, { x: 0, y: 75, w: 300, h: 150 });
  });
});
