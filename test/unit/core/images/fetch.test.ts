import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import { DEFAULT_IMAGE_USER_AGENT, fetchImage } from '../../../../src/core/images/fetch';
import type { NanoError } from '../../../../src/core/errors';
import { LOOPBACK_API, PNG, isKind } from './helpers';

describe('images/fetch', () => {
  let server: http.Server;
  let base: string;
  let port: number;
  const requests: { url: string; headers: http.IncomingHttpHeaders; rawHeaders: string[] }[] = [];
  const closedEarly: string[] = [];
  let onRequest: ((url: string) => void) | undefined;

  before(async () => {
    server = http.createServer((req, res) => {
      const url = req.url ?? '/';
      requests.push({ url, headers: req.headers, rawHeaders: req.rawHeaders });
      onRequest?.(url);
      const redirect = (status: number, location: string) => {
        res.writeHead(status, { location });
        res.end('moved');
      };
      const m = /^\/chain\/(\d+)$/.exec(url);
      if (m) {
        const n = Number(m[1]);
        return n === 0 ? redirect(302, '/img.png') : redirect(302, `/chain/${n - 1}`);
      }
      switch (url) {
        case '/img.png':
          res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length, 'set-cookie': 'session=abc' });
          return res.end(PNG);
        case '/png-as-octet':
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          return res.end(PNG);
        case '/big-declared':
          // Declares 60 MB, sends the first bytes, then stalls: only a check of the header can fail fast.
          res.writeHead(200, { 'content-type': 'image/png', 'content-length': 60_000_000 });
          res.write(PNG);
          return;
        case '/endless': {
          // Chunked, no length, never ends on its own: only the client stopping can end it.
          res.writeHead(200, { 'content-type': 'image/png' });
          res.write(PNG);
          const pump = () => {
            while (!res.destroyed && res.write(Buffer.alloc(16 * 1024))) {
              /* fill until the socket pushes back */
            }
          };
          res.on('drain', pump);
          res.on('close', () => {
            if (!res.writableEnded) closedEarly.push(url);
          });
          pump();
          return;
        }
        case '/chunked-small':
          res.writeHead(200, { 'content-type': 'image/png' });
          res.write(PNG.subarray(0, 10));
          return res.end(PNG.subarray(10));
        case '/html':
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          return res.end('<!DOCTYPE html><html><body>Please enable JavaScript</body></html>');
        case '/empty':
          res.writeHead(200, { 'content-type': 'image/png' });
          return res.end();
        case '/404':
          res.writeHead(404, { 'content-type': 'text/plain' });
          return res.end('not found');
        case '/403':
          res.writeHead(403);
          return res.end('forbidden');
        case '/500':
          res.writeHead(500);
          return res.end('oops');
        case '/429':
          res.writeHead(429, { 'retry-after': '1' });
          return res.end();
        case '/relative':
          return redirect(301, 'img.png');
        case '/to-file':
          return redirect(302, 'file:///etc/passwd');
        case '/to-js':
          return redirect(302, 'javascript:alert(1)');
        case '/to-data-html':
          return redirect(302, 'data:text/html,<script>alert(1)</script>');
        case '/to-http-remote':
          return redirect(307, 'http://example.com/x.png');
        case '/to-userinfo':
          return redirect(302, `http://user:secret@127.0.0.1:${port}/img.png`);
        case '/no-location':
          res.writeHead(302);
          return res.end();
        case '/hang':
          return; // never answers
        case '/hang-body':
          res.writeHead(200, { 'content-type': 'image/png' });
          res.write(PNG.subarray(0, 8));
          return; // body never finishes
        case '/reset':
          req.socket.destroy();
          return;
        default:
          res.writeHead(404);
          return res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    requests.length = 0;
    closedEarly.length = 0;
    onRequest = undefined;
  });

  it('downloads a PNG, sniffs type and size, and sends only a browser User-Agent and a browser image Accept header', async () => {
    const img = await fetchImage(`${base}/img.png`, LOOPBACK_API);
    assert.deepEqual(Buffer.from(img.bytes), PNG);
    assert.equal(img.mime, 'image/png');
    assert.equal(img.ext, 'png');
    assert.equal(img.width, 4);
    assert.equal(img.height, 3);
    assert.equal(img.source, 'url');
    assert.equal(requests.length, 1);
    const h = requests[0].headers;
    assert.equal(h.authorization, undefined);
    assert.equal(h.cookie, undefined);
    assert.equal(h['proxy-authorization'], undefined);
    assert.match(h['user-agent'] ?? '', /^Mozilla\/5\.0 .*(Chrome|Firefox|Safari)/);
    assert.equal(h['user-agent'], DEFAULT_IMAGE_USER_AGENT);
    assert.equal(h.accept, 'image/avif,image/webp,image/apng,image/*,*/*;q=0.8');
    const names = requests[0].rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    assert.deepEqual(names.filter((n) => n !== 'host' && n !== 'connection').sort(), ['accept', 'user-agent']);
  });

  it('does not send back a cookie the host set, nor credentials, on a second request', async () => {
    await fetchImage(`${base}/img.png`, LOOPBACK_API);
    await fetchImage(`${base}/img.png`, LOOPBACK_API);
    assert.equal(requests.length, 2);
    assert.equal(requests[1].headers.cookie, undefined);
    assert.equal(requests[1].headers.authorization, undefined);
  });

  it('honours a custom user agent', async () => {
    await fetchImage(`${base}/img.png`, { ...LOOPBACK_API, userAgent: 'Mozilla/5.0 Test' });
    assert.equal(requests[0].headers['user-agent'], 'Mozilla/5.0 Test');
  });

  it('trusts the bytes, not the Content-Type', async () => {
    const img = await fetchImage(`${base}/png-as-octet`, LOOPBACK_API);
    assert.equal(img.mime, 'image/png');
    await assert.rejects(fetchImage(`${base}/html`, LOOPBACK_API), isKind('image', false, /web page \(HTML\).*not a PNG, JPEG, WebP or GIF/));
    await assert.rejects(fetchImage(`${base}/empty`, LOOPBACK_API), isKind('image', false, /empty response/));
  });

  it('accepts a chunked body under the cap', async () => {
    const img = await fetchImage(`${base}/chunked-small`, { ...LOOPBACK_API, maxBytes: PNG.length });
    assert.deepEqual(Buffer.from(img.bytes), PNG);
  });

  it('rejects early when Content-Length is over the cap', async () => {
    // With the default 60 s timeout, waiting for the stalled body would exceed mocha's 2 s limit.
    await assert.rejects(fetchImage(`${base}/big-declared`, { ...LOOPBACK_API, maxBytes: 1000 }), isKind('image', false, /larger than 1,000 B,/));
    await assert.rejects(fetchImage(`${base}/big-declared`, LOOPBACK_API), isKind('image', false, /larger than 50 MB/));
  });

  it('stops reading a chunked body with no length as soon as it exceeds the cap', async () => {
    const closed = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (closedEarly.includes('/endless')) {
          clearInterval(check);
          resolve();
        }
      }, 2);
    });
    await assert.rejects(fetchImage(`${base}/endless`, { ...LOOPBACK_API, maxBytes: 64 * 1024 }), isKind('image', false, /larger than 64 KB/));
    await closed; // the server saw the connection go away before it finished: the download was aborted
  });

  it('maps 404 and 403 to non-retryable image errors, 500 and 429 to retryable ones', async () => {
    await assert.rejects(fetchImage(`${base}/404`, LOOPBACK_API), (e: unknown) => isKind('image', false, /HTTP 404/)(e) && (e as NanoError).status === 404);
    await assert.rejects(fetchImage(`${base}/403`, LOOPBACK_API), isKind('image', false, /HTTP 403/));
    await assert.rejects(fetchImage(`${base}/500`, LOOPBACK_API), isKind('image', true, /HTTP 500/));
    await assert.rejects(fetchImage(`${base}/429`, LOOPBACK_API), isKind('image', true, /HTTP 429/));
  });

  it('follows relative redirects and chains of up to 5', async () => {
    const a = await fetchImage(`${base}/relative`, LOOPBACK_API);
    assert.equal(a.ext, 'png');
    requests.length = 0;
    const b = await fetchImage(`${base}/chain/4`, LOOPBACK_API); // 5 redirects, then the image
    assert.equal(b.ext, 'png');
    assert.equal(requests.length, 6);
    for (const r of requests) assert.equal(r.headers.authorization, undefined);
  });

  it('gives up after more than 5 redirects', async () => {
    await assert.rejects(fetchImage(`${base}/chain/5`, LOOPBACK_API), isKind('image', false, /more than 5 times/));
    assert.equal(requests.length, 6);
    assert.ok(!requests.some((r) => r.url === '/img.png'));
  });

  it('refuses redirects to forbidden schemes, remote plain http, credentials, or nowhere', async () => {
    await assert.rejects(fetchImage(`${base}/to-file`, LOOPBACK_API), isKind('image', false, /file: scheme/));
    await assert.rejects(fetchImage(`${base}/to-js`, LOOPBACK_API), isKind('image', false, /javascript: scheme/));
    await assert.rejects(fetchImage(`${base}/to-data-html`, LOOPBACK_API), isKind('image', false, /data: scheme/));
    await assert.rejects(fetchImage(`${base}/to-http-remote`, LOOPBACK_API), isKind('image', false, /plain http to example\.com/));
    await assert.rejects(fetchImage(`${base}/to-userinfo`, LOOPBACK_API), isKind('image', false, /user name or password/));
    await assert.rejects(fetchImage(`${base}/no-location`, LOOPBACK_API), isKind('image', false, /no target/));
    assert.ok(!requests.some((r) => r.url === '/img.png'), 'no redirect target was requested');
  });

  describe('without sending any request', () => {
    let dispatched = 0;
    let agent: Agent;
    let spy: Dispatcher;
    before(() => {
      agent = new Agent();
      spy = agent.compose((dispatch) => (opts, handler) => {
        dispatched++;
        return dispatch(opts, handler);
      });
    });
    after(() => agent.close());
    beforeEach(() => {
      dispatched = 0;
    });

    it('the spy dispatcher does see a normal request (so the zero counts below mean something)', async () => {
      await fetchImage(`${base}/img.png`, { ...LOOPBACK_API, dispatcher: spy });
      assert.equal(dispatched, 1);
    });

    it('rejects javascript:, file:, ftp:, data:text/html, blob: and scheme-less sources', async () => {
      for (const src of [
        'javascript:alert(1)',
        'file:///etc/passwd',
        `ftp://127.0.0.1:${port}/img.png`,
        'data:text/html;base64,PHNjcmlwdD4=',
        'blob:https://example.com/abc',
        '//example.com/x.png',
        'img.png',
        '',
      ]) {
        await assert.rejects(fetchImage(src, { dispatcher: spy }), isKind('image', false), src);
      }
      assert.equal(dispatched, 0);
      assert.equal(requests.length, 0);
    });

    it('rejects plain http to a non-loopback host', async () => {
      await assert.rejects(fetchImage('http://example.com/x.png', { dispatcher: spy }), isKind('image', false, /plain http/));
      await assert.rejects(fetchImage('http://10.0.0.1/x.png', { dispatcher: spy }), isKind('image', false));
      assert.equal(dispatched, 0);
    });

    it('rejects a URL with embedded credentials', async () => {
      await assert.rejects(
        fetchImage(`http://u:p@127.0.0.1:${port}/img.png`, { ...LOOPBACK_API, dispatcher: spy }),
        isKind('image', false, /user name or password/),
      );
      assert.equal(dispatched, 0);
      assert.equal(requests.length, 0);
    });

    it('reports an already-aborted signal as cancelled', async () => {
      const ac = new AbortController();
      ac.abort();
      await assert.rejects(fetchImage(`${base}/img.png`, { ...LOOPBACK_API, dispatcher: spy, signal: ac.signal }), isKind('cancelled', false));
      assert.equal(dispatched, 0);
    });
  });

  describe('network failures and cancellation', () => {
    it('a connection reset is a retryable network error', async () => {
      await assert.rejects(fetchImage(`${base}/reset`, LOOPBACK_API), isKind('network', true));
    });

    it('a refused connection is a retryable network error', async () => {
      const s = http.createServer();
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      const freePort = (s.address() as AddressInfo).port;
      await new Promise<void>((r) => s.close(() => r()));
      await assert.rejects(fetchImage(`http://127.0.0.1:${freePort}/x.png`, LOOPBACK_API), isKind('network', true));
    });

    it('no answer within timeoutMs is a retryable network timeout', async () => {
      await assert.rejects(fetchImage(`${base}/hang`, { ...LOOPBACK_API, timeoutMs: 100 }), isKind('network', true, /timed out/));
    });

    it('a body that stalls past timeoutMs is a retryable network timeout', async () => {
      await assert.rejects(fetchImage(`${base}/hang-body`, { ...LOOPBACK_API, timeoutMs: 100 }), isKind('network', true, /timed out/));
    });

    it('aborting while waiting for the host is reported as cancelled', async () => {
      const ac = new AbortController();
      onRequest = (url) => {
        if (url === '/hang') setImmediate(() => ac.abort());
      };
      await assert.rejects(fetchImage(`${base}/hang`, { ...LOOPBACK_API, signal: ac.signal }), isKind('cancelled', false));
    });

    it('aborting during the body is reported as cancelled', async () => {
      const ac = new AbortController();
      onRequest = (url) => {
        if (url === '/hang-body') setTimeout(() => ac.abort(), 20);
      };
      await assert.rejects(fetchImage(`${base}/hang-body`, { ...LOOPBACK_API, signal: ac.signal }), isKind('cancelled', false));
    });
  });

  describe('proxy', () => {
    it('tunnels https image requests through the given proxy, without credentials', async () => {
      const seen: { url?: string; headers: http.IncomingHttpHeaders }[] = [];
      const proxy = http.createServer();
      proxy.on('connect', (req: http.IncomingMessage, socket: import('node:net').Socket) => {
        seen.push({ url: req.url, headers: req.headers });
        socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      });
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
      try {
        const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
        await assert.rejects(fetchImage('https://images.example.invalid/a.png', { proxy: proxyUrl, timeoutMs: 5000 }), isKind('network', true));
        assert.equal(seen.length, 1);
        assert.equal(seen[0].url, 'images.example.invalid:443');
        assert.equal(seen[0].headers.authorization, undefined);
        assert.equal(seen[0].headers['proxy-authorization'], undefined);
      } finally {
        proxy.closeAllConnections();
        await new Promise<void>((r) => proxy.close(() => r()));
      }
    });

    it('reports an unusable proxy setting as a config error', async () => {
      await assert.rejects(fetchImage('https://images.example.invalid/a.png', { proxy: 'not a url' }), isKind('config', false));
    });

    it('does not use the proxy for loopback hosts (the local simulator)', async () => {
      const img = await fetchImage(`${base}/img.png`, { ...LOOPBACK_API, proxy: 'http://127.0.0.1:9' });
      assert.equal(img.ext, 'png');
    });
  });
});
