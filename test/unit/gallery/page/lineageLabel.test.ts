import * as assert from 'node:assert/strict';
import { LineageIndex, childLineage } from '../../../../src/core/lineage';
import { lineageLabel } from '../../../../src/gallery/page/lineageLabel';
import type { HistoryView } from '../../../../src/gallery/protocol';

const strings = { lineageVersion: 'v{0}', lineageFrom: 'from {0}', lineageFromRemoved: 'from a removed image' };
const turkish = { lineageVersion: 's{0}', lineageFrom: 'kaynak: {0}', lineageFromRemoved: 'kaynak: kaldırılmış bir görsel' };

function item(id: string, prompt: string, createdAt: number, parent?: HistoryView): HistoryView {
  return {
    id,
    prompt,
    model: 'm',
    createdAt,
    src: `https://x/${id}.png`,
    fileName: `${id}.png`,
    bytes: 1,
    ...(parent ? { lineage: childLineage(parent) } : {}),
  };
}

describe('gallery page: lineage label', () => {
  const a = item('a', 'A watercolor fox sitting in a field of sunflowers', 1);
  const b = item('b', 'the fox, at night', 2, a);
  const c = item('c', 'the fox, at night, with stars', 3, b);
  const lone = item('x', 'alone', 4);

  it('names the version and the parent briefly; an original with refinements is v1; a lone image has none', () => {
    const index = new LineageIndex([a, b, c, lone]);
    assert.equal(lineageLabel(index, b, strings), 'v2 · from A watercolor fox sitting…');
    assert.equal(lineageLabel(index, c, strings), 'v3 · from the fox, at night');
    assert.equal(lineageLabel(index, a, strings), 'v1');
    assert.equal(lineageLabel(index, lone, strings), undefined);
    assert.equal(lineageLabel(index, c, turkish), 's3 · kaynak: the fox, at night');
  });

  it('says so when the parent was removed, keeping the version', () => {
    const index = new LineageIndex([a, c]);
    assert.equal(lineageLabel(index, c, strings), 'v3 · from a removed image');
  });
});
