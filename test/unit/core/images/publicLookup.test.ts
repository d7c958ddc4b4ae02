/**
 * DNS rebinding: a public-looking name whose DNS answer is this computer or a private network is
 * refused before a connection opens. The DNS answers are given by the test (the machine's DNS is not
 * ours to change); the connection attempt is real, against a real server on 127.0.0.1 that must
 * never see it.
 */
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import type { LookupAddress } from 'node:dns';
import { fetchImage } from '../../../../src/core/images/fetch';
import { publicOnlyLookup, type Resolve } from '../../../../src/core/images/publicLookup';
import type { NanoError } from '../../../../src/core/errors';

const answering =
  (addresses: LookupAddress[]): Resolve =>
  (_host, cb) =>
    cb(null, addresses);

describe('image downloads: the DNS answer must be public too', () => {
  let server: net.Server;
  let port: number;
  let connections = 0;
  before(async () => {
    server = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  for (const [what, address, words] of [
    ['this computer', '127.0.0.1', 'this computer'],
    ['a cloud metadata service', '169.254.169.254', 'a link-local address'],
    ['a private network, IPv6', 'fd00::5', 'a private network address'],
  ] as const) {
    it(`a public name that resolves to ${what} is refused, and nothing connects`, async () => {
      const before = connections;
      const family = address.includes(':') ? 6 : 4;
      await assert.rejects(
        fetchImage(`https://images.example.test:${port}/a.png`, { resolve: answering([{ address, family }]), timeoutMs: 5000 }),
        (e: NanoError) => {
          assert.equal(e.kind, 'image');
          assert.equal(e.retryable, false);
          assert.equal(
            e.message,
            `The image host images.example.test resolves to ${words}${words === 'this computer' ? '' : words === 'a link-local address' ? ' (such as a cloud metadata service)' : ''} (${address}); refused, because only an API on this computer may send the extension to local or private addresses.`,
          );
          return true;
        },
      );
      assert.equal(connections, before, 'no connection reached the server on this computer');
    });
  }

  it('one private address among public ones is enough to refuse', async () => {
    await assert.rejects(
      fetchImage(`https://cdn.example.test:${port}/a.png`, {
        resolve: answering([
          { address: '93.184.216.34', family: 4 },
          { address: '10.0.0.7', family: 4 },
        ]),
      }),
      /resolves to a private network address \(10\.0\.0\.7\)/,
    );
  });

  it('public answers are handed to the connection as they came (all, or the first of the asked family)', async () => {
    const lookup = publicOnlyLookup(
      answering([
        { address: '2606:2800:220:1::1', family: 6 },
        { address: '93.184.216.34', family: 4 },
      ]),
    );
    const all = await new Promise<unknown>((resolve, reject) => lookup('cdn.example.test', { all: true }, (err, a) => (err ? reject(err) : resolve(a))));
    assert.deepEqual(all, [
      { address: '2606:2800:220:1::1', family: 6 },
      { address: '93.184.216.34', family: 4 },
    ]);
    const v4 = await new Promise<unknown[]>((resolve, reject) =>
      lookup('cdn.example.test', { family: 4 }, (err, a, f) => (err ? reject(err) : resolve([a, f]))),
    );
    assert.deepEqual(v4, ['93.184.216.34', 4]);
    const failed = await new Promise<Error | null>((resolve) =>
      publicOnlyLookup((_h, cb) => cb(Object.assign(new Error('nope'), { code: 'ENOTFOUND' }), []))('x.test', {}, resolve),
    );
    assert.equal((failed as NodeJS.ErrnoException).code, 'ENOTFOUND', 'a DNS failure stays a DNS failure');
  });
});
