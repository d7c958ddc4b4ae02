import * as assert from 'node:assert/strict';
import { childLineage } from '../../../../src/core/lineage';
import { matchesQuery, newestFirst, queryMatcher, queryTerms, visibleItems } from '../../../../src/gallery/page/filter';
import type { HistoryView } from '../../../../src/gallery/protocol';

function item(id: string, prompt: string, createdAt: number, model = 'google/nano-banana'): HistoryView {
  return { id, prompt, model, createdAt, src: `https://x/${id}.png`, fileName: `${id}.png`, bytes: 10 };
}

describe('gallery page: filter', () => {
  it('matches every word of the query in prompt or model', () => {
    const it1 = item('a', 'A watercolor BANANA on a blue table', 1);
    assert.ok(matchesQuery(it1, ''));
    assert.ok(matchesQuery(it1, '   '));
    assert.ok(matchesQuery(it1, 'banana'));
    assert.ok(matchesQuery(it1, 'blue  WATERCOLOR'));
    assert.ok(matchesQuery(it1, 'nano-banana'), 'model text counts');
    assert.ok(!matchesQuery(it1, 'banana red'));
    assert.ok(matchesQuery(item('b', 'Işıklı bir İstanbul gecesi', 1), 'istanbul ışıklı'));
    assert.ok(matchesQuery(item('c', 'IMAGE of a kite', 1), 'image'), 'plain I still matches i');
    assert.ok(matchesQuery(item('d', 'Crème brûlée in a café', 1), 'creme cafe'), 'accents are forgiven');
    assert.deepEqual(queryTerms('  Foo   BAR '), ['foo', 'bar']);
  });

  it('orders newest first, stable for equal times, without touching the input', () => {
    const input = [item('old', 'x', 1), item('new', 'x', 3), item('mid1', 'x', 2), item('mid2', 'x', 2)];
    assert.deepEqual(
      newestFirst(input).map((i) => i.id),
      ['new', 'mid1', 'mid2', 'old'],
    );
    assert.deepEqual(
      input.map((i) => i.id),
      ['old', 'new', 'mid1', 'mid2'],
    );
  });

  it('lists the visible items newest first', () => {
    const input = [item('a', 'red kite', 1), item('b', 'blue kite', 2), item('c', 'red boat', 3)];
    assert.deepEqual(
      visibleItems(input, 'RED').map((i) => i.id),
      ['c', 'a'],
    );
    assert.deepEqual(visibleItems(input, 'zebra'), []);
  });

  it('a query matcher answers as matchesQuery does, for any case, accent and Turkish letters', () => {
    const items = [
      item('a', 'A watercolor BANANA on a blue table', 1),
      item('b', 'İstanbul silüeti, gün batımı', 2, 'google/gempix2'),
      item('c', 'Şemsiyeli kedi', 3),
    ];
    for (const query of ['', 'banana', 'istanbul', 'ISTANBUL gün', 'gempix2 batımı', 'şemsiye', 'kedi banana', 'nano']) {
      const matches = queryMatcher(query);
      assert.deepEqual(
        items.map(matches),
        items.map((i) => matchesQuery(i, query)),
        query,
      );
    }
    assert.deepEqual(
      items.filter(queryMatcher('nano')).map((i) => i.id),
      ['a', 'c'],
    );
  });

  it('a lineage:<id> word shows the chain through that image, and the other words still filter', () => {
    const a = item('a', 'red kite', 1);
    const b = { ...item('b', 'red kite, bluer sky', 2), lineage: childLineage(a) };
    const c = { ...item('c', 'red kite at dusk', 3), lineage: childLineage(b) };
    const d = item('d', 'red boat', 4);
    const input = [a, b, c, d];
    assert.deepEqual(
      visibleItems(input, 'lineage:b').map((i) => i.id),
      ['c', 'b', 'a'],
    );
    assert.deepEqual(
      visibleItems(input, 'dusk lineage:b').map((i) => i.id),
      ['c'],
    );
    assert.deepEqual(
      visibleItems(input, 'lineage:d').map((i) => i.id),
      ['d'],
    );
    assert.deepEqual(
      visibleItems([a, c, d], 'lineage:b').map((i) => i.id),
      ['c'],
      'after b was removed its filter still shows what came from it',
    );
    assert.deepEqual(visibleItems(input, 'lineage:gone'), []);
  });
});
