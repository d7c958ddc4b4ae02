import * as assert from 'node:assert/strict';
import { MAX_PROMPT_LENGTH } from '../../../../src/core/api/types';
import { startSimulator, FAIL_REASON, TEXT_ANSWER, type Simulator } from '../../../simulator/server';
import { closedPort, rejectsWith } from './helpers';
import { KEY, MODEL, UA, closeAll, makeClient, posts, queries, spyDispatcher, users } from './simulated';

const PNG_URI = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

describe('api/client against the simulator', () => {
  let sim: Simulator;

  before(async () => {
    sim = await startSimulator({ apiKey: KEY, durationMs: 0 });
  });
  beforeEach(() => {
    sim.reset();
    sim.setDuration(0);
    sim.setCredit(100);
  });
  afterEach(closeAll);
  after(async () => {
    await sim.close();
  });

  describe('submit and query', () => {
    it('submits the normalised request as JSON and returns the task id the server created', async () => {
      const { client } = makeClient(sim);
      const id = await client.submit({
        model: ` ${MODEL} `,
        prompt: '  a banana  ',
        images: ['https://ref.test/a.png', PNG_URI],
        aspectRatio: '16:9',
        imageSize: '2K',
        callbackUrl: 'https://hook.test/cb',
      });
      assert.equal(sim.tasks.size, 1);
      assert.ok(sim.tasks.has(id), id);
      const [post] = posts(sim);
      assert.equal(posts(sim).length, 1);
      assert.deepEqual(JSON.parse(post.body), {
        model: MODEL,
        prompt: 'a banana',
        images: ['https://ref.test/a.png', PNG_URI],
        aspect_ratio: '16:9',
        image_size: '2k',
        callback_url: 'https://hook.test/cb',
      });
      assert.equal(post.headers['content-type'], 'application/json');
      assert.equal(post.headers.accept, 'application/json');
    });

    it('leaves out auto options and empty reference lists', async () => {
      const { client } = makeClient(sim);
      await client.submit({ model: MODEL, prompt: 'p', aspectRatio: 'auto', imageSize: 'auto', images: [] });
      assert.deepEqual(JSON.parse(posts(sim)[0].body), { model: MODEL, prompt: 'p' });
    });

    it('queries a finished task: images, consumed, created_at', async () => {
      const { client } = makeClient(sim);
      const id = await client.submit({ model: MODEL, prompt: 'a banana' });
      const task = await client.query(id);
      assert.equal(task.taskId, id);
      assert.equal(task.status, 'success');
      assert.deepEqual(task.images, [`${sim.url}/files/${id}/0.png`]);
      assert.deepEqual(task.texts, []);
      assert.equal(task.consumed, '0.500000');
      assert.equal(typeof task.createdAt, 'string');
      assert.equal(queries(sim)[0].path, `/api/task/query?task_id=${id}`);
    });

    it('reports the in-between statuses of a running task', async () => {
      sim.setDuration(60_000);
      const { client } = makeClient(sim);
      const id = await client.submit({ model: MODEL, prompt: 'slow' });
      assert.equal((await client.query(id)).status, 'pending');
      sim.completeNow(id);
      assert.equal((await client.query(id)).status, 'success');
    });

    it('result shapes: single object, text instead of image, two images, data URI, failed', async () => {
      const { client } = makeClient(sim);
      const run = async (prompt: string) => client.query(await client.submit({ model: MODEL, prompt }));

      const single = await run('x [sim:single]');
      assert.equal(single.images.length, 1);
      assert.match(single.images[0], /\/files\/.+\/0\.png$/);

      const text = await run('x [sim:text]');
      assert.equal(text.status, 'success');
      assert.deepEqual(text.images, []);
      assert.deepEqual(text.texts, [TEXT_ANSWER]);

      const two = await run('x [sim:two]');
      assert.equal(two.images.length, 2);

      const data = await run('x [sim:data]');
      assert.match(data.images[0], /^data:image\/png;base64,iVBOR/);

      const failed = await run('x [sim:fail]');
      assert.equal(failed.status, 'failed');
      assert.deepEqual(failed.images, []);
      assert.equal(failed.reason, FAIL_REASON);
    });

    it('"task not found" right after submit ([sim:notfound=2]) → not-found twice, not retried, then the task', async () => {
      const { client } = makeClient(sim);
      const id = await client.submit({ model: MODEL, prompt: 'x [sim:notfound=2]' });
      for (let i = 1; i <= 2; i++) {
        const e = await rejectsWith(() => client.query(id), 'not-found');
        assert.equal(e.status, 404);
        assert.match(e.message, /task not found/);
        assert.equal(queries(sim).length, i); // a 404 is not retried by the client
      }
      assert.equal((await client.query(id)).status, 'success');
      assert.equal(queries(sim).length, 3);
    });
  });

  describe('errors before anything is sent', () => {
    it('invalid-input: empty, whitespace or too long prompt; >4 references; non-https references', async () => {
      const { client } = makeClient(sim);
      const bad = [
        { model: MODEL, prompt: '' },
        { model: MODEL, prompt: '  \n\t ' },
        { model: MODEL, prompt: 'x'.repeat(MAX_PROMPT_LENGTH + 1) },
        { model: MODEL, prompt: 'p', images: [1, 2, 3, 4, 5].map((n) => `https://ref.test/${n}.png`) },
        { model: MODEL, prompt: 'p', images: ['http://ref.test/a.png'] },
        { model: MODEL, prompt: 'p', images: ['file:///home/me/a.png'] },
        { model: MODEL, prompt: 'p', images: ['javascript:alert(1)'] },
        { model: MODEL, prompt: 'p', images: ['data:text/html;base64,PGI+'] },
        { model: MODEL, prompt: 'p', images: ['a.png'] },
      ];
      for (const req of bad) {
        const e = await rejectsWith(() => client.submit(req), 'invalid-input');
        assert.equal(e.retryable, false);
      }
      assert.equal(sim.requests.length, 0);
    });

    it('invalid-input: a task id that cannot be one', async () => {
      const { client } = makeClient(sim);
      for (const id of ['', 'a b', '../../etc', 'x'.repeat(201), 'id?x=1']) await rejectsWith(() => client.query(id), 'invalid-input');
      assert.equal(sim.requests.length, 0);
    });

    it('config: plain http to a non-loopback host is refused before any request', async () => {
      const spy = spyDispatcher();
      const { client } = makeClient({ url: 'http://example.com' }, { dispatcher: spy.dispatcher });
      const e = await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p' }), 'config');
      assert.match(e.message, /http:\/\/example\.com/);
      await rejectsWith(() => client.query('ta1'), 'config');
      assert.equal(await client.balance(), undefined);
      assert.equal(spy.calls, 0);
    });

    it('config: a malformed base URL', async () => {
      const spy = spyDispatcher();
      const { client } = makeClient({ url: 'htp//api defapi org' }, { dispatcher: spy.dispatcher });
      assert.match((await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p' }), 'config')).message, /not a valid URL/);
      assert.equal(spy.calls, 0);
    });

    it('auth: no key (undefined, empty, blanks) → auth, nothing sent', async () => {
      for (const key of [undefined, '', '   ']) {
        const { client } = makeClient(sim, { apiKey: () => Promise.resolve(key) });
        const e = await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p' }), 'auth');
        assert.match(e.message, /No API key/);
        await rejectsWith(() => client.query('ta1'), 'auth');
      }
      assert.equal(sim.requests.length, 0);
    });

    it('auth: a key with spaces or control characters is refused without sending it', async () => {
      for (const key of ['dk-abc def', 'dk-abc\u0000', 'dk-é']) {
        const { client } = makeClient(sim, { apiKey: () => key });
        const e = await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p' }), 'auth');
        assert.ok(!e.message.includes(key));
      }
      assert.equal(sim.requests.length, 0);
    });
  });

  describe('errors from the server', () => {
    it('auth: 401 from submit, not retried, no task', async () => {
      const { client } = makeClient(sim, { apiKey: () => 'dk-wrongwrongwrong' });
      const e = await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p' }), 'auth');
      assert.equal(e.status, 401);
      assert.equal(e.detail, 'Invalid API key');
      assert.equal(e.retryable, false);
      assert.equal(posts(sim).length, 1);
      assert.equal(sim.tasks.size, 0);
    });

    it('auth: 401 {code: 401} from query, not retried', async () => {
      const id = await makeClient(sim).client.submit({ model: MODEL, prompt: 'p' });
      const { client } = makeClient(sim, { apiKey: () => 'dk-wrongwrongwrong' });
      const e = await rejectsWith(() => client.query(id), 'auth');
      assert.equal(e.status, 401);
      assert.equal(queries(sim).length, 1);
    });

    it('auth: {code: 401} inside a 200 answer', async () => {
      sim.inject('query', { kind: 'shape', body: { code: 401, message: 'Invalid API key' } });
      const { client } = makeClient(sim);
      await rejectsWith(() => client.query('ta1'), 'auth');
    });

    it('bad-request: a 400 carries the server detail in detail and message, not retried', async () => {
      const { client } = makeClient(sim);
      // 7:3 passes the client's shape check; the server knows the real list.
      const e = await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p', aspectRatio: '7:3' }), 'bad-request');
      assert.equal(e.status, 400);
      assert.match(e.detail ?? '', /^invalid aspect_ratio "7:3"/);
      assert.ok(e.message.includes('invalid aspect_ratio "7:3"'), e.message);
      assert.equal(posts(sim).length, 1);
      assert.equal(sim.tasks.size, 0);

      sim.inject('submit', { kind: 'status', status: 400, body: JSON.stringify({ code: 1, message: 'failed', detail: 'prompt is required' }) });
      const e2 = await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p' }), 'bad-request');
      assert.equal(e2.detail, 'prompt is required');
      assert.match(e2.message, /prompt is required/);
    });

    it('not-found: an unknown task (404 task not found)', async () => {
      const { client } = makeClient(sim);
      const e = await rejectsWith(() => client.query('ta-unknown'), 'not-found');
      assert.equal(e.status, 404);
      assert.equal(e.detail, 'task not found');
      assert.equal(queries(sim).length, 1);
    });

    it('not-found: a base URL with a wrong path names the endpoint, not the task', async () => {
      const { client } = makeClient({ url: `${sim.url}/v9/` });
      const e = await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p' }), 'not-found');
      assert.match(e.message, /no such endpoint.*apiBaseUrl/);
      assert.equal(sim.requests[0].path, '/v9/api/image/gen');
    });

    it('protocol: broken JSON / HTML / wrong shape / missing task_id from submit — not retried', async () => {
      const { client } = makeClient(sim);
      sim.inject('submit', { kind: 'broken-json' });
      const e1 = await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p' }), 'protocol');
      assert.match(e1.message, /not valid JSON/);
      assert.equal(e1.retryable, false);
      assert.equal(sim.tasks.size, 1); // the server did create it: the error must not invite a blind resubmit

      sim.inject('submit', { kind: 'html' });
      const e2 = await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p' }), 'protocol');
      assert.match(e2.message, /text\/html/);
      assert.match(e2.detail ?? '', /502 Bad Gateway/);

      sim.inject('submit', { kind: 'shape', body: { hello: 'world' } });
      assert.match((await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p' }), 'protocol')).message, /expected \{code, message, data\}/);

      sim.inject('submit', { kind: 'shape', body: { code: 0, message: 'ok', data: {} } });
      assert.match((await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p' }), 'protocol')).message, /no task id/);

      assert.equal(posts(sim).length, 4);
    });

    it('protocol: garbled query answers are retryable errors (but one request each)', async () => {
      const { client } = makeClient(sim);
      sim.inject('query', { kind: 'html' });
      sim.inject('query', { kind: 'broken-json' });
      sim.inject('query', { kind: 'shape', body: [1, 2, 3] });
      sim.inject('query', { kind: 'shape', body: { code: 0, message: 'ok', data: { task_id: 'ta1', status: 'exploded' } } });
      sim.inject('query', { kind: 'shape', body: { code: 0, message: 'ok', data: null } });
      for (let i = 0; i < 5; i++) {
        const e = await rejectsWith(() => client.query('ta1'), 'protocol');
        assert.equal(e.retryable, true);
      }
      assert.equal(queries(sim).length, 5);
    });
  });

  describe('the key', () => {
    it('travels as "Authorization: Bearer <key>" (trimmed) with a User-Agent naming the extension, on every call', async () => {
      const { client } = makeClient(sim, { apiKey: () => `  ${KEY}\n` });
      const id = await client.submit({ model: MODEL, prompt: 'p' });
      await client.query(id);
      await client.balance();
      assert.equal(sim.requests.length, 3);
      for (const r of sim.requests) {
        assert.equal(r.headers.authorization, `Bearer ${KEY}`);
        assert.equal(r.headers['user-agent'], UA);
        assert.match(String(r.headers['user-agent']), /^nano-banana-vscode\//);
      }
    });

    it('is read again for each call (a changed key is used at once)', async () => {
      let key = 'dk-oldoldoldoldold';
      const { client } = makeClient(sim, { apiKey: () => key });
      await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p' }), 'auth');
      key = KEY;
      await client.submit({ model: MODEL, prompt: 'p' });
      assert.deepEqual(
        posts(sim).map((r) => r.headers.authorization),
        ['Bearer dk-oldoldoldoldold', `Bearer ${KEY}`],
      );
    });

    it('never appears in an error message or detail, even when the server echoes it', async () => {
      const { client, lines } = makeClient(sim);
      const echo = (status: number) => ({
        kind: 'status' as const,
        status,
        body: JSON.stringify({ code: 1, message: `key ${KEY} rejected`, detail: `got Bearer ${KEY}` }),
      });
      const errors = [];
      sim.inject('submit', echo(400));
      errors.push(await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p' }), 'bad-request'));
      sim.inject('submit', echo(401));
      errors.push(await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p' }), 'auth'));
      sim.inject('query', echo(404));
      errors.push(await rejectsWith(() => client.query('ta1'), 'not-found'));
      sim.inject('query', echo(403));
      errors.push(await rejectsWith(() => client.query('ta1'), 'auth'));
      sim.inject('query', { kind: 'shape', body: { unexpected: `your key is ${KEY}` } });
      errors.push(await rejectsWith(() => client.query('ta1'), 'protocol'));
      sim.inject('submit', { kind: 'status', status: 200, body: `<html>${KEY}</html>` });
      errors.push(await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p' }), 'protocol'));
      sim.inject('query', echo(500), 4);
      errors.push(await rejectsWith(() => client.query('ta1'), 'server'));
      sim.inject('submit', { kind: 'status', status: 429, retryAfter: '3600', body: JSON.stringify({ code: 429, message: KEY }) });
      errors.push(await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p' }), 'rate-limited'));

      for (const e of errors) {
        const all = `${e.message}\n${e.detail ?? ''}\n${JSON.stringify(e.toJSON())}`;
        assert.ok(!all.includes(KEY), `${e.kind} leaked the key: ${all}`);
      }
      // the server's words are still there, with the key masked
      assert.match(errors[0].detail ?? '', /key \*\*\* rejected: got Bearer \*\*\*/);
      assert.match(errors[4].detail ?? '', /your key is \*\*\*/);
      for (const l of lines) assert.ok(!l.includes(KEY), l);
    });

    it('is never in the log, even when balance fails with an echo', async () => {
      const { client, lines } = makeClient(sim);
      sim.inject('user', { kind: 'status', status: 400, body: JSON.stringify({ code: 1, message: 'failed', detail: `bad ${KEY}` }) });
      assert.equal(await client.balance(), undefined);
      assert.ok(
        lines.some((l) => /balance unavailable/.test(l)),
        lines.join('\n'),
      );
      for (const l of lines) assert.ok(!l.includes(KEY), l);
    });
  });

  describe('balance()', () => {
    it('returns the credit as a number', async () => {
      const { client } = makeClient(sim);
      sim.setCredit(42.25);
      assert.equal(await client.balance(), 42.25);
      sim.setCredit(100);
      await client.query(await client.submit({ model: MODEL, prompt: 'p' })); // success consumes 0.5
      assert.equal(await client.balance(), 99.5);
      assert.equal(users(sim).length, 2);
    });

    it('returns undefined quietly on 401, 500 (not retried), broken JSON, HTML and a wrong shape', async () => {
      assert.equal(await makeClient(sim, { apiKey: () => 'dk-wrongwrongwrong' }).client.balance(), undefined);
      const { client } = makeClient(sim);
      sim.inject('user', { kind: 'status', status: 500 });
      assert.equal(await client.balance(), undefined);
      sim.inject('user', { kind: 'broken-json' });
      assert.equal(await client.balance(), undefined);
      sim.inject('user', { kind: 'html' });
      assert.equal(await client.balance(), undefined);
      sim.inject('user', { kind: 'shape', body: { code: 0, data: { credit: 'lots' } } });
      assert.equal(await client.balance(), undefined);
      assert.equal(users(sim).length, 5);
      assert.equal(await client.balance(), 100); // and works again
    });

    it('returns undefined quietly without a key (nothing sent) and on a closed port', async () => {
      assert.equal(await makeClient(sim, { apiKey: () => undefined }).client.balance(), undefined);
      assert.equal(sim.requests.length, 0);
      const port = await closedPort();
      const { client, lines } = makeClient({ url: `http://127.0.0.1:${port}` });
      assert.equal(await client.balance(), undefined);
      assert.equal(lines.filter((l) => /GET \/api\/user failed/.test(l)).length, 1); // balance is never retried
    });
  });

  describe('close()', () => {
    it('after close every call fails at once with a clear error and nothing is sent', async () => {
      const { client } = makeClient(sim);
      const id = await client.submit({ model: MODEL, prompt: 'p' });
      await client.close();
      const before = sim.requests.length;
      const e1 = await rejectsWith(() => client.submit({ model: MODEL, prompt: 'p' }), 'cancelled');
      assert.match(e1.message, /client was closed/);
      const e2 = await rejectsWith(() => client.query(id), 'cancelled');
      assert.match(e2.message, /client was closed/);
      assert.equal(await client.balance(), undefined);
      assert.equal(sim.requests.length, before);
      await client.close(); // twice is fine
    });

    it('closing a client that never sent anything resolves at once, and the client is closed', async () => {
      const { client } = makeClient(sim);
      // No connection to let finish: close() must not sit out the grace period for requests in flight.
      const closing = client.close().then(() => 'closed');
      const nextMacrotask = new Promise((resolve) => setImmediate(() => resolve('still closing')));
      assert.equal(await Promise.race([closing, nextMacrotask]), 'closed');
      const e = await rejectsWith(() => client.query('ta1'), 'cancelled');
      assert.match(e.message, /client was closed/);
      assert.equal(sim.requests.length, 0);
    });
  });
});
