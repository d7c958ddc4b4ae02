// Settings changes take effect on the next request, without a reload.
import * as assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../simulator/server';
import { apiRequests, assertSucceeded, setSetting, settled, submits, useSimulator, waitFor, waitForSubmits } from './helpers';

describe('configuration changes take effect', function () {
  const fx = useSimulator();

  it('nanoBanana.model and nanoBanana.aspectRatio are sent with the next request', async () => {
    await assertSucceeded(fx.api, await fx.generate({ prompt: 'With the defaults' }));
    let [body] = await waitForSubmits(fx.sim, 1);
    assert.equal(body.model, 'google/gempix2');
    assert.equal(body.aspect_ratio, undefined);

    await setSetting('model', 'google/gemini-2.5-flash-image');
    await setSetting('aspectRatio', '9:16');
    await assertSucceeded(fx.api, await fx.generate({ prompt: 'With new settings' }));
    body = (await waitForSubmits(fx.sim, 2))[1];
    assert.equal(body.model, 'google/gemini-2.5-flash-image');
    assert.equal(body.aspect_ratio, '9:16');

    // An argument still wins over the setting.
    await fx.generate({ prompt: 'Argument wins', model: 'google/nano-banana', aspectRatio: '1:1' });
    body = (await waitForSubmits(fx.sim, 3))[2];
    assert.equal(body.model, 'google/nano-banana');
    assert.equal(body.aspect_ratio, '1:1');
  });

  it('nanoBanana.imageSize is sent only to models that take it', async () => {
    await setSetting('imageSize', '4k');
    await fx.generate({ prompt: 'Big on gempix2' });
    await setSetting('model', 'google/nano-banana-2');
    await fx.generate({ prompt: 'Big on nano-banana-2' });
    const bodies = await waitForSubmits(fx.sim, 2);
    assert.equal(bodies[0].image_size, undefined);
    assert.equal(bodies[1].model, 'google/nano-banana-2');
    assert.equal(bodies[1].image_size, '4k');
  });

  it('nanoBanana.callbackUrl is sent as callback_url', async () => {
    await setSetting('callbackUrl', 'https://hooks.example.test/nano');
    await fx.generate({ prompt: 'Call me back' });
    const [body] = await waitForSubmits(fx.sim);
    assert.equal(body.callback_url, 'https://hooks.example.test/nano');
  });

  it('nanoBanana.apiBaseUrl: the next requests go to the new server, and back again', async () => {
    const other: Simulator = await startSimulator({ durationMs: 300, apiKey: fx.sim.apiKey });
    try {
      await setSetting('apiBaseUrl', `${other.url}/`); // a trailing slash is fine
      const id = await fx.generate({ prompt: 'Routed to the second server' });
      const job = await assertSucceeded(fx.api, id);
      assert.equal(submits(other).length, 1);
      assert.ok(other.tasks.has(job.taskId!), 'the task lives on the second server');
      assert.equal(apiRequests(fx.sim).length, 0, 'the first server saw nothing');

      await setSetting('apiBaseUrl', fx.sim.url);
      await assertSucceeded(fx.api, await fx.generate({ prompt: 'Back on the first server' }));
      assert.equal(submits(fx.sim).length, 1);
      assert.equal(submits(other).length, 1);
    } finally {
      await other.close();
    }
  });

  it('nanoBanana.apiBaseUrl over plain http to a non-local host is refused before the key is sent', async () => {
    await setSetting('apiBaseUrl', 'http://api.example.test');
    const job = await settled(fx.api, await fx.generate({ prompt: 'Not over http' }));
    assert.equal(job.state, 'failed');
    assert.equal(job.error?.kind, 'config');
    assert.equal(apiRequests(fx.sim).length, 0);
  });

  it('nanoBanana.requestTimeoutSeconds bounds a request that hangs', async () => {
    await setSetting('requestTimeoutSeconds', 5);
    // The answer would come after 20 s: a failure well before it can only be the 5 s timeout. The
    // lower bound cannot flake (the test's clock starts before the request); the upper one leaves
    // 10 s for a busy 2-core machine and is still half the delay.
    fx.sim.inject('submit', { kind: 'delay', ms: 20_000 });
    const t0 = Date.now();
    const job = await settled(fx.api, await fx.generate({ prompt: 'Hangs' }), 16_000);
    const took = Date.now() - t0;
    assert.equal(job.state, 'failed');
    assert.equal(job.error?.kind, 'network');
    assert.ok(took >= 4900 && took < 15_000, `failed after ${took} ms, expected about 5 s (the answer was 20 s away)`);
  });

  it('nanoBanana.historyLimit prunes the history (after a short pause, so half-typed numbers do not count)', async () => {
    for (const p of ['History one', 'History two']) await assertSucceeded(fx.api, await fx.generate({ prompt: p }));
    assert.ok((await fx.api.historyIds()).length >= 2);
    await setSetting('historyLimit', 1);
    await waitFor('the history to shrink to 1 item', async () => (await fx.api.historyIds()).length === 1);
  });
});
