import * as assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../simulator/server';
import { call, firstImage, query, sleep, submit } from './util';

const GEN = { model: 'google/gempix2', prompt: 'a banana' };

describe('simulator: injected faults', function () {
  this.timeout(5000);
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ durationMs: 0 });
  });
  after(() => sim.close());
  beforeEach(() => sim.reset());

  it('status: answers the status with Retry-After and an envelope, creates no task, and is one-shot', async () => {
    sim.inject('submit', { kind: 'status', status: 429, retryAfter: '7' });
    const a = await call(sim, '/api/image/gen', { body: GEN });
    assert.equal(a.status, 429);
    assert.equal(a.headers.get('retry-after'), '7');
    assert.deepEqual(a.json, { code: 1, message: 'Too Many Requests' });
    assert.equal(sim.tasks.size, 0);
    assert.equal(sim.requests.length, 1, 'the faulted request is still recorded');
    assert.deepEqual(JSON.parse(sim.requests[0].body), GEN);
    await submit(sim);
    assert.equal(sim.tasks.size, 1);
  });

  it('status: a custom body and headers are sent as given', async () => {
    sim.inject('user', { kind: 'status', status: 503, body: 'upstream down', headers: { 'x-sim': 'yes' } });
    const a = await call(sim, '/api/user');
    assert.equal(a.status, 503);
    assert.equal(a.text, 'upstream down');
    assert.equal(a.headers.get('x-sim'), 'yes');
  });

  it('status 401 on a query says code 401, like the real query endpoint', async () => {
    const id = await submit(sim);
    sim.inject('query', { kind: 'status', status: 401 });
    const a = await query(sim, id);
    assert.equal(a.status, 401);
    assert.deepEqual(a.json, { code: 401, message: 'Invalid API key' });
  });

  it('times: a fault repeats the given number of times, FIFO per route', async () => {
    const id = await submit(sim);
    sim.inject('query', { kind: 'status', status: 500 }, 2);
    sim.inject('query', { kind: 'status', status: 502 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await query(sim, id)).status);
    assert.deepEqual(statuses, [500, 500, 502, 200]);
    assert.equal(sim.tasks.get(id)?.queries, 1, 'faulted queries never reached the task');
  });

  it("a route's own fault is used before an 'any' fault; 'any' also hits downloads", async () => {
    sim.inject('any', { kind: 'status', status: 503 });
    sim.inject('submit', { kind: 'status', status: 500 });
    assert.equal((await call(sim, '/api/image/gen', { body: GEN })).status, 500);
    assert.equal((await call(sim, '/api/image/gen', { body: GEN })).status, 503);
    const id = await submit(sim);
    const url = firstImage(await query(sim, id));
    sim.inject('any', { kind: 'status', status: 502 });
    assert.equal((await call(sim, url, { key: null })).status, 502);
    assert.equal((await call(sim, url, { key: null })).status, 200);
  });

  it('file faults only hit downloads', async () => {
    const id = await submit(sim);
    sim.inject('file', { kind: 'status', status: 403 });
    const q = await query(sim, id);
    assert.equal(q.status, 200);
    assert.equal((await call(sim, firstImage(q), { key: null })).status, 403);
  });

  it('clearFaults drops every queued fault', async () => {
    sim.inject('user', { kind: 'status', status: 500 }, 5);
    sim.inject('any', { kind: 'html' });
    sim.clearFaults();
    assert.equal((await call(sim, '/api/user')).status, 200);
  });

  it('drop-before: the client gets a socket error and no task is created', async () => {
    sim.inject('submit', { kind: 'drop-before' });
    await assert.rejects(call(sim, '/api/image/gen', { body: GEN }), (err: Error) => err instanceof TypeError);
    assert.equal(sim.tasks.size, 0);
    assert.equal(sim.requests.length, 1);
    assert.equal(sim.requests[0].path, '/api/image/gen');
    assert.equal((await call(sim, '/api/user')).status, 200, 'the server still serves');
  });

  it('drop-after: the client gets a socket error but the task WAS created', async () => {
    sim.inject('submit', { kind: 'drop-after' });
    await assert.rejects(call(sim, '/api/image/gen', { body: GEN }), (err: Error) => err instanceof TypeError);
    assert.equal(sim.tasks.size, 1);
    assert.deepEqual([...sim.tasks.values()][0].request, GEN);
  });

  it('act-then-delay: the task exists before the answer leaves', async () => {
    sim.inject('submit', { kind: 'act-then-delay', ms: 1500 });
    let answered = false;
    const answer = call(sim, '/api/image/gen', { body: GEN }).finally(() => (answered = true));
    while (sim.tasks.size === 0 && !answered) await sleep(10);
    assert.equal(sim.tasks.size, 1, 'created (and billable)');
    assert.equal(answered, false, 'while the client still waits');
    const res = await answer;
    assert.equal(res.status, 200);
    assert.equal(sim.tasks.size, 1);
  });

  it('drop-after on a query still counts the query', async () => {
    const id = await submit(sim);
    sim.inject('query', { kind: 'drop-after' });
    await assert.rejects(query(sim, id));
    assert.equal(sim.tasks.get(id)?.queries, 1);
  });

  it('delay: answers normally after the delay; a client timeout fires first', async () => {
    sim.inject('user', { kind: 'delay', ms: 250 });
    const t0 = Date.now();
    const a = await call(sim, '/api/user');
    assert.equal(a.status, 200);
    assert.ok(Date.now() - t0 >= 240, `answered after ${Date.now() - t0} ms`);
    // On /api/user: a delayed submit would still create its task after the client gave up, into a later test.
    sim.inject('user', { kind: 'delay', ms: 400 });
    await assert.rejects(call(sim, '/api/user', { signal: AbortSignal.timeout(100) }), (err: Error) => err.name === 'TimeoutError');
  });

  it('broken-json: 200 with a truncated JSON body (the submit still acted)', async () => {
    sim.inject('submit', { kind: 'broken-json' });
    const a = await call(sim, '/api/image/gen', { body: GEN });
    assert.equal(a.status, 200);
    assert.match(a.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(a.json, undefined, 'the body is not valid JSON');
    assert.ok(a.text.startsWith('{"code":0,"message":"ok"'), a.text);
    assert.equal(sim.tasks.size, 1);
  });

  it('broken-json on a download gives the fixed truncated envelope', async () => {
    const id = await submit(sim);
    const url = firstImage(await query(sim, id));
    sim.inject('file', { kind: 'broken-json' });
    const a = await call(sim, url, { key: null });
    assert.equal(a.status, 200);
    assert.equal(a.text, '{"code":0,"message":"ok","data":{"task');
  });

  it('html: 200 text/html 502 page, without acting', async () => {
    sim.inject('submit', { kind: 'html' });
    const a = await call(sim, '/api/image/gen', { body: GEN });
    assert.equal(a.status, 200);
    assert.match(a.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(a.text, '<html>502 Bad Gateway</html>');
    assert.equal(sim.tasks.size, 0);
  });

  it('shape: 200 with exactly the given JSON body', async () => {
    const id = await submit(sim);
    const body = { code: 0, message: 'ok', data: { task_id: id, status: 'weird', result: 'nope' } };
    sim.inject('query', { kind: 'shape', body });
    const a = await query(sim, id);
    assert.equal(a.status, 200);
    assert.deepEqual(a.json, body);
    sim.inject('submit', { kind: 'shape', body: { code: 0, message: 'ok', data: {} } });
    assert.deepEqual((await call(sim, '/api/image/gen', { body: GEN })).json, { code: 0, message: 'ok', data: {} });
    assert.equal(sim.tasks.size, 1, 'shape does not act');
  });

  it('inject rejects nonsense', () => {
    assert.throws(() => sim.inject('nope' as never, { kind: 'html' }));
    assert.throws(() => sim.inject('user', { kind: 'html' }, 0));
  });
});
