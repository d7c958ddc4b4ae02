import * as assert from 'node:assert/strict';
import {
  LineageIndex,
  MAX_ANCESTORS,
  childLineage,
  descendsFrom,
  isLineage,
  lineageToken,
  parseLineageQuery,
  shortPrompt,
  type LineageNode,
} from '../../../src/core/lineage';

interface Node extends LineageNode {
  prompt: string;
}

/** A root image. */
const root = (id: string, createdAt: number): Node => ({ id, createdAt, prompt: id });
/** An image refined from `parent`, its lineage made as the extension makes it when the job starts. */
const refine = (parent: Node, id: string, createdAt: number): Node => ({ id, createdAt, prompt: id, lineage: childLineage(parent) });

describe('lineage of refined images', () => {
  // a ← b ← c ← d, and a ← e (a second refinement of the root); x stands alone.
  const a = root('a', 1);
  const b = refine(a, 'b', 2);
  const c = refine(b, 'c', 3);
  const d = refine(c, 'd', 4);
  const e = refine(a, 'e', 5);
  const x = root('x', 6);
  const all = [a, b, c, d, e, x];

  it('records parent, root, version and ancestors at creation', () => {
    assert.equal(a.lineage, undefined);
    assert.deepEqual(b.lineage, { parentId: 'a', rootId: 'a', version: 2, ancestors: ['a'] });
    assert.deepEqual(d.lineage, { parentId: 'c', rootId: 'a', version: 4, ancestors: ['a', 'b', 'c'] });
    assert.deepEqual(e.lineage, { parentId: 'a', rootId: 'a', version: 2, ancestors: ['a'] });
    assert.ok(descendsFrom(d, 'b') && descendsFrom(d, 'a') && !descendsFrom(e, 'b') && !descendsFrom(a, 'a'));
  });

  it('the chain through an image is its ancestors, itself and its descendants, by version', () => {
    const index = new LineageIndex(all);
    const ids = (id: string) => index.chain(id).map((n) => n.id);
    assert.deepEqual(ids('c'), ['a', 'b', 'c', 'd'], 'e is a sibling branch of b, not in c’s chain');
    assert.deepEqual(ids('a'), ['a', 'b', 'e', 'c', 'd'], 'the root gathers every branch; same version by time');
    assert.deepEqual(ids('e'), ['a', 'e']);
    assert.deepEqual(ids('x'), ['x'], 'an image without lineage is a chain of one');
    assert.deepEqual(ids('nope'), []);
  });

  it('summarises an image for its card: version, parent present or not, descendants or not', () => {
    const index = new LineageIndex(all);
    assert.deepEqual(index.summary(c), { version: 3, rootId: 'a', parent: 'present', parentItem: b, hasDescendants: true });
    assert.deepEqual(index.summary(d), { version: 4, rootId: 'a', parent: 'present', parentItem: c, hasDescendants: false });
    assert.deepEqual(index.summary(a), { version: 1, rootId: 'a', parent: 'none', hasDescendants: true });
    assert.deepEqual(index.summary(x), { version: 1, rootId: 'x', parent: 'none', hasDescendants: false });
  });

  it('removing an image keeps its children’s versions and says their parent is gone', () => {
    const index = new LineageIndex(all.filter((n) => n !== b));
    const sc = index.summary(c);
    assert.equal(sc.version, 3, 'the version was stored, not recounted from the parents left');
    assert.equal(sc.parent, 'removed');
    assert.equal(sc.parentItem, undefined);
    assert.equal(sc.rootId, 'a');
    assert.deepEqual(
      index.chain('c').map((n) => n.id),
      ['a', 'c', 'd'],
      'the chain skips the removed image and still reaches the root',
    );
    assert.deepEqual(
      index.chain('b').map((n) => n.id),
      ['c', 'd'],
      'the chain of a removed image still finds its descendants',
    );
    // Even the root gone: the versions and the chain between the rest hold.
    const noRoot = new LineageIndex(all.filter((n) => n !== a && n !== b));
    assert.equal(noRoot.summary(d).version, 4);
    assert.equal(noRoot.summary(d).parent, 'present');
    assert.deepEqual(
      noRoot.chain('a').map((n) => n.id),
      ['e', 'c', 'd'],
    );
  });

  it('keeps the newest ancestors only, with the root and version still exact, on a very long chain', () => {
    let n: Node = root('r', 0);
    const chain = [n];
    for (let i = 1; i <= MAX_ANCESTORS + 10; i++) chain.push((n = refine(n, `n${i}`, i)));
    const last = chain[chain.length - 1];
    assert.equal(last.lineage?.version, MAX_ANCESTORS + 11);
    assert.equal(last.lineage?.rootId, 'r');
    assert.equal(last.lineage?.ancestors.length, MAX_ANCESTORS);
    assert.ok(isLineage(last.lineage));
    assert.equal(new LineageIndex(chain).chain(last.id).length, MAX_ANCESTORS + 2, 'the root, the ancestors kept, itself');
    assert.equal(new LineageIndex(chain).chain('r').length, chain.length, 'the root still finds every descendant');
  });

  it('guards stored lineage', () => {
    assert.ok(isLineage({ parentId: 'p', rootId: 'r', version: 3, ancestors: ['r', 'p'] }));
    for (const bad of [
      null,
      [],
      { parentId: 'p', rootId: 'r', version: 1, ancestors: ['p'] },
      { parentId: 'p', rootId: 'r', version: 2.5, ancestors: ['p'] },
      { parentId: 'p', rootId: 'r', version: '2', ancestors: ['p'] },
      { parentId: '', rootId: 'r', version: 2, ancestors: [''] },
      { parentId: 'p', rootId: 'r', version: 2, ancestors: [] },
      { parentId: 'p', rootId: 'r', version: 2, ancestors: ['q'] },
      { parentId: 'p', rootId: 'r', version: 2, ancestors: [1, 'p'] },
      { parentId: 'p', rootId: 'r', version: 2, ancestors: Array.from({ length: MAX_ANCESTORS + 1 }, () => 'p') },
      { parentId: 'p', version: 2, ancestors: ['p'] },
    ]) {
      assert.ok(!isLineage(bad), JSON.stringify(bad));
    }
  });

  it('reads a lineage word out of a filter text', () => {
    assert.equal(lineageToken('ab-1'), 'lineage:ab-1');
    assert.deepEqual(parseLineageQuery('lineage:ab-1'), { lineageId: 'ab-1', text: '' });
    assert.deepEqual(parseLineageQuery('  red  Lineage:Ab-1 kite lineage:zz '), { lineageId: 'Ab-1', text: 'red kite lineage:zz' });
    assert.deepEqual(parseLineageQuery('lineage: red'), { text: 'lineage: red' }, 'an empty id is a plain word');
    assert.deepEqual(parseLineageQuery('red kite'), { text: 'red kite' });
  });

  it('shortens a prompt for a "from …" label', () => {
    assert.equal(shortPrompt('a cat', 32), 'a cat');
    assert.equal(shortPrompt('  a   cat \n on a sofa ', 32), 'a cat on a sofa');
    assert.equal(shortPrompt('A watercolor fox sitting in a field of sunflowers', 24), 'A watercolor fox…');
    assert.equal(shortPrompt('Supercalifragilisticexpialidocious', 10), 'Supercali…');
    assert.equal(Array.from(shortPrompt('🍌'.repeat(40), 10)).length, 10, 'never splits a character');
  });
});
