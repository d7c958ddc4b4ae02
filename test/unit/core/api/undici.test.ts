/**
 * The undici subset (src/core/api/undici.ts requires single files, not the package root): a request
 * through an http proxy still works, which needs the CONNECT API on the proxy's client. Real
 * servers on 127.0.0.1: a target and a CONNECT proxy that counts what it tunnels.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { Agent, ProxyAgent, request } from '../../../../src/core/api/undici';

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

describe('core/api/undici (the subset the bundle carries)', () => {
  let target: http.Server;
  let proxy: http.Server;
  let targetPort: number;
  let proxyPort: number;
  const tunnels: string[] = [];
  before(async () => {
    target = http.createServer((req, res) => res.end(`hello ${req.url}`));
    proxy = http.createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    [targetPort, proxyPort] = await Promise.all([listen(target), listen(proxy)]);
  });
  after(async () => {
    await new Promise((r) => target.close(r));
    await new Promise((r) => proxy.close(r));
  });

  it('a request through an http proxy is tunnelled with CONNECT and answered', async () => {
    const via = new ProxyAgent(`http://127.0.0.1:${proxyPort}`);
    try {
      const res = await request(`http://127.0.0.1:${targetPort}/a?b=1`, { dispatcher: via });
      assert.equal(res.statusCode, 200);
      assert.equal(await res.body.text(), 'hello /a?b=1');
      assert.deepEqual(tunnels, [`127.0.0.1:${targetPort}`]);
    } finally {
      await via.close();
    }
  });

  it('a plain Agent and the global dispatcher answer too', async () => {
    const agent = new Agent();
    try {
      assert.equal(await (await request(`http://127.0.0.1:${targetPort}/x`, { dispatcher: agent })).body.text(), 'hello /x');
    } finally {
      await agent.close();
    }
    assert.equal(await (await request(`http://127.0.0.1:${targetPort}/y`)).body.text(), 'hello /y');
  });
});
