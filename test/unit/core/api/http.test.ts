import * as assert from 'node:assert/strict';
import { Agent, EnvHttpProxyAgent, ProxyAgent } from 'undici';
import { createDispatcher, errorCode, networkError } from '../../../../src/core/api/http';
import { NanoError } from '../../../../src/core/errors';

function coded(code: string, message = `boom ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

describe('api/http', () => {
  describe('errorCode', () => {
    it('finds a code on the error or along its cause chain', () => {
      assert.equal(errorCode(coded('ECONNRESET')), 'ECONNRESET');
      assert.equal(errorCode(new Error('fetch failed', { cause: coded('ECONNREFUSED') })), 'ECONNREFUSED');
      assert.equal(errorCode(new Error('a', { cause: new Error('b', { cause: coded('ENOTFOUND') }) })), 'ENOTFOUND');
      assert.equal(errorCode(new Error('plain')), undefined);
      assert.equal(errorCode(undefined), undefined);
      assert.equal(errorCode(Object.assign(new Error('numeric'), { code: 42 })), undefined);
    });
  });

  describe('networkError', () => {
    const host = 'api.defapi.org';

    it('never delivered: ECONNREFUSED / ENOTFOUND / EAI_AGAIN / UND_ERR_CONNECT_TIMEOUT → maybeDelivered false, retryable', () => {
      for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']) {
        const e = networkError(coded(code), host, 60);
        assert.equal(e.kind, 'network', code);
        assert.equal(e.maybeDelivered, false, code);
        assert.equal(e.retryable, true, code);
        assert.equal(e.detail, code);
        assert.ok(e.message.includes(host), e.message);
      }
    });

    it('maybe delivered: ECONNRESET / UND_ERR_SOCKET / EPIPE / UND_ERR_HEADERS_TIMEOUT / UND_ERR_BODY_TIMEOUT → maybeDelivered true', () => {
      for (const code of ['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']) {
        const e = networkError(coded(code), host, 60);
        assert.equal(e.kind, 'network', code);
        assert.equal(e.maybeDelivered, true, code);
        assert.equal(e.retryable, true, code);
      }
    });

    it('an error without a code counts as maybe delivered (the safe assumption)', () => {
      const e = networkError(new Error('something odd'), host, 60);
      assert.equal(e.kind, 'network');
      assert.equal(e.maybeDelivered, true);
      assert.match(e.message, /failed: something odd/);
      assert.equal(networkError('a string', host, 60).maybeDelivered, true);
    });

    it('names the cause in the message', () => {
      assert.match(networkError(coded('ENOTFOUND'), host, 60).message, /Cannot resolve api\.defapi\.org/);
      assert.match(networkError(coded('ECONNREFUSED'), host, 60).message, /refused the connection/);
      assert.match(networkError(coded('UND_ERR_CONNECT_TIMEOUT'), host, 60).message, /Connecting to api\.defapi\.org timed out/);
      assert.match(networkError(coded('UND_ERR_HEADERS_TIMEOUT'), host, 45).message, /did not answer within 45 s/);
      assert.match(networkError(coded('ECONNRESET'), host, 60).message, /dropped before an answer/);
      assert.match(networkError(coded('UND_ERR_SOCKET'), host, 60).message, /dropped before an answer/);
    });

    it('TLS certificate failures: not delivered, not retryable', () => {
      const e = networkError(new Error('fetch failed', { cause: coded('DEPTH_ZERO_SELF_SIGNED_CERT') }), host, 60);
      assert.equal(e.kind, 'network');
      assert.equal(e.retryable, false);
      assert.equal(e.maybeDelivered, false);
      assert.match(e.message, /TLS certificate/);
    });

    it('an abort → cancelled (by signal, UND_ERR_ABORTED or AbortError)', () => {
      const ac = new AbortController();
      ac.abort();
      const bySignal = networkError(coded('ECONNRESET'), host, 60, ac.signal);
      assert.equal(bySignal.kind, 'cancelled');
      assert.equal(bySignal.retryable, false);
      assert.equal(networkError(coded('UND_ERR_ABORTED'), host, 60).kind, 'cancelled');
      const abortError = Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
      assert.equal(networkError(abortError, host, 60).kind, 'cancelled');
      assert.equal(networkError(abortError, host, 60, new AbortController().signal).kind, 'cancelled');
    });

    it('keeps the original error as cause and passes NanoErrors through unchanged', () => {
      const original = coded('ECONNRESET');
      assert.equal(networkError(original, host, 60).cause, original);
      const nano = new NanoError({ kind: 'auth', message: 'x', retryable: false });
      assert.equal(networkError(nano, host, 60), nano);
    });
  });

  describe('createDispatcher', () => {
    it('goes direct to loopback, through an explicit proxy, else through the environment', async () => {
      const direct = createDispatcher(new URL('http://127.0.0.1:1234'), { connectTimeoutMs: 1000, proxy: 'http://proxy.test:3128' });
      const proxied = createDispatcher(new URL('https://api.defapi.org'), { connectTimeoutMs: 1000, proxy: ' http://proxy.test:3128 ' });
      const env = createDispatcher(new URL('https://api.defapi.org'), { connectTimeoutMs: 1000, proxy: '  ' });
      try {
        assert.ok(direct instanceof Agent);
        assert.ok(proxied instanceof ProxyAgent);
        assert.ok(env instanceof EnvHttpProxyAgent);
      } finally {
        await Promise.all([direct.close(), proxied.close(), env.close()]);
      }
    });
  });
});
