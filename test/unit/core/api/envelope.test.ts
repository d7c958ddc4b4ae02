import * as assert from 'node:assert/strict';
import { excerpt, httpError, parseCredit, parseSubmitData, parseTaskData, readEnvelope, type RawResponse } from '../../../../src/core/api/envelope';
import { NanoError } from '../../../../src/core/errors';
import { throwsWith } from './helpers';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);

function res(status: number, body: unknown, headers: RawResponse['headers'] = {}): RawResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

const ok = (data: unknown) => res(200, { code: 0, message: 'ok', data });

describe('api/envelope', () => {
  describe('readEnvelope: HTTP status first', () => {
    it('400 → bad-request with the server detail in detail and message', () => {
      const e = throwsWith(() => readEnvelope(res(400, { code: 1, message: 'failed', detail: 'prompt is required' }), 'submit', NOW, false), 'bad-request');
      assert.equal(e.status, 400);
      assert.equal(e.detail, 'prompt is required');
      assert.match(e.message, /HTTP 400.*prompt is required/);
      assert.equal(e.retryable, false);
    });

    it('400 with a meaningful message and a detail keeps both', () => {
      const e = throwsWith(() => readEnvelope(res(400, { code: 1, message: 'bad aspect', detail: 'use 16:9' }), 'submit', NOW, false), 'bad-request');
      assert.equal(e.detail, 'bad aspect: use 16:9');
    });

    it('other 4xx (e.g. 422, 413) → bad-request', () => {
      assert.equal(throwsWith(() => readEnvelope(res(422, ''), 'submit', NOW, false), 'bad-request').status, 422);
      assert.equal(throwsWith(() => readEnvelope(res(413, 'too big'), 'submit', NOW, false), 'bad-request').detail, undefined);
    });

    it('401 and 403 → auth, not retryable, asks to update the key', () => {
      for (const status of [401, 403]) {
        const e = throwsWith(() => readEnvelope(res(status, { code: 1, message: 'Invalid API key' }), 'submit', NOW, false), 'auth');
        assert.equal(e.status, status);
        assert.equal(e.detail, 'Invalid API key');
        assert.match(e.message, /Update your API key/);
        assert.equal(e.retryable, false);
      }
    });

    it('402 → auth about credits', () => {
      assert.match(throwsWith(() => readEnvelope(res(402, ''), 'submit', NOW, false), 'auth').message, /no credits/);
    });

    it('404 "task not found" → not-found about the task; another 404 → not-found about the endpoint', () => {
      const task = throwsWith(() => readEnvelope(res(404, { code: 1, message: 'task not found' }), 'task query', NOW, true), 'not-found');
      assert.match(task.message, /task not found/);
      assert.equal(task.detail, 'task not found');
      assert.equal(task.retryable, false);
      const endpoint = throwsWith(() => readEnvelope(res(404, '<html>Not Found</html>'), 'submit', NOW, false), 'not-found');
      assert.match(endpoint.message, /no such endpoint.*apiBaseUrl/);
    });

    it('429 → rate-limited with retryAfterMs from seconds or an HTTP date', () => {
      const s = throwsWith(() => readEnvelope(res(429, '', { 'retry-after': '12' }), 'submit', NOW, false), 'rate-limited');
      assert.equal(s.retryAfterMs, 12_000);
      assert.equal(s.retryable, true);
      assert.match(s.message, /wait 12 s/);
      const d = throwsWith(() => readEnvelope(res(429, '', { 'retry-after': 'Wed, 01 Jan 2025 12:01:00 GMT' }), 'submit', NOW, false), 'rate-limited');
      assert.equal(d.retryAfterMs, 60_000);
      const arr = throwsWith(() => readEnvelope(res(429, '', { 'retry-after': ['3', '9'] }), 'submit', NOW, false), 'rate-limited');
      assert.equal(arr.retryAfterMs, 3000);
      const none = throwsWith(() => readEnvelope(res(429, ''), 'submit', NOW, false), 'rate-limited');
      assert.equal(none.retryAfterMs, undefined);
      assert.equal('retryAfterMs' in none.toJSON(), false);
    });

    it('5xx → server, retryable', () => {
      for (const status of [500, 502, 503, 504]) {
        const e = throwsWith(() => readEnvelope(res(status, ''), 'task query', NOW, true), 'server');
        assert.equal(e.status, status);
        assert.equal(e.retryable, true);
        assert.match(e.message, new RegExp(`HTTP ${status}`));
      }
    });

    it('reads the status before the body: a 500 with an ok-looking body is still an error', () => {
      throwsWith(() => readEnvelope(res(500, { code: 0, message: 'ok', data: { task_id: 'x' } }), 'submit', NOW, false), 'server');
    });
  });

  describe('readEnvelope: a 2xx body', () => {
    it('returns data of {code: 0} (also code "0" as a string)', () => {
      assert.deepEqual(readEnvelope(ok({ task_id: 't1' }), 'submit', NOW, false), { task_id: 't1' });
      assert.deepEqual(readEnvelope(res(200, { code: '0', data: [1] }), 'submit', NOW, false), [1]);
    });

    it('broken JSON → protocol, retryable only for reads, with an excerpt of the body', () => {
      const body = '{"code":0,"message":"ok","data":{"task';
      const submit = throwsWith(() => readEnvelope(res(200, body), 'submit', NOW, false), 'protocol');
      assert.match(submit.message, /answer to submit is not valid JSON \(application\/json\)/);
      assert.equal(submit.retryable, false);
      assert.equal(submit.detail, body);
      assert.equal(submit.status, 200);
      assert.equal(throwsWith(() => readEnvelope(res(200, body), 'task query', NOW, true), 'protocol').retryable, true);
    });

    it('HTML → protocol naming the content type', () => {
      const r: RawResponse = { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<html>502 Bad Gateway</html>' };
      const e = throwsWith(() => readEnvelope(r, 'task query', NOW, true), 'protocol');
      assert.match(e.message, /not valid JSON \(text\/html/);
      assert.equal(e.detail, '<html>502 Bad Gateway</html>');
    });

    it('an empty body → protocol "empty"', () => {
      assert.match(throwsWith(() => readEnvelope(res(200, '  '), 'submit', NOW, false), 'protocol').message, /was empty/);
    });

    it('JSON of the wrong shape → protocol', () => {
      for (const body of [[1, 2], 'null', '"ok"', '42', { message: 'ok', data: {} }]) {
        const e = throwsWith(() => readEnvelope(res(200, body), 'submit', NOW, false), 'protocol');
        assert.match(e.message, /not in the expected \{code, message, data\} form/, JSON.stringify(body));
      }
    });

    it('an error inside a 200 envelope maps like its HTTP twin', () => {
      const auth = throwsWith(() => readEnvelope(res(200, { code: 401, message: 'Invalid API key' }), 'task query', NOW, true), 'auth');
      assert.equal(auth.status, 401);
      throwsWith(() => readEnvelope(res(200, { code: 1, message: 'Invalid API key' }), 'submit', NOW, false), 'auth');
      throwsWith(() => readEnvelope(res(200, { code: '401', message: 'nope' }), 'submit', NOW, false), 'auth');
      throwsWith(() => readEnvelope(res(200, { code: 429, message: 'slow down' }), 'submit', NOW, false), 'rate-limited');
      assert.match(
        throwsWith(() => readEnvelope(res(200, { code: 1, message: 'task not found' }), 'task query', NOW, true), 'not-found').message,
        /task not found/,
      );
      assert.equal(throwsWith(() => readEnvelope(res(200, { code: 503, message: 'busy' }), 'submit', NOW, false), 'server').status, 503);
      const bad = throwsWith(() => readEnvelope(res(200, { code: 1, message: 'failed', detail: 'prompt is required' }), 'submit', NOW, false), 'bad-request');
      assert.equal(bad.detail, 'prompt is required');
    });
  });

  describe('httpError', () => {
    it('always returns a NanoError carrying the status', () => {
      const e = httpError(res(418, 'teapot'), 'submit', NOW);
      assert.ok(e instanceof NanoError);
      assert.equal(e.kind, 'bad-request');
      assert.equal(e.status, 418);
    });
  });

  describe('parseSubmitData', () => {
    it('returns data.task_id', () => {
      assert.equal(parseSubmitData({ task_id: ' ta123 ' }, ok({})), 'ta123');
      assert.equal(parseSubmitData({ task_id: 42 }, ok({})), '42');
    });
    it('a missing or empty task_id → protocol, not retryable', () => {
      for (const data of [undefined, null, {}, { task_id: '' }, { task_id: null }, { id: 'x' }, ['ta1']]) {
        const e = throwsWith(() => parseSubmitData(data, ok(data)), 'protocol');
        assert.match(e.message, /no task id/);
        assert.equal(e.retryable, false);
      }
    });
  });

  describe('parseTaskData', () => {
    const base = { task_id: 'ta1', status: 'success', consumed: '0.500000', created_at: '2025-01-01T00:00:00Z', status_reason: { message: null } };

    it('reads the documented success shape (result as an array)', () => {
      const task = parseTaskData({ ...base, result: [{ image: 'https://cdn.test/1.png' }, { image: 'data:image/png;base64,AAAA' }] }, ok({}), 'ta1');
      assert.deepEqual(task, {
        taskId: 'ta1',
        status: 'success',
        images: ['https://cdn.test/1.png', 'data:image/png;base64,AAAA'],
        texts: [],
        consumed: '0.500000',
        createdAt: '2025-01-01T00:00:00Z',
      });
    });

    it('accepts result as a single object', () => {
      const task = parseTaskData({ ...base, result: { image: 'https://cdn.test/only.png' } }, ok({}), 'ta1');
      assert.deepEqual(task.images, ['https://cdn.test/only.png']);
      assert.deepEqual(task.texts, []);
    });

    it('collects text items (a model that answered in words) separately from images', () => {
      const task = parseTaskData({ ...base, result: [{ text: 'I cannot draw that.' }] }, ok({}), 'ta1');
      assert.deepEqual(task.images, []);
      assert.deepEqual(task.texts, ['I cannot draw that.']);
      const single = parseTaskData({ ...base, result: { text: ' refusal ' } }, ok({}), 'ta1');
      assert.deepEqual(single.texts, ['refusal']);
      const mixed = parseTaskData(
        { ...base, result: [{ image: 'https://a.test/1.png', text: 'caption' }, 'https://b.test/2.png', 'just words', 7, null] },
        ok({}),
        'ta1',
      );
      assert.deepEqual(mixed.images, ['https://a.test/1.png', 'https://b.test/2.png']);
      assert.deepEqual(mixed.texts, ['caption', 'just words']);
    });

    it('accepts url / image_url item keys', () => {
      const task = parseTaskData({ ...base, result: [{ url: 'https://a.test/1.png' }, { image_url: 'https://a.test/2.png' }] }, ok({}), 'ta1');
      assert.deepEqual(task.images, ['https://a.test/1.png', 'https://a.test/2.png']);
    });

    it('a failed task: null result, reason from status_reason.message (or a bare string)', () => {
      const failed = parseTaskData({ task_id: 'ta1', status: 'failed', result: null, status_reason: { message: 'content policy' } }, ok({}), 'ta1');
      assert.equal(failed.status, 'failed');
      assert.deepEqual(failed.images, []);
      assert.equal(failed.reason, 'content policy');
      assert.equal(parseTaskData({ status: 'failed', status_reason: 'quota' }, ok({}), 'ta1').reason, 'quota');
    });

    it('every documented status, case-insensitively; the requested id when the task has none', () => {
      for (const s of ['pending', 'submitted', 'in_progress', 'success', 'failed']) {
        const t = parseTaskData({ status: s.toUpperCase() }, ok({}), 'asked-id');
        assert.equal(t.status, s);
        assert.equal(t.taskId, 'asked-id');
        assert.deepEqual(t.images, []);
        assert.equal('reason' in t, false);
      }
    });

    it('no data or an unknown status → protocol (retryable: a read)', () => {
      const nodata = throwsWith(() => parseTaskData(null, ok(null), 'ta1'), 'protocol');
      assert.equal(nodata.retryable, true);
      assert.match(throwsWith(() => parseTaskData({ status: 'done' }, ok({}), 'ta1'), 'protocol').message, /unknown status \(done\)/);
      assert.match(throwsWith(() => parseTaskData({ result: [] }, ok({}), 'ta1'), 'protocol').message, /unknown status \(none\)/);
    });
  });

  describe('parseCredit', () => {
    it('reads credit as a decimal string or a number', () => {
      assert.equal(parseCredit({ credit: '99.500000' }), 99.5);
      assert.equal(parseCredit({ credit: 3 }), 3);
      assert.equal(parseCredit({ credits: '2' }), 2);
      assert.equal(parseCredit({ balance: 0 }), 0);
    });
    it('gives undefined for anything else', () => {
      for (const d of [undefined, null, [], {}, { credit: '' }, { credit: 'lots' }, { credit: null }, { credit: {} }]) assert.equal(parseCredit(d), undefined);
    });
  });

  describe('excerpt', () => {
    it('flattens whitespace and cuts long bodies', () => {
      assert.equal(excerpt('  a\n\n b  '), 'a b');
      assert.equal(excerpt('x'.repeat(200), 10), `${'x'.repeat(10)}…`);
    });
  });
});
