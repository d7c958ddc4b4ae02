import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import { fetchImage } from '../../../../src/core/images/fetch';
import { classifyHost, isLoopbackApi, type HostClass } from '../../../../src/core/images/hosts';
import { LOOPBACK_API, PNG, REMOTE_API, isKind } from './helpers';

/** Every form of a local address the rules must catch, with the class it belongs to. */
const HOSTILE: [string, HostClass][] = [
  ['https://127.0.0.1/a.png', 'loopback'],
  ['https://127.8.9.10/a.png', 'loopback'],
  ['https://localhost/a.png', 'loopback'],
  ['https://localhost./a.png', 'loopback'],
  ['https://localhost../a.png', 'loopback'],
  ['https://LOCALHOST/a.png', 'loopback'],
  ['https://img.localhost./a.png', 'loopback'],
  ['https://%6c%6fcalhost/a.png', 'loopback'],
  ['https://[::1]/a.png', 'loopback'],
  ['https://[0:0:0:0:0:0:0:1]/a.png', 'loopback'],
  ['https://169.254.169.254/latest/meta-data/', 'link-local'],
  ['https://[fe80::1]/a.png', 'link-local'],
  ['https://[febf:ffff::1]/a.png', 'link-local'],
  ['https://10.0.0.1/a.png', 'private'],
  ['https://172.16.0.1/a.png', 'private'],
  ['https://172.31.255.255/a.png', 'private'],
  ['https://192.168.1.1/a.png', 'private'],
  ['https://100.64.0.1/a.png', 'private'],
  ['https://[fc00::1]/a.png', 'private'],
  ['https://[fd12:3456::1]/a.png', 'private'],
  ['https://0.0.0.0/a.png', 'unspecified'],
  ['https://0/a.png', 'unspecified'],
  ['https://[::]/a.png', 'unspecified'],
  // IPv4-mapped, -compatible and -translated IPv6, NAT64 and 6to4 forms of local IPv4 addresses
  ['https://[::ffff:127.0.0.1]/a.png', 'loopback'],
  ['https://[::ffff:7f00:1]/a.png', 'loopback'],
  ['https://[::127.0.0.1]/a.png', 'loopback'],
  ['https://[::ffff:0:7f00:1]/a.png', 'loopback'],
  ['https://[64:ff9b::7f00:1]/a.png', 'loopback'],
  ['https://[2002:7f00:1::]/a.png', 'loopback'],
  ['https://[::ffff:10.0.0.1]/a.png', 'private'],
  ['https://[::ffff:a9fe:a9fe]/a.png', 'link-local'],
  ['https://[::ffff:ffff:7f00:1]/a.png', 'reserved'],
  // decimal, hex and octal IPv4 forms that WHATWG URL turns into dotted quads
  ['https://2130706433/a.png', 'loopback'],
  ['https://0x7f000001/a.png', 'loopback'],
  ['https://0177.0.0.1/a.png', 'loopback'],
  ['https://017700000001/a.png', 'loopback'],
  ['https://127.1/a.png', 'loopback'],
  ['https://0x7f.1/a.png', 'loopback'],
  ['https://2852039166/a.png', 'link-local'],
  ['https://0xa9.0xfe.0xa9.0xfe/a.png', 'link-local'],
  ['https://3232235777/a.png', 'private'],
  ['https://012.0.0.1/a.png', 'private'],
];

const PLACE: Record<HostClass, RegExp> = {
  loopback: /points to this computer/,
  private: /points to a private network address/,
  'link-local': /points to a link-local address/,
  unspecified: /points to the unspecified address/,
  reserved: /points to a reserved or multicast address/,
  public: /never/,
};

/** A dispatcher that counts and refuses every request: reaching it proves the host rules let a URL pass. */
function refusingDispatcher(): { dispatcher: Dispatcher; seen: string[] } {
  const seen: string[] = [];
  const dispatcher = {
    dispatch(opts: Dispatcher.DispatchOptions) {
      seen.push(String(opts.origin));
      throw Object.assign(new Error('refused by the test dispatcher'), { code: 'ECONNREFUSED' });
    },
    close: () => Promise.resolve(),
    destroy: () => Promise.resolve(),
  } as unknown as Dispatcher;
  return { dispatcher, seen };
}

