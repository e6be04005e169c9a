/**
 * undici's `fetch` end to end through the SDK's connector: an undici Agent whose `connect`
 * is `modem.connector(...)`, so every connection undici opens is a module socket of a virtual
 * SARA-R5. HTTPS with the module doing TLS (profile 1, the lab CA, the server's name resolved
 * by the module's hosts table) against a real node:https server on loopback, keep-alive reuse,
 * a POST body, plain HTTP, and a refused port reaching `fetch` as the SDK's typed error.
 * (Node 20's global fetch takes no custom connect: this needs undici itself, a devDependency.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Agent, fetch } from 'undici';
import { createModule, serveTcp, type TcpListener, type VirtualModule } from '@modemlab/module';
import { ConnectionRefusedError, openModem, type UbloxModem } from '@modemlab/sdk';
import { makePki, type TestPki } from '../packages/module/src/services/tls/tls.testutil.js';

const listen = (server: NetServer, port = 0) => new Promise<number>((resolve) => server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
const close = (server: NetServer) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('undici fetch through the SDK connector (virtual SARA-R5)', { timeout: 120_000 }, () => {
  let dir: string;
  let pki: TestPki;
  let module: VirtualModule;
  let listener: TcpListener;
  let modem: UbloxModem;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'modemlab-undici-'));
    pki = makePki();
    module = await createModule({ model: 'sara-r5', stateDir: join(dir, 'state'), hosts: { 'server.lab': '127.0.0.1' }, network: { registrationDelayMs: 0 }, log: () => {} });
    listener = await serveTcp(module, { host: '127.0.0.1', port: 0 });
    modem = await openModem({ url: `tcp://127.0.0.1:${listener.address.port}`, vendor: 'u-blox' });
    await modem.attach({ timeoutMs: 30_000 });
    await modem.certificates.import('ca', 'labCA', pki.ca.cert);
    await modem.tls.configure(1, { ca: 'labCA' });
  });

  after(async () => {
    await modem?.close();
    await listener?.close();
    await module?.close();
    pki.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fetch over HTTPS: the module does TLS, undici speaks HTTP/1.1 and reuses the connection', async () => {
    const peers = new Set<string>();
    const server = createHttpsServer({ key: pki.server.key, cert: pki.server.cert }, (req, res) => {
      peers.add(`${req.socket.remoteAddress}:${req.socket.remotePort}`);
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => (body += d));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ method: req.method, url: req.url, body }));
      });
    });
    const port = await listen(server);
    let connects = 0;
    const connect = modem.connector({ tls: { profile: 1 } });
    const agent = new Agent({
      connect: ((opts: Parameters<typeof connect>[0], cb: Parameters<typeof connect>[1]) => {
        connects++;
        return connect(opts, cb);
      }) as never,
    });
    try {
      const one = await fetch(`https://server.lab:${port}/one?x=1`, { dispatcher: agent });
      assert.equal(one.status, 200);
      assert.equal(one.headers.get('content-type'), 'application/json');
      assert.deepEqual(await one.json(), { method: 'GET', url: '/one?x=1', body: '' });
      // undici validates an idle keep-alive socket for one setImmediate before reusing it
      // (GHSA-35p6-xmwp-9g52); a request sent before that opens a second connection.
      await new Promise((resolve) => setImmediate(resolve));
      const two = await fetch(`https://server.lab:${port}/two`, { method: 'POST', body: 'hello module', dispatcher: agent });
      assert.deepEqual(await two.json(), { method: 'POST', url: '/two', body: 'hello module' });
      // Keep-alive: both requests went over one module socket (one connect, one peer address).
      assert.equal(connects, 1);
      assert.equal(peers.size, 1);
    } finally {
      await agent.close();
      server.closeAllConnections();
      await close(server);
    }
  });

  it('fetch over plain HTTP through the same connector without TLS', async () => {
    const server = createHttpServer((req, res) => res.end(`plain ${req.url}`));
    const port = await listen(server);
    const agent = new Agent({ connect: modem.connector() as never });
    try {
      const res = await fetch(`http://server.lab:${port}/p`, { dispatcher: agent });
      assert.equal(await res.text(), 'plain /p');
    } finally {
      await agent.close();
      server.closeAllConnections();
      await close(server);
    }
  });

  it('a refused port rejects fetch with the typed error as its cause', async () => {
    const gone = createNetServer();
    const port = await listen(gone);
    await close(gone);
    const agent = new Agent({ connect: modem.connector({ tls: { profile: 1 } }) as never });
    try {
      const error = await fetch(`https://127.0.0.1:${port}/`, { dispatcher: agent }).then(
        () => assert.fail('fetch resolved'),
        (e: unknown) => e as Error & { cause?: unknown },
      );
      assert.equal(error.message, 'fetch failed');
      assert.ok(error.cause instanceof ConnectionRefusedError, String(error.cause));
    } finally {
      await agent.close();
    }
  });
});
