import * as assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../../simulator/server';
import { ManualClock, closedPort, rejectsWith } from './helpers';
import { KEY, MODEL, closeAll, makeClient, posts, queries } from './simulated';

// FAST backoff (5 ms × 2, cap 20) with random 0.5, by hand: step 5 → 2.5 + 1.25 = 3.75 ≈ 4; step 10 → 5 + 2.5 = 7.5 ≈ 8.

describe('api/client retry rules', () => {
  let sim: Simulator;
  let taskId: string;

  before(async () => {
    sim = await startSimulator({ apiKey: KEY, durationMs: 0 });
  });
  beforeEach(async () => {
    sim.reset();
    sim.setDuration(0);
    taskId = await makeClient(sim).client.submit({ model: MODEL, prompt: 'a banana' });
    sim.requests.length = 0; // count only what the test itself causes
  });
  afterEach(closeAll);
  after(async () => {
    await sim.close();
  });

  describe('reads (task query)', () => {
    it('retries a dropped connection (reset) and succeeds', async () => {
      const { client } = makeClient(sim);
      sim.inject('query', { kind: 'drop-before' });
      sim.inject('query', { kind: 'drop-after' });
      const task = await client.query(taskId);
      assert.equal(task.status, 'success');
      assert.equal(queries(sim).length, 3);
    });

    it('retries 5xx and succeeds', async () => {
      const { client, clock } = makeClient(sim);
      sim.inject('query', { kind: 'status', status: 502 }, 2);
      assert.equal((await client.query(taskId)).status, 'success');
      assert.equal(queries(sim).length, 3);
      assert.deepEqual(clock.delays, [4, 8]);
    });

    it("retries the simulator's [sim:status500=2] answers", async () => {
      const { client } = makeClient(sim);
      const id = await client.submit({ model: MODEL, prompt: 'x [sim:status500=2]' });
      assert.equal((await client.query(id)).status, 'success');
      assert.equal(queries(sim).length, 3);
    });

    it('retries 429 honouring Retry-After (seconds), then succeeds', async () => {
      const { client, clock } = makeClient(sim);
      sim.inject('query', { kind: 'status', status: 429, retryAfter: '2' });
      assert.equal((await client.query(taskId)).status, 'success');
      assert.equal(queries(sim).length, 2);
      assert.deepEqual(clock.delays, [2000]);
    });

    it('honours a Retry-After HTTP date', async () => {
      const { client, clock } = makeClient(sim);
      sim.inject('query', { kind: 'status', status: 429, retryAfter: new Date(clock.now() + 7000).toUTCString() });
      await client.query(taskId);
      assert.deepEqual(clock.delays, [7000]);
    });

    it('never waits less than the backoff, even when Retry-After says 0', async () => {
      const { client, clock } = makeClient(sim);
      sim.inject('query', { kind: 'status', status: 429, retryAfter: '0' });
      await client.query(taskId);
      assert.deepEqual(clock.delays, [4]);
      assert.ok(clock.delays[0] > 0);
    });

    it('gives up after 3 retries by default and surfaces the server error', async () => {
      const { client, lines } = makeClient(sim);
      sim.inject('query', { kind: 'status', status: 500 }, 10);
      const e = await rejectsWith(() => client.query(taskId), 'server');
      assert.equal(e.status, 500);
      assert.equal(e.retryable, true);
      assert.equal(queries(sim).length, 4);
      assert.deepEqual(
        lines.filter((l) => l.startsWith('task query: retry')).map((l) => l.replace(/ in \d+ ms/, '')),
        ['task query: retry 1/3', 'task query: retry 2/3', 'task query: retry 3/3'],
      );
    });

    it('surfaces rate-limited with retryAfterMs when 429 persists', async () => {
      const { client, clock } = makeClient(sim, { maxRetries: 2 });
      sim.inject('query', { kind: 'status', status: 429, retryAfter: '2' }, 10);
      const e = await rejectsWith(() => client.query(taskId), 'rate-limited');
      assert.equal(e.retryAfterMs, 2000);
      assert.equal(e.status, 429);
      assert.equal(queries(sim).length, 3);
      assert.deepEqual(clock.delays, [2000, 2000]);
    });

    it('returns a Retry-After longer than maxRetryAfterMs to the caller instead of waiting', async () => {
      const { client, clock } = makeClient(sim);
      sim.inject('query', { kind: 'status', status: 429, retryAfter: '120' });
      const e = await rejectsWith(() => client.query(taskId), 'rate-limited');
      assert.equal(e.retryAfterMs, 120_000);
      assert.equal(queries(sim).length, 1);
      assert.deepEqual(clock.delays, []);

      const custom = makeClient(sim, { maxRetryAfterMs: 500 });
      sim.inject('query', { kind: 'status', status: 429, retryAfter: '1' });
      assert.equal((await rejectsWith(() => custom.client.query(taskId), 'rate-limited')).retryAfterMs, 1000);
      assert.deepEqual(custom.clock.delays, []);
    });

    it('maxRetries: 0 means one attempt', async () => {
      const { client } = makeClient(sim, { maxRetries: 0 });
      sim.inject('query', { kind: 'status', status: 503 });
      await rejectsWith(() => client.query(taskId), 'server');
      assert.equal(queries(sim).length, 1);
    });

    it('connection refused: retried, then network with maybeDelivered false', async () => {
      const port = await closedPort();
      const { client, lines, clock } = makeClient({ url: `http://127.0.0.1:${port}` });
      const e = await rejectsWith(() => client.query(taskId), 'network');
      assert.equal(e.maybeDelivered, false);
      assert.equal(e.detail, 'ECONNREFUSED');
      assert.match(e.message, /refused the connection/);
      assert.equal(lines.filter((l) => l.startsWith('GET /api/task/query failed after')).length, 4);
      assert.equal(clock.delays.length, 3);
    });
  });

  describe('backoff', () => {
    it('waits nextDelay(attempt, random) between attempts, with the injected random and clock', async () => {
      const randoms = [0.1, 0.7, 0.3];
      const seen = [...randoms];
      const backoff = { baseMs: 100, factor: 2, capMs: 300 };
      const { client, clock, lines } = makeClient(sim, { random: () => seen.shift() ?? 0, backoff });
      sim.inject('query', { kind: 'status', status: 503 }, 3);
      assert.equal((await client.query(taskId)).status, 'success');
      // Equal jitter: half the step plus random × half: 100 → 50 + 0.1×50; 200 → 100 + 0.7×100; 300 (cap) → 150 + 0.3×150.
      assert.deepEqual(clock.delays, [55, 170, 195]);
      assert.ok(lines.includes('task query: retry 2/3 in 170 ms'), lines.join('\n'));
    });

    it('an abort during the wait stops at once: cancelled, no further request', async () => {
      const clock = new ManualClock();
      const { client } = makeClient(sim, { clock });
      const ac = new AbortController();
      sim.inject('query', { kind: 'status', status: 500 });
      const p = client.query(taskId, ac.signal);
      await clock.whenScheduled();
      ac.abort();
      const e = await rejectsWith(() => p, 'cancelled');
      assert.equal(e.retryable, false);
      assert.equal(queries(sim).length, 1);
    });

    it('an already aborted signal sends nothing', async () => {
      const { client } = makeClient(sim);
      const ac = new AbortController();
      ac.abort();
      await rejectsWith(() => client.query(taskId, ac.signal), 'cancelled');
      await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p' }, ac.signal), 'cancelled');
      assert.equal(sim.requests.length, 0);
    });

    it('close() during the wait: the call fails with the "closed" error and sends nothing more', async () => {
      const clock = new ManualClock();
      const { client } = makeClient(sim, { clock });
      sim.inject('query', { kind: 'status', status: 500 });
      const p = client.query(taskId);
      await clock.whenScheduled();
      await client.close();
      clock.fire();
      const e = await rejectsWith(() => p, 'cancelled');
      assert.match(e.message, /client was closed/);
      assert.equal(queries(sim).length, 1);
    });
  });

  describe('submit (a paid POST): never a double submit', () => {
    it('retried on 5xx: one task in the end', async () => {
      const { client } = makeClient(sim);
      sim.inject('submit', { kind: 'status', status: 500 }, 2);
      const id = await client.submit({ model: MODEL, prompt: 'p' });
      assert.equal(posts(sim).length, 3);
      assert.equal(sim.tasks.size, 2); // the one from beforeEach + this one
      assert.ok(sim.tasks.has(id));
    });

    it('retried on 429 honouring Retry-After: one task in the end', async () => {
      sim.reset();
      const { client, clock } = makeClient(sim);
      sim.inject('submit', { kind: 'status', status: 429, retryAfter: '1' });
      const id = await client.submit({ model: MODEL, prompt: 'p' });
      assert.equal(sim.tasks.size, 1);
      assert.ok(sim.tasks.has(id));
      assert.equal(posts(sim).length, 2);
      assert.deepEqual(clock.delays, [1000]);
    });

    it('gives up after 2 retries by default: server error, no task', async () => {
      sim.reset();
      const { client } = makeClient(sim);
      sim.inject('submit', { kind: 'status', status: 503 }, 10);
      const e = await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p' }), 'server');
      assert.equal(e.status, 503);
      assert.equal(posts(sim).length, 3);
      assert.equal(sim.tasks.size, 0);
    });

    for (const status of [504, 524]) {
      it(`NOT retried on a gateway time-out (${status}): the API may have created the task`, async () => {
        sim.reset();
        const { client, clock } = makeClient(sim);
        sim.inject('submit', { kind: 'status', status }, 5);
        const e = await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p' }), 'server');
        assert.equal(e.status, status);
        assert.equal(e.maybeDelivered, true);
        assert.equal(e.retryable, false);
        assert.equal(posts(sim).length, 1, 'sent once');
        assert.deepEqual(clock.delays, []);
      });
    }

    it('a gateway time-out on a READ is retried as usual', async () => {
      sim.reset();
      const taskId = await makeClient(sim).client.submit({ model: MODEL, prompt: 'p' });
      const { client } = makeClient(sim);
      sim.inject('query', { kind: 'status', status: 504 });
      const task = await client.query(taskId);
      assert.equal(task.taskId, taskId);
      assert.equal(queries(sim).length, 2);
    });

    it('NOT retried when the connection drops after the server acted (drop-after): network, maybeDelivered', async () => {
      sim.reset();
      const { client, clock } = makeClient(sim);
      sim.inject('submit', { kind: 'drop-after' });
      const e = await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p' }), 'network');
      assert.equal(e.maybeDelivered, true);
      assert.equal(posts(sim).length, 1);
      assert.equal(sim.tasks.size, 1); // the task exists server side; a retry would have made a second
      assert.deepEqual(clock.delays, []);
    });

    it('NOT retried when the connection drops as the request arrives (drop-before)', async () => {
      sim.reset();
      const { client } = makeClient(sim);
      sim.inject('submit', { kind: 'drop-before' });
      const e = await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p' }), 'network');
      assert.equal(e.maybeDelivered, true);
      assert.equal(posts(sim).length, 1);
      assert.equal(sim.tasks.size, 0);
    });

    it('retried when the connection is refused (provably not delivered), then network with maybeDelivered false', async () => {
      const port = await closedPort();
      const { client, lines, clock } = makeClient({ url: `http://127.0.0.1:${port}` });
      const e = await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p' }), 'network');
      assert.equal(e.maybeDelivered, false);
      assert.equal(e.detail, 'ECONNREFUSED');
      assert.equal(lines.filter((l) => l.startsWith('POST /api/image/gen failed after')).length, 3);
      assert.deepEqual(
        lines.filter((l) => l.startsWith('submit: retry')).map((l) => l.replace(/ in \d+ ms/, '')),
        ['submit: retry 1/2', 'submit: retry 2/2'],
      );
      assert.deepEqual(clock.delays, [4, 8]);
    });

    it('a garbled 200 answer is not retried (the task may exist)', async () => {
      sim.reset();
      const { client } = makeClient(sim);
      sim.inject('submit', { kind: 'broken-json' });
      await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p' }), 'protocol');
      assert.equal(posts(sim).length, 1);
      assert.equal(sim.tasks.size, 1);
    });
  });
});

