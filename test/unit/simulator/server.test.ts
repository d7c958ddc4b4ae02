import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { readPng } from '../../simulator/png';
import { COST_PER_TASK, startSimulator, type Simulator } from '../../simulator/server';
import { asError, asSubmit, asTask, asUser, call, fakeClock, firstImage, query, sleep, submit } from './util';

describe('simulator: server', function () {
  this.timeout(5000);
  let sim: Simulator;
  const clock = fakeClock();
  before(async () => {
    sim = await startSimulator({ now: clock.now, durationMs: 1000 });
  });
  after(() => sim.close());
  beforeEach(() => {
    sim.reset();
    sim.setDuration(1000);
    sim.setCredit(100);
  });

  it('listens on 127.0.0.1 with the default key', () => {
    assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(sim.url, `http://127.0.0.1:${sim.port}`);
    assert.ok(sim.port > 0);
    assert.equal(sim.apiKey, 'dk-simulator');
  });

  describe('auth', () => {
    it('401s a submit without a key, with a wrong key, or with another scheme', async () => {
      for (const headers of <Record<string, string>[]>[
        {},
        { authorization: 'Bearer dk-wrong' },
        { authorization: 'Basic ZGstc2ltdWxhdG9y' },
        { authorization: 'Bearer ' },
      ]) {
        const a = await call(sim, '/api/image/gen', { key: null, headers, body: { model: 'google/gempix2', prompt: 'x' } });
        assert.equal(a.status, 401, JSON.stringify(headers));
        assert.deepEqual(a.json, { code: 1, message: 'Invalid API key' });
        assert.match(a.headers.get('content-type') ?? '', /^application\/json/);
      }
      assert.equal(sim.tasks.size, 0);
    });

    it('401s a query with code 401 and /api/user with code 1', async () => {
      const id = await submit(sim);
      const q = await query(sim, id, 'dk-wrong');
      assert.equal(q.status, 401);
      assert.deepEqual(q.json, { code: 401, message: 'Invalid API key' });
      const u = await call(sim, '/api/user', { key: null });
      assert.equal(u.status, 401);
      assert.deepEqual(u.json, { code: 1, message: 'Invalid API key' });
    });

    it('accepts the key whatever the case of "Bearer"', async () => {
      const a = await call(sim, '/api/user', { key: null, headers: { authorization: 'bearer dk-simulator' } });
      assert.equal(a.status, 200);
    });

    it('anyKey mode accepts any non-empty token but still needs one', async () => {
      const demo = await startSimulator({ anyKey: true });
      try {
        assert.equal((await call(demo, '/api/user', { key: 'dk-anything-at-all' })).status, 200);
        assert.equal((await call(demo, '/api/user', { key: 'x' })).status, 200);
        assert.equal((await call(demo, '/api/user', { key: null })).status, 401);
        assert.equal((await call(demo, '/api/user', { key: null, headers: { authorization: 'Bearer   ' } })).status, 401);
      } finally {
        await demo.close();
      }
    });

    it('a custom key replaces the default one', async () => {
      const other = await startSimulator({ apiKey: 'dk-1234567890abcdef' });
      try {
        assert.equal(other.apiKey, 'dk-1234567890abcdef');
        assert.equal((await call(other, '/api/user', { key: 'dk-simulator' })).status, 401);
        assert.equal((await call(other, '/api/user')).status, 200);
      } finally {
        await other.close();
      }
    });
  });

  describe('submit validation', () => {
    const bad: [string, unknown, string][] = [
      ['malformed JSON', '{"model": "google/gempix2", "prompt": ', 'invalid JSON body'],
      ['a JSON array', '[]', 'invalid JSON body'],
      ['no model', { prompt: 'x' }, 'model is required'],
      ['an empty model', { model: '  ', prompt: 'x' }, 'model is required'],
      ['no prompt', { model: 'google/gempix2' }, 'prompt is required'],
      ['a blank prompt', { model: 'google/gempix2', prompt: ' \n ' }, 'prompt is required'],
      ['a numeric prompt', { model: 'google/gempix2', prompt: 42 }, 'prompt is required'],
      ['5 images', { model: 'm', prompt: 'x', images: ['a', 'b', 'c', 'd', 'e'] }, 'at most 4 images'],
    ];
    for (const [what, body, detail] of bad) {
      it(`400s ${what}`, async () => {
        const a = await call(sim, '/api/image/gen', { body });
        assert.equal(a.status, 400);
        assert.deepEqual(a.json, { code: 1, message: 'failed', detail });
        assert.equal(sim.tasks.size, 0);
      });
    }

    it('400s image_size and aspect_ratio values outside the lists', async () => {
      for (const extra of [
        { image_size: '8k' },
        { image_size: '2K' },
        { image_size: '' },
        { aspect_ratio: '7:3' },
        { aspect_ratio: '' },
        { aspect_ratio: 16 },
        { images: 'https://x/a.png' },
      ]) {
        const a = await call(sim, '/api/image/gen', { body: { model: 'google/nano-banana-2', prompt: 'x', ...extra } });
        assert.equal(a.status, 400, JSON.stringify(extra));
        const e = asError(a);
        assert.equal(e.code, 1);
        assert.equal(e.message, 'failed');
        assert.equal(typeof e.detail, 'string');
      }
      assert.equal(sim.tasks.size, 0);
    });

    it('accepts a full request (4 images, every ratio and size) and keeps it on the task', async () => {
      const body = {
        model: 'google/nano-banana-2',
        prompt: 'p',
        images: ['https://example.test/a.png', 'data:image/png;base64,iVBORw0KGgo=', 'https://example.test/c.png', 'https://example.test/d.png'],
        aspect_ratio: '21:9',
        image_size: '2k',
        callback_url: 'https://example.test/hook',
      };
      const a = await call(sim, '/api/image/gen', { body });
      assert.equal(a.status, 200);
      const { code, message, data } = asSubmit(a);
      assert.equal(code, 0);
      assert.equal(message, 'ok');
      const id = data.task_id;
      assert.match(id, /^ta[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.deepEqual(sim.tasks.get(id)?.request, body);
      for (const ratio of ['auto', '1:1', '16:9', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16']) {
        await submit(sim, { aspect_ratio: ratio });
      }
      for (const size of ['1k', '4k']) await submit(sim, { image_size: size });
      assert.equal(sim.tasks.size, 13);
    });

    it('gives every task a different id', async () => {
      const ids = new Set([await submit(sim), await submit(sim), await submit(sim)]);
      assert.equal(ids.size, 3);
    });

    it('405s a GET on the submit endpoint', async () => {
      const a = await call(sim, '/api/image/gen');
      assert.equal(a.status, 405);
      assert.equal(asError(a).code, 1);
    });
  });

  describe('task lifecycle (fake clock, duration 1000 ms)', () => {
    it('goes pending → submitted → in_progress → success at 10% / 30% / 100%', async () => {
      const id = await submit(sim);
      const seen: [number, string][] = [];
      for (const [at, expected] of [
        [0, 'pending'],
        [99, 'pending'],
        [100, 'submitted'],
        [299, 'submitted'],
        [300, 'in_progress'],
        [999, 'in_progress'],
        [1000, 'success'],
        [5000, 'success'],
      ] as const) {
        clock.advance(at - (seen.length ? seen[seen.length - 1][0] : 0));
        const q = await query(sim, id);
        assert.equal(q.status, 200);
        const { status } = asTask(q).data;
        assert.equal(status, expected, `at ${at} ms`);
        seen.push([at, status]);
      }
      assert.equal(sim.tasks.get(id)?.queries, 8);
    });

    it('answers the documented data shape before and after success', async () => {
      const submittedAt = clock.t();
      const id = await submit(sim, { aspect_ratio: '16:9' });
      const early = await query(sim, id);
      assert.deepEqual(early.json, {
        code: 0,
        message: 'ok',
        data: {
          task_id: id,
          status: 'pending',
          result: null,
          status_reason: { message: null },
          consumed: '0.000000',
          created_at: new Date(submittedAt).toISOString(),
        },
      });
      clock.advance(1000);
      const done = await query(sim, id);
      assert.deepEqual(done.json, {
        code: 0,
        message: 'ok',
        data: {
          task_id: id,
          status: 'success',
          result: [{ image: `${sim.url}/files/${id}/0.png` }],
          status_reason: { message: null },
          consumed: '0.500000',
          created_at: new Date(submittedAt).toISOString(),
        },
      });
    });

    it('setDuration applies to tasks submitted afterwards; completeNow finishes a task at once', async () => {
      const before = await submit(sim);
      sim.setDuration(10_000);
      const afterId = await submit(sim);
      assert.equal(sim.tasks.get(before)?.durationMs, 1000);
      assert.equal(sim.tasks.get(afterId)?.durationMs, 10_000);
      clock.advance(1000);
      assert.equal(asTask(await query(sim, before)).data.status, 'success');
      assert.equal(asTask(await query(sim, afterId)).data.status, 'submitted', '1000 of 10000 ms is 10%');
      sim.completeNow(afterId);
      assert.equal(sim.tasks.get(afterId)?.status, 'success');
      assert.equal(asTask(await query(sim, afterId)).data.status, 'success');
      assert.throws(() => sim.completeNow('ta-nope'), /unknown task/);
    });

    it('a duration of 0 is final on the first query', async () => {
      sim.setDuration(0);
      const id = await submit(sim);
      assert.equal(asTask(await query(sim, id)).data.status, 'success');
    });

    it('400s a query without task_id and 404s an unknown one', async () => {
      const a = await call(sim, '/api/task/query');
      assert.equal(a.status, 400);
      assert.equal(asError(a).detail, 'task_id is required');
      const b = await query(sim, 'ta00000000-0000-0000-0000-000000000000');
      assert.equal(b.status, 404);
      assert.deepEqual(b.json, { code: 1, message: 'task not found' });
    });
  });

  describe('images', () => {
    async function finishedImageUrl(body: Record<string, unknown> = {}): Promise<string> {
      const id = await submit(sim, body);
      sim.completeNow(id);
      const q = await query(sim, id);
      return firstImage(q);
    }

    for (const [ratio, w, h] of [
      [undefined, 96, 96],
      ['1:1', 96, 96],
      ['16:9', 128, 72],
      ['9:16', 72, 128],
      ['21:9', 147, 63],
    ] as const) {
      it(`serves a valid ${w}x${h} PNG for aspect_ratio ${ratio ?? '(none)'} without auth`, async () => {
        const url = await finishedImageUrl(ratio ? { aspect_ratio: ratio } : {});
        const a = await call(sim, url, { key: null });
        assert.equal(a.status, 200);
        assert.equal(a.headers.get('content-type'), 'image/png');
        assert.equal(Number(a.headers.get('content-length')), a.bytes.length);
        assert.deepEqual([...a.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
        const info = readPng(a.bytes);
        assert.equal(info.width, w);
        assert.equal(info.height, h);
      });
    }

    it('different prompts give different images; the same task gives the same bytes', async () => {
      const u1 = await finishedImageUrl({ prompt: 'red' });
      const u2 = await finishedImageUrl({ prompt: 'blue' });
      const a1 = (await call(sim, u1, { key: null })).bytes;
      const a1again = (await call(sim, u1, { key: null })).bytes;
      const a2 = (await call(sim, u2, { key: null })).bytes;
      assert.deepEqual(a1, a1again);
      assert.notDeepEqual(a1, a2);
    });

    it('the same prompt on other models, or again, gives an image of its own (variations, comparisons)', async () => {
      const urls = [
        await finishedImageUrl({ prompt: 'one prompt', model: 'google/nano-banana' }),
        await finishedImageUrl({ prompt: 'one prompt', model: 'google/nano-banana-pro' }),
        await finishedImageUrl({ prompt: 'one prompt', model: 'google/nano-banana' }),
      ];
      const images = await Promise.all(urls.map(async (u) => Buffer.from((await call(sim, u, { key: null })).bytes).toString('base64')));
      assert.equal(new Set(images).size, 3, 'three different images');
      assert.deepEqual(
        [...sim.tasks.values()].map((t) => t.request.model),
        ['google/nano-banana', 'google/nano-banana-pro', 'google/nano-banana'],
        'each task keeps the model it was asked for',
      );
    });

    it('404s images of unfinished or unknown tasks and out-of-range indexes', async () => {
      const id = await submit(sim);
      assert.equal((await call(sim, `/files/${id}/0.png`, { key: null })).status, 404);
      sim.completeNow(id);
      assert.equal((await call(sim, `/files/${id}/0.png`, { key: null })).status, 200);
      assert.equal((await call(sim, `/files/${id}/1.png`, { key: null })).status, 404);
      assert.equal((await call(sim, `/files/ta-unknown/0.png`, { key: null })).status, 404);
      assert.equal((await call(sim, `/files/${id}/0.jpg`, { key: null })).status, 404);
    });
  });

  describe('credit', () => {
    it('starts at 100 and drops by 0.5 per success, once per task', async () => {
      const u0 = await call(sim, '/api/user');
      assert.deepEqual(u0.json, { code: 0, message: 'ok', data: { credit: '100.000000', email: 'sim@example.test' } });
      const id = await submit(sim);
      assert.equal(asUser(await call(sim, '/api/user')).data.credit, '100.000000', 'not charged before success');
      sim.completeNow(id);
      await query(sim, id);
      await query(sim, id);
      assert.equal(asUser(await call(sim, '/api/user')).data.credit, '99.500000');
      assert.equal(sim.tasks.get(id)?.charged, true);
      assert.equal(COST_PER_TASK, 0.5);
    });

    it('charges a finished task even if nobody polled it', async () => {
      await submit(sim);
      clock.advance(1000);
      assert.equal(asUser(await call(sim, '/api/user')).data.credit, '99.500000');
    });

    it('does not charge failed tasks', async () => {
      const id = await submit(sim, { prompt: 'x [sim:fail]' });
      sim.completeNow(id);
      const q = await query(sim, id);
      assert.equal(asTask(q).data.consumed, '0.000000');
      assert.equal(asUser(await call(sim, '/api/user')).data.credit, '100.000000');
    });

    it('refuses submits (401) when the credit is below one image', async () => {
      sim.setCredit(0.4);
      const a = await call(sim, '/api/image/gen', { body: { model: 'google/gempix2', prompt: 'x' } });
      assert.equal(a.status, 401);
      const e = asError(a);
      assert.equal(e.code, 1);
      assert.equal(e.message, 'Invalid API key');
      assert.equal(sim.tasks.size, 0);
      assert.equal(asUser(await call(sim, '/api/user')).data.credit, '0.400000');
    });
  });

  describe('recording', () => {
    it('records every request in order with method, path, headers and body', async () => {
      const t0 = clock.t();
      const id = await submit(sim, { prompt: 'recorded prompt' });
      await query(sim, id);
      sim.completeNow(id);
      await query(sim, id);
      await call(sim, `/files/${id}/0.png`, { key: null, headers: { 'user-agent': 'sim-test' } });
      await call(sim, '/nowhere');
      assert.deepEqual(
        sim.requests.map((r) => `${r.method} ${r.path}`),
        ['POST /api/image/gen', `GET /api/task/query?task_id=${id}`, `GET /api/task/query?task_id=${id}`, `GET /files/${id}/0.png`, 'GET /nowhere'],
      );
      const [sub, , , file] = sim.requests;
      assert.deepEqual(JSON.parse(sub.body), { model: 'google/gempix2', prompt: 'recorded prompt' });
      assert.equal(sub.headers.authorization, 'Bearer dk-simulator');
      assert.equal(sub.headers['content-type'], 'application/json');
      assert.equal(sub.at, t0);
      assert.equal(file.headers.authorization, undefined, 'no key reached the image host');
      assert.equal(file.headers['user-agent'], 'sim-test');
    });

    it('reset forgets requests and tasks but keeps the same array', async () => {
      const list = sim.requests;
      await submit(sim);
      sim.inject('user', { kind: 'status', status: 500 });
      sim.reset();
      assert.equal(list.length, 0);
      assert.equal(sim.requests, list);
      assert.equal(sim.tasks.size, 0);
      assert.equal((await call(sim, '/api/user')).status, 200, 'faults were forgotten');
    });
  });

  describe('robustness', () => {
    it('404s unknown paths with a JSON envelope', async () => {
      const a = await call(sim, '/api/nope?x=1');
      assert.equal(a.status, 404);
      assert.equal(a.headers.get('content-type'), 'application/json');
      assert.deepEqual(a.json, { code: 1, message: 'not found' });
    });

    it('turns a thrown error into a 500 envelope and keeps serving', async () => {
      sim.inject('user', { kind: 'shape', body: { n: BigInt(1) } }); // JSON.stringify throws on BigInt
      const a = await call(sim, '/api/user');
      assert.equal(a.status, 500);
      assert.equal(asError(a).code, 1);
      assert.equal((await call(sim, '/api/user')).status, 200);
    });

    it('answers garbage on the socket with 400 and stays up', async () => {
      const reply = await new Promise<string>((resolve, reject) => {
        const s = net.connect(sim.port, '127.0.0.1', () => s.write('THIS IS NOT HTTP\r\n\r\n'));
        let data = '';
        s.on('data', (d) => (data += d.toString()));
        s.on('close', () => resolve(data));
        s.on('error', reject);
      });
      assert.match(reply, /^HTTP\/1\.1 400/);
      assert.equal((await call(sim, '/api/user')).status, 200);
    });

    it('survives a client that disconnects mid-body', async () => {
      await new Promise<void>((resolve) => {
        const s = net.connect(sim.port, '127.0.0.1', () => {
          s.write('POST /api/image/gen HTTP/1.1\r\nhost: x\r\nauthorization: Bearer dk-simulator\r\ncontent-length: 100\r\n\r\n{"model":');
          setTimeout(() => s.destroy(), 20);
        });
        s.on('close', () => resolve());
        s.on('error', () => undefined);
      });
      await sleep(20);
      assert.equal(sim.tasks.size, 0);
      assert.equal((await call(sim, '/api/user')).status, 200);
    });

    it('logs one line per request and masks the key', async () => {
      const lines: string[] = [];
      const logged = await startSimulator({ log: (l) => lines.push(l), apiKey: 'dk-1234567890abcdef' });
      try {
        await call(logged, '/api/user');
        await call(logged, '/api/user', { key: null });
      } finally {
        await logged.close();
      }
      assert.equal(lines.length, 2);
      assert.match(lines[0], /GET \/api\/user → 200 \(key dk-…ef\)/);
      assert.match(lines[1], /→ 401 \(no key\)/);
      assert.ok(!lines.join('\n').includes('1234567890'), 'the key never appears in the log');
    });
  });

  describe('close()', () => {
    // "Quickly": well under the 5 s that an idle keep-alive socket (Node's keepAliveTimeout) or the
    // requests in flight below would hold a close that waited for them, with room for a busy machine.
    const QUICK_MS = 2000;

    it('resolves quickly with an idle keep-alive connection open, and is idempotent', async () => {
      const s = await startSimulator();
      const agent = new http.Agent({ keepAlive: true });
      try {
        const status = await new Promise<number>((resolve, reject) => {
          http
            .get(`${s.url}/api/user`, { agent, headers: { authorization: 'Bearer dk-simulator' } }, (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            })
            .on('error', reject);
        });
        assert.equal(status, 200);
        await sleep(10);
        const free = Object.values(agent.freeSockets).flat().length;
        assert.equal(free, 1, 'the connection is kept alive');
        const t0 = Date.now();
        await s.close();
        assert.ok(Date.now() - t0 < QUICK_MS, `close took ${Date.now() - t0} ms`);
        await s.close();
        await assert.rejects(call(s, '/api/user'));
      } finally {
        agent.destroy();
      }
    });

    it('resolves quickly while a slow download and a delayed request are in flight', async () => {
      const s = await startSimulator({ durationMs: 0, slowImageMs: 10_000 });
      const id = await submit(s, { prompt: '[sim:slow-image]' });
      const url = firstImage(await query(s, id));
      const download = fetch(url).then((r) => r.arrayBuffer());
      download.catch(() => undefined); // asserted below
      s.inject('user', { kind: 'delay', ms: 10_000 });
      const delayed = call(s, '/api/user');
      delayed.catch(() => undefined); // asserted below
      await sleep(50);
      const t0 = Date.now();
      await s.close();
      assert.ok(Date.now() - t0 < QUICK_MS, `close took ${Date.now() - t0} ms`);
      await assert.rejects(download);
      await assert.rejects(delayed);
    });
  });
});
