/** The API client reads bounded answers: at most 1 MiB of JSON and 8 result images per task. */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSimulator, type Simulator } from '../../../simulator/server';
import { rejectsWith } from './helpers';
import { KEY, MODEL, closeAll, makeClient, posts, queries } from './simulated';

const MIB = 1024 * 1024;

describe('api/client: bounded answers', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ apiKey: KEY, durationMs: 0 });
  });
  beforeEach(() => sim.reset());
  afterEach(closeAll);
  after(() => sim.close());

  async function taskFor(prompt: string): Promise<string> {
    const { client } = makeClient(sim);
    return client.submit({ model: MODEL, prompt });
  }

  describe('at most 1 MiB of JSON', () => {
    it('an answer of exactly 1 MiB is read', async () => {
      const id = await taskFor('a banana [sim:answer-bytes=1048576]');
      const task = await makeClient(sim).client.query(id);
      assert.equal(task.status, 'success');
      assert.equal(task.images.length, 1);
    });

    it('1 MiB + 1 byte is an invalid-response, not retried, and names the limit', async () => {
      const id = await taskFor('a banana [sim:answer-bytes=1048577]');
      const before = queries(sim).length;
      const e = await rejectsWith(() => makeClient(sim).client.query(id), 'invalid-response');
      assert.equal(e.retryable, false);
      assert.equal(e.status, 200);
      assert.equal(e.maybeDelivered, undefined);
      assert.equal(e.message, "The API's answer to task query is larger than 1 MB, more than the extension reads.");
      assert.equal(queries(sim).length - before, 1, 'asked once: the same answer would come back');
    });

    it('an oversize answer to a submit says a task may exist whose id is unknown, and is not resent', async () => {
      const big = { code: 0, message: 'ok', data: { task_id: 'ta-big' }, padding: 'x'.repeat(MIB) };
      sim.inject('submit', { kind: 'shape', body: big });
      const e = await rejectsWith(() => makeClient(sim).client.submit({ model: MODEL, prompt: 'a banana' }), 'invalid-response');
      assert.equal(e.maybeDelivered, true);
      assert.match(e.message, /task may have been created whose id is unknown/);
      assert.equal(posts(sim).length, 1);
    });

    it('an oversize error page is cut, not refused: its status still decides (a 500 is retried)', async () => {
      const id = await taskFor('a banana');
      sim.inject('query', { kind: 'status', status: 500, body: 'x'.repeat(2 * MIB) }, 2);
      const before = queries(sim).length;
      const task = await makeClient(sim).client.query(id);
      assert.equal(task.status, 'success');
      assert.equal(queries(sim).length - before, 3, 'two cut 500s, then the answer');
    });

    it('a task answer that carries its image inline (a data: URI of several MB) is read: refusing it would lose a paid image', async () => {
      const id = await taskFor('a banana');
      const inline = 'data:image/png;base64,' + 'iVBORw0KGgo'.repeat(450_000); // ~4.7 MiB, as a 2K PNG would be
      sim.inject(
        'query',
        { kind: 'shape', body: { code: 0, message: 'ok', data: { task_id: id, status: 'success', result: [{ image: inline }], consumed: '0.5' } } },
        2,
      );
      const task = await makeClient(sim).client.query(id);
      assert.equal(task.status, 'success');
      assert.equal(task.images.length, 1);
      assert.ok(task.images[0].startsWith('data:image/png;base64,'));
      assert.ok(task.images[0].length > 4 * MIB, `the inline image is ${task.images[0].length} characters, well over 1 MiB`);
      const e = await rejectsWith(() => makeClient(sim, { maxInlineImagesResponseBytes: 2 * MIB }).client.query(id), 'invalid-response');
      assert.equal(
        e.message,
        "The API's answer to task query is larger than 2 MB, more than the extension reads.",
        'inline answers have their own, larger limit',
      );
    });

    it('a smaller limit can be set', async () => {
      const id = await taskFor('a banana [sim:answer-bytes=2048]');
      await rejectsWith(() => makeClient(sim, { maxResponseBytes: 2047 }).client.query(id), 'invalid-response');
      const task = await makeClient(sim, { maxResponseBytes: 2048 }).client.query(id);
      assert.equal(task.status, 'success');
    });
  });

  describe('streams, stops reading past the cap', () => {
    let server: http.Server;
    let base: string;
    const closedEarly: string[] = [];
    let sent = 0;
    before(async () => {
      server = http.createServer((req, res) => {
        if (req.url?.includes('declared')) {
          // Declares 100 MiB (over even the limit for inline images), sends a little, then stalls:
          // only the header can end it quickly.
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': 100 * MIB });
          res.write('{"code":0,');
          res.on('close', () => closedEarly.push('declared'));
          return;
        }
        // Chunked, no length, never ends by itself.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"code":0,"message":"ok","data":{"padding":"');
        const pump = () => {
          while (!res.destroyed && res.write('x'.repeat(16 * 1024))) sent += 16 * 1024;
        };
        res.on('drain', pump);
        res.on('close', () => {
          if (!res.writableEnded) closedEarly.push('endless');
        });
        pump();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('an endless answer is cut after 1 MiB and its connection closed', async () => {
      const e = await rejectsWith(() => makeClient({ url: base }).client.query('ta-endless'), 'invalid-response');
      assert.equal(e.retryable, false);
      for (let i = 0; i < 100 && !closedEarly.includes('endless'); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(closedEarly.includes('endless'), 'the client hung up before the server finished');
      assert.ok(sent < 8 * MIB, `the server could only push ${sent} bytes before the client stopped reading`);
    });

    it('a declared length over the cap is refused without waiting for the body', async () => {
      const started = Date.now();
      await rejectsWith(() => makeClient({ url: base }, { requestTimeoutMs: 30_000 }).client.query('ta-declared'), 'invalid-response');
      assert.ok(Date.now() - started < 5000);
      for (let i = 0; i < 100 && !closedEarly.includes('declared'); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(closedEarly.includes('declared'));
    });
  });

  describe('at most 8 result images', () => {
    it('8 images are read', async () => {
      const id = await taskFor('eight [sim:images=8]');
      const task = await makeClient(sim).client.query(id);
      assert.equal(task.images.length, 8);
    });

    it('9 images are an invalid-response, not retried', async () => {
      const id = await taskFor('nine [sim:images=9]');
      const before = queries(sim).length;
      const e = await rejectsWith(() => makeClient(sim).client.query(id), 'invalid-response');
      assert.equal(e.retryable, false);
      assert.equal(e.message, 'The API listed 9 result images for one task; the extension accepts at most 8.');
      assert.equal(queries(sim).length - before, 1);
    });
  });
});