describe('api/client timeouts and aborts in flight', () => {
  // Its own simulator: delayed handlers still act after the client gave up; closing cuts them short.
  let sim: Simulator;
  let taskId: string;

  before(async () => {
    sim = await startSimulator({ apiKey: KEY, durationMs: 0 });
    taskId = await makeClient(sim).client.submit({ model: MODEL, prompt: 'a banana' });
  });
  beforeEach(() => {
    sim.clearFaults();
    sim.requests.length = 0;
  });
  afterEach(closeAll);
  after(async () => {
    await sim.close();
  });

  // undici checks response timeouts on a coarse (~0.5 s) timer, so the three cases run side by side.
  it('timeouts: a query times out → network, maybeDelivered; a query is retried; a submit is NOT retried', async () => {
    const once = makeClient(sim, { requestTimeoutMs: 150, maxRetries: 0 }).client;
    const retried = makeClient(sim, { requestTimeoutMs: 150, maxRetries: 1 }).client;
    const submitter = makeClient(sim, { requestTimeoutMs: 150 }).client;
    sim.inject('query', { kind: 'delay', ms: 5000 }, 2); // the first query of `once` and of `retried`
    sim.inject('submit', { kind: 'delay', ms: 5000 });
    const [e, task, s] = await Promise.all([
      rejectsWith(() => once.query(taskId), 'network'),
      retried.query(taskId),
      rejectsWith(() => submitter.submit({ model: MODEL, prompt: 'p' }), 'network'),
    ]);
    assert.equal(e.detail, 'UND_ERR_HEADERS_TIMEOUT');
    assert.equal(e.maybeDelivered, true);
    assert.match(e.message, /did not answer within/);
    assert.equal(task.status, 'success');
    assert.equal(queries(sim).length, 3); // once ×1, retried ×2
    assert.equal(s.detail, 'UND_ERR_HEADERS_TIMEOUT');
    assert.equal(s.maybeDelivered, true);
    assert.equal(posts(sim).length, 1); // the server may still create the task: no second POST
  });

  it('aborting a request in flight → cancelled', async () => {
    const { client } = makeClient(sim);
    sim.inject('query', { kind: 'delay', ms: 5000 });
    const ac = new AbortController();
    const p = client.query(taskId, ac.signal);
    while (queries(sim).length === 0) await new Promise((r) => setImmediate(r));
    ac.abort();
    const e = await rejectsWith(() => p, 'cancelled');
    assert.equal(e.retryable, false);
    assert.equal(queries(sim).length, 1);
  });
});