describe('images/hosts', () => {
  describe('classifyHost', () => {
    it('names the class of every local form, as URL normalises it', () => {
      for (const [url, cls] of HOSTILE) assert.equal(classifyHost(new URL(url).hostname), cls, url);
    });

    it('normalises raw hostnames too (decimal, bare IPv6)', () => {
      assert.equal(classifyHost('2130706433'), 'loopback');
      assert.equal(classifyHost('::1'), 'loopback');
      assert.equal(classifyHost('[::ffff:192.168.0.1]'), 'private');
    });

    it('keeps neighbours of the local ranges, CDN names and public IPv6 public', () => {
      for (const h of [
        '172.15.255.255',
        '172.32.0.1',
        '100.63.255.255',
        '100.128.0.1',
        '169.253.1.1',
        '11.0.0.1',
        '8.8.8.8',
        'googlecdn.datas.systems',
        'localhost.example.com',
        'mylocalhost',
        '[2001:4860:4860::8888]',
        '[fbff::1]',
        '[fe7f::1]',
      ]) {
        assert.equal(classifyHost(h), 'public', h);
      }
    });

    it('refuses multicast, broadcast and reserved addresses', () => {
      for (const h of ['224.0.0.1', '255.255.255.255', '240.0.0.1', '[ff02::1]']) assert.equal(classifyHost(h), 'reserved', h);
    });

    it('only a loopback API base URL counts as loopback', () => {
      assert.equal(isLoopbackApi('http://127.0.0.1:8787'), true);
      assert.equal(isLoopbackApi('http://localhost:8787/'), true);
      assert.equal(isLoopbackApi('http://[::1]:8787'), true);
      assert.equal(isLoopbackApi('https://api.defapi.org'), false);
      assert.equal(isLoopbackApi('https://10.0.0.5'), false);
      assert.equal(isLoopbackApi(undefined), false);
      assert.equal(isLoopbackApi('not a url'), false);
    });
  });

  describe('the first image URL', () => {
    it('from a non-loopback API, every local form is refused before any request', async () => {
      const spy = refusingDispatcher();
      for (const [url, cls] of HOSTILE) {
        await assert.rejects(fetchImage(url, { ...REMOTE_API, dispatcher: spy.dispatcher }), isKind('image', false, PLACE[cls]), url);
      }
      assert.deepEqual(spy.seen, []);
    });

    it('without an API base URL, local hosts are refused too (the safe default)', async () => {
      const spy = refusingDispatcher();
      await assert.rejects(fetchImage('https://127.0.0.1/a.png', { dispatcher: spy.dispatcher }), isKind('image', false, /this computer/));
      assert.deepEqual(spy.seen, []);
    });

    it('from a non-loopback API, a public host passes the rules and is requested', async () => {
      const spy = refusingDispatcher();
      for (const url of ['https://googlecdn.datas.systems/a.png', 'https://172.32.0.1/a.png', 'https://[2001:4860:4860::8888]/a.png']) {
        await assert.rejects(fetchImage(url, { ...REMOTE_API, dispatcher: spy.dispatcher }), isKind('network', true), url);
      }
      assert.equal(spy.seen.length, 3);
    });

    it('from a loopback API (the simulator), every local form passes the rules', async () => {
      const spy = refusingDispatcher();
      for (const [url] of HOSTILE) {
        await assert.rejects(fetchImage(url, { ...LOOPBACK_API, dispatcher: spy.dispatcher }), isKind('network', true), url);
      }
      assert.equal(spy.seen.length, HOSTILE.length);
    });

    it('refuses non-https schemes whatever the API', async () => {
      const spy = refusingDispatcher();
      for (const src of ['javascript:alert(1)', 'file:///etc/passwd', 'ftp://cdn.example/a.png', 'gopher://cdn.example/', 'ws://cdn.example/']) {
        for (const api of [REMOTE_API, LOOPBACK_API]) {
          await assert.rejects(fetchImage(src, { ...api, dispatcher: spy.dispatcher }), isKind('image', false, /scheme/), src);
        }
      }
      assert.deepEqual(spy.seen, []);
    });
  });

  describe('against a real image server on this computer', () => {
    let server: http.Server;
    let port: number;
    const paths: string[] = [];
    /** Sends every request to the local server, whatever host its URL names: a "CDN" on a public name. */
    let cdn: Dispatcher;
    let agent: Agent;

    before(async () => {
      server = http.createServer((req, res) => {
        paths.push(req.url ?? '/');
        const to = (location: string) => {
          res.writeHead(302, { location });
          res.end();
        };
        const m = /^\/to\/(.+)$/.exec(req.url ?? '');
        if (m) return to(decodeURIComponent(m[1]).replace('PORT', String(port)));
        if (req.url === '/img.png') {
          res.writeHead(200, { 'content-type': 'image/png' });
          return res.end(PNG);
        }
        res.writeHead(404);
        res.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
      agent = new Agent();
      cdn = agent.compose((dispatch) => (opts, handler) => dispatch({ ...opts, origin: `http://127.0.0.1:${port}` }, handler));
    });
    after(async () => {
      await agent.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    beforeEach(() => {
      paths.length = 0;
    });

    it('a loopback API may name loopback images, in several written forms', async () => {
      for (const host of ['127.0.0.1', '2130706433', '127.1', '0x7f.0.0.1']) {
        const img = await fetchImage(`http://${host}:${port}/img.png`, LOOPBACK_API);
        assert.equal(img.ext, 'png', host);
      }
      assert.equal(paths.length, 4);
    });

    it('a non-loopback API may not: the local server is never reached', async () => {
      await assert.rejects(fetchImage(`http://127.0.0.1:${port}/img.png`, REMOTE_API), isKind('image', false, /this computer \(127\.0\.0\.1\)/));
      assert.deepEqual(paths, []);
    });

    it('a redirect from a public CDN to a public CDN is followed', async () => {
      const img = await fetchImage(`https://cdn-a.example/to/${encodeURIComponent('https://cdn-b.example/img.png')}`, { ...REMOTE_API, dispatcher: cdn });
      assert.equal(img.ext, 'png');
      assert.equal(paths.length, 2);
    });

    it('a redirect from a public CDN to any local form is refused, and the target never requested', async () => {
      const targets: [string, RegExp][] = [
        ['http://127.0.0.1:PORT/img.png', /this computer/],
        ['https://localhost./img.png', /this computer/],
        ['https://[::ffff:127.0.0.1]/img.png', /this computer/],
        ['https://[::ffff:7f00:1]/img.png', /this computer/],
        ['https://2130706433/img.png', /this computer/],
        ['https://0177.0.0.1/img.png', /this computer/],
        ['https://169.254.169.254/latest/meta-data/', /link-local/],
        ['https://192.168.0.1/img.png', /private network/],
        ['https://[fd00::1]/img.png', /private network/],
        ['https://0.0.0.0/img.png', /unspecified/],
        ['ftp://cdn-b.example/img.png', /ftp: scheme/],
        ['javascript:alert(1)', /javascript: scheme/],
        ['file:///etc/passwd', /file: scheme/],
      ];
      for (const [target, message] of targets) {
        paths.length = 0;
        const start = `https://cdn-a.example/to/${encodeURIComponent(target)}`;
        await assert.rejects(
          fetchImage(start, { ...REMOTE_API, dispatcher: cdn }),
          (e: unknown) =>
            isKind('image', false, message)(e) && /redirected to a URL that/.test((e as Error).message) && (e as { status?: number }).status === 302,
          target,
        );
        assert.equal(paths.length, 1, `only the redirect was requested for ${target}`);
      }
    });

    it('a loopback API lets a redirect lead to loopback', async () => {
      const img = await fetchImage(`http://127.0.0.1:${port}/to/${encodeURIComponent('http://2130706433:PORT/img.png')}`, LOOPBACK_API);
      assert.equal(img.ext, 'png');
      assert.deepEqual(
        paths.map((p) => p.slice(0, 4)),
        ['/to/', '/img'],
      );
    });
  });
});
