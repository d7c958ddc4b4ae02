import * as assert from 'node:assert/strict';
import {
  anchorAt,
  buildLines,
  columnsFor,
  geometry,
  lineAt,
  lineHeights,
  lineKey,
  linesIn,
  segments,
  viewTopFor,
  type LineSpec,
} from '../../../../src/gallery/page/windowing';

/** Rows from a pattern: 'c' a lone card, 'G' a group row. */
const kinds = (pattern: string) => [...pattern].map((c) => c === 'G');

describe('gallery page: windowing', () => {
  it('counts the columns as CSS auto-fill does', () => {
    assert.equal(columnsFor(180, 180, 12), 1);
    assert.equal(columnsFor(371, 180, 12), 1, 'two columns need 2 × 180 + 12');
    assert.equal(columnsFor(372, 180, 12), 2);
    assert.equal(columnsFor(1200, 180, 12), 6);
    assert.equal(columnsFor(0, 180, 12), 1, 'never fewer than one');
  });

  it('breaks rows into lines: cards `columns` to a line, a group row alone, a short line before a group', () => {
    const spans = (lines: LineSpec[]) => lines.map((l) => `${l.start}-${l.end}${l.group ? 'G' : ''}`);
    assert.deepEqual(spans(buildLines(kinds('ccccccc'), 3)), ['0-3', '3-6', '6-7']);
    assert.deepEqual(spans(buildLines(kinds('ccGcccGG'), 3)), ['0-2', '2-3G', '3-6', '6-7G', '7-8G']);
    assert.deepEqual(spans(buildLines(kinds('cc'), 1)), ['0-1', '1-2']);
    assert.deepEqual(buildLines([], 4), []);
  });

  it('places the lines with the gap between them and finds the line at a height', () => {
    const g = geometry([100, 200, 50], 10);
    assert.deepEqual(g.tops, [0, 110, 320]);
    assert.equal(g.total, 370);
    assert.equal(geometry([], 10).total, 0);
    assert.equal(lineAt(g, -5), 0);
    assert.equal(lineAt(g, 0), 0);
    assert.equal(lineAt(g, 109), 0, 'the gap belongs to the line above');
    assert.equal(lineAt(g, 110), 1);
    assert.equal(lineAt(g, 10_000), 2);
    assert.equal(lineAt(geometry([], 10), 5), -1);
  });

  it('takes the lines that meet a band of the grid', () => {
    const g = geometry(
      Array.from({ length: 100 }, () => 90),
      10,
    ); // a line every 100 px
    assert.deepEqual(linesIn(g, 0, 250), { first: 0, last: 3 });
    assert.deepEqual(linesIn(g, -1000, 50), { first: 0, last: 1 }, 'an overscan above the top is clamped');
    assert.deepEqual(linesIn(g, 9850, 20_000), { first: 98, last: 100 }, 'and below the end');
    assert.deepEqual(linesIn(g, 12_000, 13_000), { first: 0, last: 0 }, 'a band past the end meets nothing');
    assert.deepEqual(linesIn(geometry([], 10), 0, 500), { first: 0, last: 0 });
  });

  it('lays out the children: spacers as tall as the lines and inner gaps they stand for', () => {
    const g = geometry([100, 100, 100, 100, 100, 100], 10);
    // Lines 2–3 shown: a spacer for 0–1 (two lines and the gap between), then one for 4–5.
    assert.deepEqual(segments(g, [2, 3]), [
      { kind: 'spacer', from: 0, to: 2, height: 210 },
      { kind: 'lines', from: 2, to: 4 },
      { kind: 'spacer', from: 4, to: 6, height: 210 },
    ]);
    // The same total height as all six lines: 2 spacers + 2 lines + the grid's 3 gaps between the 4 children.
    assert.equal(210 + 100 + 100 + 210 + 3 * 10, g.total);
    // A focused line kept far from the window; duplicates and lines out of range are ignored.
    assert.deepEqual(segments(g, [5, 0, 1, 1, 9, -1]), [
      { kind: 'lines', from: 0, to: 2 },
      { kind: 'spacer', from: 2, to: 5, height: 320 },
      { kind: 'lines', from: 5, to: 6 },
    ]);
    assert.deepEqual(segments(g, []), [{ kind: 'spacer', from: 0, to: 6, height: g.total }]);
    assert.deepEqual(segments(geometry([], 10), [0]), []);
  });

  it('uses measured heights, and estimates the others from the measured lines of their kind', () => {
    const lines = buildLines(kinds('ccccGcccc'), 2); // 0-2, 2-4, 4G, 5-7, 7-9
    const measured = new Map([
      [0, 300],
      [1, 320],
    ]);
    assert.deepEqual(
      lineHeights(lines, (i) => measured.get(i), { card: 1, group: 400 }),
      [300, 320, 400, 310, 310],
      'cards: the mean of the measured; the group row: the fallback',
    );
    measured.set(2, 500);
    assert.deepEqual(
      lineHeights(lines, (i) => measured.get(i), { card: 1, group: 400 }),
      [300, 320, 500, 310, 310],
    );
    assert.deepEqual(
      lineHeights(lines, () => undefined, { card: 7, group: 9 }),
      [7, 7, 9, 7, 7],
    );
    assert.notEqual(lineKey('a', 2), lineKey('a', 3), 'a line that lost a row is measured again');
  });

  it('keeps the view on its row when rows arrive above it or heights change', () => {
    const rowIds = ['n1', 'a', 'b', 'c', 'd', 'e', 'f'];
    const at = (ids: string[], columns: number, height: number) => {
      const lines = buildLines(
        ids.map(() => false),
        columns,
      );
      const g = geometry(
        lines.map(() => height),
        10,
      );
      const lineOfRow = new Map<string, number>();
      lines.forEach((l, i) => ids.slice(l.start, l.end).forEach((id) => lineOfRow.set(id, i)));
      return { lines, g, lineOfRow };
    };
    // Two columns of 100 px lines: the view 30 px into the line of c and d.
    const before = at(rowIds.slice(1), 2, 100);
    const anchor = anchorAt(before.g, before.lines, (i) => rowIds[i + 1], 140);
    assert.deepEqual(anchor, { rowId: 'c', offset: -30 });
    // A new row at the top (n1 a | b c | d e | f): c is second in the same line, the view stays.
    const after = at(rowIds, 2, 100);
    assert.equal(viewTopFor(after.g, after.lineOfRow, anchor), 140);
    // In one column the new row pushes c a line down: the view follows it.
    assert.equal(viewTopFor(at(rowIds, 1, 100).g, at(rowIds, 1, 100).lineOfRow, anchor), 3 * 110 + 30);
    // Taller lines above (measured at 150 px): still 30 px into c's line.
    const taller = at(rowIds, 2, 150);
    assert.equal(viewTopFor(taller.g, taller.lineOfRow, anchor), 160 + 30);
    // A row that is gone (removed, filtered out) anchors nothing; the top of the grid follows new rows.
    assert.equal(viewTopFor(after.g, after.lineOfRow, { rowId: 'zz', offset: 0 }), undefined);
    assert.equal(
      anchorAt(before.g, before.lines, (i) => rowIds[i + 1], 0),
      undefined,
    );
    assert.equal(
      anchorAt(geometry([], 10), [], () => 'x', 50),
      undefined,
    );
  });
});
