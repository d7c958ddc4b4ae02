import * as assert from 'node:assert/strict';
import { embedState, parseEmbeddedState } from '../../../src/gallery/initialState';
import type { GalleryState, HistoryView } from '../../../src/gallery/protocol';

const HOSTILE = ['</script><script>alert(1)</script>', '<!-- <script>', '</SCRIPT >x', '&lt;b&gt; & <b>', 'line\u2028sep\u2029end', '"quoted" \\ back'];

function stateWith(prompt: string): GalleryState {
  const item: HistoryView = {
    id: 'a',
    prompt,
    model: prompt,
    aspectRatio: '1:1',
    imageSize: '1K',
    createdAt: 1,
    src: `https://x/${prompt}`,
    fileName: prompt,
    bytes: 10,
  };
  return { jobs: [], history: [item], strings: { history: prompt } as unknown as GalleryState['strings'], balance: 3 };
}

describe('gallery initial state embedded in the HTML', () => {
  for (const text of HOSTILE) {
    it(`keeps ${JSON.stringify(text)} as text inside the <script> data block and reads it back unchanged`, () => {
      const state = stateWith(text);
      const embedded = embedState(state);
      // Nothing that can close the element, open a comment or markup, or end a JS line.
      assert.ok(!/[<>&\u2028\u2029]/.test(embedded), embedded);
      assert.deepEqual(parseEmbeddedState(embedded), state);
    });
  }

  it('gives undefined for a missing, malformed or ill-shaped block', () => {
    assert.equal(parseEmbeddedState(null), undefined);
    assert.equal(parseEmbeddedState(''), undefined);
    assert.equal(parseEmbeddedState('{not json'), undefined);
    assert.equal(parseEmbeddedState(JSON.stringify({ jobs: [], history: 'x', strings: {} })), undefined);
  });
});
