import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { readPng } from '../../simulator/png';
import { startSimulator, type Simulator } from '../../simulator/server';

/** A raw GET: status, headers, the bytes read, and how the body ended. */
function get(
  url: string,
  opts: { headers?: Record<string, string>; stopAfter?: number } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; bytes: number; body: Buffer; ended: 'end' | 'aborted' | 'stopped'; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: opts.headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      let bytes = 0;
      const done = (ended: 'end' | 'aborted' | 'stopped') =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, body: Buffer.concat(parts), ended, ms: Date.now() - t0 });
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (opts.stopAfter === undefined) parts.push(c);
        else if (bytes > opts.stopAfter) {
          done('stopped');
          res.destroy();
        }
      });
      res.on('end', () => done('end'));
      res.on('aborted', () => done('aborted'));
      res.on('error', () => done('aborted'));
    });
    req.on('error', reject);
  });
}

async function submitAndFinish(sim: Simulator, prompt: string): Promise<string> {
  const res = await fetch(`${sim.url}/api/image/gen`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'google/gempix2', prompt }),
  });
  const id = ((await res.json()) as { data: { task_id: string } }).data.task_id;
  sim.completeNow(id);
  const q = await fetch(`${sim.url}/api/task/query?task_id=${id}`, { headers: { authorization: `Bearer ${sim.apiKey}` } });
  assert.equal(q.status, 200);
  return id;
}

const browser = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)', accept: 'image/avif,image/webp,image/apng,image/*,*/*;q=0.8' };

describe('simulator: streamed images and bodies that break half-way', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ durationMs: 0 });
  });
  afterEach(() => sim.close());

  it('[sim:size-mb=N] streams a valid PNG of N MiB without a Content-Length', async () => {
    const id = await submitAndFinish(sim, 'a banana [sim:size-mb=3]');
    const res = await get(`${sim.url}/files/${id}/0.png`, { headers: browser });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-length'], undefined);
    assert.equal(res.ended, 'end');
    assert.equal(res.bytes, 3 * 1024 * 1024);
    const png = readPng(res.body); // checks every chunk's CRC
    assert.deepEqual([png.width, png.height], [64, 64]);
  });

  it('[sim:endless] never ends; the simulator stops when the client goes away', async () => {
    const id = await submitAndFinish(sim, 'a banana [sim:endless]');
    const res = await get(`${sim.url}/files/${id}/0.png`, { headers: browser, stopAfter: 8 * 1024 * 1024 });
    assert.equal(res.ended, 'stopped');
    assert.ok(res.bytes > 8 * 1024 * 1024);
    // Still serving afterwards.
    const again = await fetch(`${sim.url}/api/user`, { headers: { authorization: `Bearer ${sim.apiKey}` } });
    assert.equal(again.status, 200);
  });

  it('cut-body sends the headers and half the body, then resets the connection', async () => {
    sim.inject('user', { kind: 'cut-body' });
    const res = await get(`${sim.url}/api/user`, { headers: { authorization: `Bearer ${sim.apiKey}` } });
    assert.equal(res.status, 200);
    assert.equal(res.ended, 'aborted');
    const declared = Number(res.headers['content-length']);
    assert.ok(res.bytes > 0 && res.bytes < declared, `${res.bytes} of ${declared} bytes`);
  });

  it('stall-body sends half the body, waits, then the rest', async () => {
    sim.inject('user', { kind: 'stall-body', ms: 300 });
    const res = await get(`${sim.url}/api/user`, { headers: { authorization: `Bearer ${sim.apiKey}` } });
    assert.equal(res.ended, 'end');
    assert.ok(res.ms >= 280, `took ${res.ms} ms`);
    assert.equal((JSON.parse(res.body.toString('utf8')) as { code: number }).code, 0);
  });
});
