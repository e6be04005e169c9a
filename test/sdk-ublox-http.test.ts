import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { connectInProcess, createModule, serveTcp, type VirtualModule } from '@modemlab/module';
import { AtClient, ConnectionFailedError, DnsError, HttpRequestError, TlsHandshakeError, UbloxModem, openTransport } from '@modemlab/sdk';
import { freePort } from '../packages/module/src/services/sockets/peers.testutil.js';
import { startHttpServer, type TestHttpServer } from '../packages/module/src/testing/http-server.js';
import { makeServerPki, type ServerPki } from '../packages/module/src/testing/server-pki.js';

async function collect(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** modem.http against a virtual SARA-R5 and real HTTP(S) servers on loopback, on the system clock. */
for (const transport of ['in-process', 'tcp'] as const) {
  describe(`UbloxModem.http on a virtual SARA-R5 over ${transport}`, () => {
    let dir: string;
    let module: VirtualModule;
    let client: AtClient;
    let modem: UbloxModem;
    let plain: TestHttpServer;
    let secure: TestHttpServer;
    let pki: ServerPki;
    let stop: () => Promise<void> = async () => {};
    const big = randomBytes(300 * 1024);

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'modemlab-sdk-http-'));
      const handler = (req: { method: string; url: string; headers: Record<string, unknown>; body: Buffer }, res: import('node:http').ServerResponse) => {
        if (req.url === '/missing') {
          res.statusCode = 404;
          res.end('no such page');
          return;
        }
        if (req.url === '/big') {
          res.setHeader('Content-Type', 'application/octet-stream');
          res.end(big);
          return;
        }
        res.setHeader('Content-Type', 'application/json');
        res.setHeader('X-Seen-Header', String(req.headers['x-api-key'] ?? ''));
        res.end(JSON.stringify({ method: req.method, type: req.headers['content-type'] ?? null, length: req.body.length, sha: sha(req.body) }));
      };
      plain = await startHttpServer(handler);
      pki = makeServerPki({ serverName: 'secure.test' });
      secure = await startHttpServer(handler, { key: pki.serverKey, cert: pki.serverCert });
      module = await createModule({
        model: 'sara-r5',
        stateDir: join(dir, 'state'),
        hosts: { 'api.test': '127.0.0.1', 'secure.test': '127.0.0.1' },
        network: { registrationDelayMs: 50 },
        log: () => {},
      });
      if (transport === 'in-process') client = new AtClient(connectInProcess(module));
      else {
        const l = await serveTcp(module, { host: '127.0.0.1', port: 0 });
        stop = () => l.close();
        client = new AtClient(await openTransport({ url: `tcp://127.0.0.1:${l.address.port}` }));
      }
      modem = new UbloxModem(client);
      await modem.init();
      await modem.attach({ apn: 'internet', timeoutMs: 10_000 });
    });

    after(async () => {
      await client?.close();
      await stop();
      await module?.close();
      await plain?.close();
      await secure?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('GET: status, headers, and a body streamed back in +URDBLOCK blocks', async () => {
      await modem.http.configure(0, { host: 'api.test', port: plain.port });
      const small = await modem.http.request({ method: 'GET', path: '/hello', headers: { 'X-Api-Key': 'k1' } });
      assert.equal(small.status, 200);
      assert.equal(small.statusText, 'OK');
      assert.equal(small.headers['content-type'], 'application/json');
      assert.equal(small.headers['x-seen-header'], 'k1');
      assert.equal(JSON.parse((await collect(small.body)).toString()).method, 'GET');

      const res = await modem.http.request({ method: 'GET', path: '/big' });
      assert.equal(res.headers['content-length'], String(big.length));
      assert.ok((await collect(res.body)).equals(big), 'the whole body, in order');
      // Headers set for one request are cleared for the next.
      const again = await modem.http.request({ method: 'GET', path: '/hello' });
      assert.equal(again.headers['x-seen-header'], '');
      await collect(again.body);
    });

    it('POST inline data, PUT and POST bodies through a module file, HEAD and DELETE', async () => {
      await modem.http.configure(1, { host: 'api.test', port: plain.port });
      const post = await modem.http.request({ profile: 1, method: 'POST', path: '/json', body: '{"a":1}', headers: { 'Content-Type': 'application/json' } });
      assert.deepEqual(JSON.parse((await collect(post.body)).toString()), { method: 'POST', type: 'application/json', length: 7, sha: sha(Buffer.from('{"a":1}')) });

      const payload = randomBytes(100 * 1024);
      const put = await modem.http.request({ profile: 1, method: 'PUT', path: '/blob', body: payload, headers: { 'Content-Type': 'application/x-lab' } });
      assert.deepEqual(JSON.parse((await collect(put.body)).toString()), { method: 'PUT', type: 'application/x-lab', length: payload.length, sha: sha(payload) });
      const binPost = await modem.http.request({ profile: 1, method: 'POST', path: '/blob', body: Buffer.from([0, 1, 2, 0x22]) });
      assert.equal(JSON.parse((await collect(binPost.body)).toString()).length, 4);
      assert.deepEqual((await modem.files.list()).filter((f) => f.startsWith('sdk_http_body')), [], 'the body file is removed');

      const head = await modem.http.request({ profile: 1, method: 'HEAD', path: '/hello' });
      assert.equal(head.status, 200);
      assert.equal((await collect(head.body)).length, 0);
      const del = await modem.http.request({ profile: 1, method: 'DELETE', path: '/thing' });
      assert.equal(JSON.parse((await collect(del.body)).toString()).method, 'DELETE');
    });

    it('HTTPS through a security profile; 404 is a response; refused is a ConnectionFailedError caused by the HttpRequestError', async () => {
      await modem.certificates.import('ca', 'sdkHttpCA', pki.caPem);
      await modem.securityProfiles.configure(3, { validation: 1, rootCa: 'sdkHttpCA' });
      await modem.http.configure(2, { host: 'secure.test', port: secure.port, secure: { profile: 3 } });
      const res = await modem.http.request({ profile: 2, method: 'GET', path: '/hello' });
      assert.equal(res.status, 200);
      assert.equal(JSON.parse((await collect(res.body)).toString()).method, 'GET');

      const missing = await modem.http.request({ profile: 2, method: 'GET', path: '/missing' });
      assert.equal(missing.status, 404);
      assert.equal((await collect(missing.body)).toString(), 'no such page');

      await modem.http.configure(3, { host: 'api.test', port: await freePort() });
      // +UHTTPER 3,11 "server connection error": the module does not say refused, only failed.
      await assert.rejects(
        modem.http.request({ profile: 3, method: 'GET', path: '/' }),
        (e: unknown) => e instanceof ConnectionFailedError && e.operation === 'http' && e.host === 'api.test' && /\+UHTTPER: 3,3,11/.test(e.moduleReport) && e.cause instanceof HttpRequestError && e.cause.errorClass === 3 && e.cause.errorCode === 11,
      );
      // An unresolvable name: +UHTTPER 3,23, a DnsError.
      await modem.http.configure(3, { host: 'nowhere.invalid', port: 80 });
      await assert.rejects(modem.http.request({ profile: 3, method: 'GET', path: '/' }), (e: unknown) => e instanceof DnsError && e.host === 'nowhere.invalid');
      // A server the profile does not trust: +UHTTPER 3,73, a TlsHandshakeError.
      await modem.securityProfiles.configure(4, { validation: 1, rootCa: 'ubx_digicert_global_root_ca' });
      await modem.http.configure(3, { host: 'secure.test', port: secure.port, secure: { profile: 4 } });
      await assert.rejects(modem.http.request({ profile: 3, method: 'GET', path: '/' }), (e: unknown) => e instanceof TlsHandshakeError && e.kind === 'handshake');
    });
  });
}
