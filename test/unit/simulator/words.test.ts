import * as assert from 'node:assert/strict';
import { FAIL_REASON, startSimulator, TEXT_ANSWER, type Simulator } from '../../simulator/server';
import { asTask, call, query, submit } from './util';

/** Words an API could send that must never become links in the editor (issue 7). */
const LINKS = '[Renew it here](command:workbench.action.openSettings) or [log in](https://evil.example/login)';

describe('simulator: chosen words (setWords, status fault message/detail)', function () {
  this.timeout(5000);
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ durationMs: 0 });
  });
  after(() => sim.close());
  beforeEach(() => {
    sim.reset();
    sim.setWords({});
  });

  it('setWords: the text answer of a [sim:text] task', async () => {
    sim.setWords({ textAnswer: LINKS });
    const id = await submit(sim, { prompt: 'a banana [sim:text]' });
    const q = await query(sim, id);
    assert.equal(asTask(q).data.status, 'success');
    assert.deepEqual(asTask(q).data.result, [{ text: LINKS }]);
  });

  it('setWords: the status_reason.message of a [sim:fail] task', async () => {
    sim.setWords({ failReason: LINKS });
    const id = await submit(sim, { prompt: 'a banana [sim:fail]' });
    const q = await query(sim, id);
    assert.equal(asTask(q).data.status, 'failed');
    assert.deepEqual(asTask(q).data.status_reason, { message: LINKS });
  });

  it('a task keeps the words in force at its submit; a field left out goes back to its default', async () => {
    sim.setWords({ textAnswer: LINKS, failReason: LINKS });
    const before = await submit(sim, { prompt: '[sim:text]' });
    sim.setWords({ failReason: 'out of bananas' });
    const after = await submit(sim, { prompt: '[sim:text]' });
    const failed = await submit(sim, { prompt: '[sim:fail]' });
    assert.deepEqual(asTask(await query(sim, before)).data.result, [{ text: LINKS }]);
    assert.deepEqual(asTask(await query(sim, after)).data.result, [{ text: TEXT_ANSWER }]);
    assert.deepEqual(asTask(await query(sim, failed)).data.status_reason, { message: 'out of bananas' });
    sim.setWords({});
    const plain = await submit(sim, { prompt: '[sim:fail]' });
    assert.deepEqual(asTask(await query(sim, plain)).data.status_reason, { message: FAIL_REASON });
  });

  it('reset keeps the words (like the duration and credit)', async () => {
    sim.setWords({ textAnswer: LINKS });
    sim.reset();
    const id = await submit(sim, { prompt: '[sim:text]' });
    assert.deepEqual(asTask(await query(sim, id)).data.result, [{ text: LINKS }]);
  });

  it('a status fault can carry a chosen message and detail in its envelope', async () => {
    sim.inject('submit', { kind: 'status', status: 400, message: LINKS, detail: `detail: ${LINKS}` });
    const a = await call(sim, '/api/image/gen', { body: { model: 'google/gempix2', prompt: 'x' } });
    assert.equal(a.status, 400);
    assert.deepEqual(a.json, { code: 1, message: LINKS, detail: `detail: ${LINKS}` });
    assert.equal(sim.tasks.size, 0, 'a status fault creates no task');
  });

  it('a status fault without them keeps the status text and no detail', async () => {
    sim.inject('query', { kind: 'status', status: 502 });
    sim.inject('user', { kind: 'status', status: 500, detail: 'only a detail' });
    assert.deepEqual((await call(sim, '/api/task/query?task_id=x')).json, { code: 1, message: 'Bad Gateway' });
    assert.deepEqual((await call(sim, '/api/user')).json, { code: 1, message: 'Internal Server Error', detail: 'only a detail' });
  });
});
