/**
 * ImageWorkers: the lanes, the reuse of workers, and what happens when a worker dies or hangs.
 * The faults are real: a worker thread that exits, and one that never answers. The tsc-compiled
 * worker (out/src/core/images/imageWorker.js, the default beside imageWorkers.js) does the real
 * work; a small stand-in worker script is used where a test needs a worker that misbehaves.
 */
import * as assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { decode as decodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import { ImageWorkers, disposeSharedImageWorkers, sharedImageWorkers } from '../../../../src/core/images/imageWorkers';
import { ReferenceImageError } from '../../../../src/core/images/referenceCheck';
import { sniffImage } from '../../../../src/core/images/sniff';

function png(width: number, height: number): Buffer {
  const img = new PNG({ width, height });
  for (let i = 0; i < img.data.length; i += 4) img.data.set([(i / 4) % 256, 90, 200, 255], i);
  return PNG.sync.write(img);
}

/**
 * A worker that obeys the file name of a thumbnail request: "exit" exits the thread, "hang"
 * never answers, "busy:<ms>" blocks for that long, anything else answers at once.
 */
const STAND_IN = `
const { parentPort, threadId } = require('node:worker_threads');
parentPort.on('message', ({ id, request }) => {
  const what = request.file || request.kind;
  if (what === 'exit') process.exit(3);
  if (what === 'hang') return;
  if (what.startsWith('busy:')) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(what.slice(5)));
  parentPort.postMessage({ id, ok: true, result: { bytes: new Uint8Array([1, 2, 3]), width: 1, height: 1 }, threadId });
});
`;

describe('ImageWorkers', function () {
  this.timeout(30_000);
  let dir: string;
  let standIn: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'nb-workers-'));
    standIn = path.join(dir, 'standIn.js');
    await writeFile(standIn, STAND_IN);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('prepares a reference and converts in a worker thread, and keeps the worker for the next request', async () => {
    const workers = new ImageWorkers();
    try {
      const ref = await workers.reference(png(2600, 1300));
      assert.notEqual(ref.threadId, threadId, 'not this thread');
      assert.deepEqual([ref.width, ref.height, ref.resized, ref.mime], [2048, 1024, true, 'image/jpeg']);
      assert.deepEqual([decodeJpeg(ref.bytes).width, decodeJpeg(ref.bytes).height], [2048, 1024], 'the bytes are the image they claim');
      const jpeg = await workers.convert(png(64, 32), 'jpeg');
      assert.equal(sniffImage(jpeg)?.mime, 'image/jpeg');
      const back = await workers.convert(jpeg, 'png');
      assert.equal(sniffImage(back)?.mime, 'image/png');
      assert.equal(workers.spawned, 1, 'one worker served all three');
    } finally {
      workers.dispose();
    }
  });

  it('reports a worker-side problem as the same ReferenceImageError, and other failures with their reason', async () => {
    const workers = new ImageWorkers();
    try {
      const gif = Buffer.concat([Buffer.from('GIF89a'), Buffer.from([0xb8, 0x0b, 0xb8, 0x0b]), Buffer.alloc(5 * 1024 * 1024)]);
      await assert.rejects(workers.reference(gif, { name: 'big.gif' }), (e: unknown) => {
        assert.ok(e instanceof ReferenceImageError, String(e));
        assert.equal(e.problem.reason, 'undecodable-too-large');
        assert.match(e.message, /^big\.gif is a GIF of/);
        return true;
      });
      await assert.rejects(workers.convert(Buffer.from('GIF89a....'), 'png'), /only PNG and JPEG images can be converted/);
    } finally {
      workers.dispose();
    }
  });

  it('a worker that dies fails its request with the reason, and the next request gets a new worker', async () => {
    const workers = new ImageWorkers({ workerFile: standIn });
    try {
      await assert.rejects(workers.thumbnail('exit'), /the image worker stopped \(exit code 3\)/);
      assert.equal((await workers.thumbnail('fine')).width, 1);
      assert.equal(workers.spawned, 2);
    } finally {
      workers.dispose();
    }
  });

  it('a worker that never answers is ended after the timeout; nothing waits for ever', async () => {
    const workers = new ImageWorkers({ workerFile: standIn, timeoutMs: 300 });
    try {
      await assert.rejects(workers.thumbnail('hang'), /the image worker took longer than 0.3 s/);
      assert.equal((await workers.thumbnail('fine')).width, 1, 'the lane is free again');
    } finally {
      workers.dispose();
    }
  });

  it('a backlog of thumbnails never makes a reference wait', async () => {
    const workers = new ImageWorkers({ workerFile: standIn });
    try {
      const order: string[] = [];
      const thumbs = ['busy:400', 'busy:400', 'busy:400'].map((f, i) => workers.thumbnail(f).then(() => order.push(`thumb${i}`)));
      await new Promise((r) => setTimeout(r, 50)); // the first thumbnail is under way
      await workers.reference(Buffer.from('x')).then(() => order.push('reference'));
      await Promise.all(thumbs);
      assert.deepEqual(order, ['reference', 'thumb0', 'thumb1', 'thumb2'], 'one thumbnail at a time, the reference beside them');
    } finally {
      workers.dispose();
    }
  });

  it('a missing worker file is a clear failure, not a hang', async () => {
    const workers = new ImageWorkers({ workerFile: path.join(dir, 'missing.js') });
    try {
      await assert.rejects(workers.thumbnail('a.png'), /Cannot find module|missing\.js/);
    } finally {
      workers.dispose();
    }
  });

  it('warm() starts one worker ahead of the request, and closed workers refuse work', async () => {
    const workers = new ImageWorkers({ workerFile: standIn });
    workers.warm();
    workers.warm();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(workers.spawned, 1, 'one worker, made ready once');
    await workers.thumbnail('fine');
    assert.equal(workers.spawned, 1, 'the request used the warmed worker');
    workers.dispose();
    await assert.rejects(workers.thumbnail('fine'), /closed/);
  });

  it('one shared set per process, until it is disposed', () => {
    const a = sharedImageWorkers();
    assert.equal(sharedImageWorkers(), a);
    disposeSharedImageWorkers();
    assert.notEqual(sharedImageWorkers(), a);
    disposeSharedImageWorkers();
  });
});
