import * as assert from 'node:assert/strict';
import { isGridKey, moveSpot, type GridKey, type Spot } from '../../../../src/gallery/page/gridKeys';
import { buildLines } from '../../../../src/gallery/page/windowing';

/**
 * A grid from a pattern ('c' a lone card, a digit a group of that many tiles) at `columns`; `go`
 * moves from a spot by keys, each from where the last one landed.
 */
function grid(pattern: string, columns: number) {
  const counts = [...pattern].map((c) => (c === 'c' ? 1 : Number(c)));
  const lines = buildLines(
    [...pattern].map((c) => c !== 'c'),
    columns,
  );
  const lineOf = (row: number) => lines.findIndex((l) => row >= l.start && row < l.end);
  const move = (key: GridKey, from: Spot) => moveSpot(key, from, lines, (r) => counts[r], lineOf);
  const go = (from: Spot, ...keys: GridKey[]) => keys.map((k) => (from = move(k, from) ?? from));
  return { move, go };
}

describe('gallery page: arrow keys between thumbnails', () => {
  it('left and right walk the cards in reading order, across lines, and stop at the ends', () => {
    const { move, go } = grid('ccccccc', 3); // lines: 0-2, 3-5, 6
    assert.deepEqual(move('ArrowRight', { row: 0, item: 0 }), { row: 1, item: 0 });
    assert.deepEqual(move('ArrowRight', { row: 2, item: 0 }), { row: 3, item: 0 }); // next line
    assert.deepEqual(move('ArrowLeft', { row: 3, item: 0 }), { row: 2, item: 0 });
    assert.equal(move('ArrowLeft', { row: 0, item: 0 }), undefined);
    assert.equal(move('ArrowRight', { row: 6, item: 0 }), undefined);
    assert.deepEqual(go({ row: 0, item: 0 }, 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowLeft'), [
      { row: 1, item: 0 },
      { row: 2, item: 0 },
      { row: 3, item: 0 },
      { row: 2, item: 0 },
    ]);
  });

  it('up and down keep the column, and take the last card of a shorter line', () => {
    const { move } = grid('ccccccc', 3);
    assert.deepEqual(move('ArrowDown', { row: 1, item: 0 }), { row: 4, item: 0 });
    assert.deepEqual(move('ArrowUp', { row: 4, item: 0 }), { row: 1, item: 0 });
    assert.deepEqual(move('ArrowDown', { row: 5, item: 0 }), { row: 6, item: 0 }); // the last line holds one card
    assert.equal(move('ArrowDown', { row: 6, item: 0 }), undefined);
    assert.equal(move('ArrowUp', { row: 2, item: 0 }), undefined);
  });

  it('steps through a group’s tiles, and up and down between a group and the cards around it', () => {
    // lines: c c | group of 4 | c c c
    const { move, go } = grid('cc4ccc', 3);
    assert.deepEqual(go({ row: 1, item: 0 }, 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight'), [
      { row: 2, item: 0 },
      { row: 2, item: 1 },
      { row: 2, item: 2 },
      { row: 2, item: 3 },
      { row: 3, item: 0 },
    ]);
    assert.deepEqual(move('ArrowLeft', { row: 3, item: 0 }), { row: 2, item: 3 }); // the group's last tile
    assert.deepEqual(move('ArrowDown', { row: 1, item: 0 }), { row: 2, item: 1 }); // column 1 → tile 1
    assert.deepEqual(move('ArrowDown', { row: 2, item: 3 }), { row: 5, item: 0 }); // tile 3 → the line's last card
    assert.deepEqual(move('ArrowUp', { row: 4, item: 0 }), { row: 2, item: 1 });
    assert.deepEqual(move('ArrowUp', { row: 2, item: 2 }), { row: 1, item: 0 }); // a line of two: its last card
  });

  it('Home and End go to the first and the last thumbnail; nothing moves in an empty grid or on other keys', () => {
    const { move } = grid('ccc3', 2);
    assert.deepEqual(move('End', { row: 1, item: 0 }), { row: 3, item: 2 });
    assert.deepEqual(move('Home', { row: 3, item: 1 }), { row: 0, item: 0 });
    assert.equal(move('Home', { row: 0, item: 0 }), undefined);
    assert.equal(
      moveSpot(
        'End',
        { row: 0, item: 0 },
        [],
        () => 1,
        () => 0,
      ),
      undefined,
    );
    assert.equal(isGridKey('ArrowDown'), true);
    assert.equal(isGridKey('Enter'), false);
    assert.equal(isGridKey('PageDown'), false);
  });
});
