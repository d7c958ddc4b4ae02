import * as assert from 'node:assert/strict';
import { AheadCache } from '../../../src/core/aheadCache';

describe('core/aheadCache', () => {
  it('one start per key: a second ask gets the work already under way', async () => {
    const cache = new AheadCache<string>(10_000);
    let starts = 0;
    const start = () => Promise.resolve(`done ${++starts}`);
    const a = cache.get('file:///a.jpg|10|1', start);
    const b = cache.get('file:///a.jpg|10|1', start);
    assert.equal(a, b);
    assert.equal(await b, 'done 1');
    assert.equal(await cache.get('file:///a.jpg|12|2', start), 'done 2', 'a changed file (size, time) is prepared again');
    assert.equal(starts, 2);
    cache.clear();
  });

  it('a failure is not kept: the next ask starts again', async () => {
    const cache = new AheadCache<string>(10_000);
    let starts = 0;
    const failing = cache.get('k', () => Promise.reject(new Error(`broken ${++starts}`)));
    await assert.rejects(failing, /broken 1/);
    await new Promise((r) => setImmediate(r));
    assert.equal(cache.size, 0);
    await assert.rejects(
      cache.get('k', () => Promise.reject(new Error(`broken ${++starts}`))),
      /broken 2/,
    );
  });

  it('an entry nobody asks for again is dropped after its time', async () => {
    const cache = new AheadCache<number>(50);
    await cache.get('k', () => Promise.resolve(1));
    assert.equal(cache.size, 1);
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(cache.size, 0);
    let started = false;
    await cache.get('k', () => ((started = true), Promise.resolve(2)));
    assert.ok(started, 'started again');
    cache.clear();
  });
});
