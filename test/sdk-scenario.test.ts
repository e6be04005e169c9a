/**
 * One scenario, unchanged for every product: open the module with openModem (vendor
 * detected from +CGMI/ATI), attach, import a CA and a client identity, mutual TLS to a
 * node:tls server on loopback, 1 MB each way, the server's close seen as the end of the
 * stream, and a new connection after it. Products not in this build's model registry are
 * skipped, so each one runs as soon as its virtual module exists.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CIPHERS, type TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { echoRoundTrip } from './echo.testutil.js';
import { createModule, findModel, serveTcp, type TcpListener, type VirtualModule } from '@modemlab/module';
import { UnsupportedFeatureError, openModem, type CellularModem, type ModemVendor } from '@modemlab/sdk';
import { makePki, tlsServer, type TestPki } from '../packages/module/src/services/tls/tls.testutil.js';

const PRODUCTS: ReadonlyArray<{ model: string; vendor: ModemVendor }> = [
  { model: 'sara-r5', vendor: 'u-blox' },
  { model: 'sara-r410m', vendor: 'u-blox' },
  { model: 'ge910', vendor: 'telit' },
  { model: 'he910', vendor: 'telit' },
  { model: 'bc66', vendor: 'quectel' },
];

const MB = 1024 * 1024;

/**
 * The server every product can reach: TLS 1.0 to 1.3, Node's default suites plus the RSA
 * key-exchange AES suites of the Telit families (TLS 1.0 with SHA-1 needs SECLEVEL 0), and
 * a client certificate from the test CA required.
 */
const serverOptions = (pki: TestPki) => ({
  key: pki.server.key,
  cert: pki.server.cert,
  ca: pki.ca.cert,
  requestCert: true,
  rejectUnauthorized: true,
  minVersion: 'TLSv1' as const,
  ciphers: `${DEFAULT_CIPHERS}:AES256-SHA:AES128-SHA:AES256-SHA256:AES128-SHA256:@SECLEVEL=0`,
});

let pki: TestPki;
before(() => {
  pki = makePki();
});
after(() => pki.dispose());

for (const { model, vendor } of PRODUCTS) {
  const present = findModel(model) !== undefined;
  describe(`SDK scenario on a virtual ${model}`, { skip: present ? false : `${model} is not in this build's model registry`, timeout: 240_000 }, () => {
    let dir: string;
    let module: VirtualModule;
    let listener: TcpListener;
    let modem: CellularModem;
    let profile: number;
    const servers: Array<{ close(): Promise<void> }> = [];
    /** Client certificates the servers saw, by subject CN. */
    const peers: string[] = [];

    const server = async (onSecure: (s: TLSSocket) => void): Promise<number> => {
      const s = await tlsServer(serverOptions(pki), (socket) => {
        peers.push(String(socket.getPeerCertificate().subject?.CN ?? ''));
        onSecure(socket);
      });
      servers.push(s);
      return s.port;
    };

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), `modemlab-scenario-${model}-`));
      // The network registers at once, so attach finds it by its poll on every product (the
      // virtual Telit modules accept +CGREG=1 but do not report +CGREG URCs yet).
      module = await createModule({ model, stateDir: join(dir, 'state'), network: { registrationDelayMs: 0 }, log: () => {} });
      listener = await serveTcp(module, { host: '127.0.0.1', port: 0 });
      modem = await openModem({ url: `tcp://127.0.0.1:${listener.address.port}` });
      profile = modem.tls.profiles[0]!;
    });

    after(async () => {
      await modem?.close();
      await listener?.close();
      await module?.close();
      for (const s of servers) await s.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('detects the vendor and identifies the module', async () => {
      assert.equal(modem.vendor, vendor);
      const id = await modem.identify();
      assert.equal(id.manufacturer, module.model.identity.manufacturer);
      assert.equal(id.model, module.model.identity.model);
      assert.equal(id.revision, module.model.identity.revision);
      assert.match(id.imei, /^\d{15}$/);
    });

    it('attaches', async () => {
      const { ip } = await modem.attach({ timeoutMs: 30_000 });
      assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
    });

    it('imports a CA and a client identity', async () => {
      await modem.certificates.import('ca', 'labCA', pki.ca.cert);
      await modem.certificates.import('client-cert', 'labClient', pki.client.cert);
      await modem.certificates.import('private-key', 'labKey', pki.client.key);
      try {
        // Certificates are listed; a private key may be one the module never reveals (Telit).
        const kinds = (await modem.certificates.list()).map((e) => e.kind);
        for (const kind of ['ca', 'client-cert'] as const) assert.ok(kinds.includes(kind), `${kind} listed`);
      } catch (error) {
        // Modules without a store to list say so with a typed error.
        assert.ok(error instanceof UnsupportedFeatureError, String(error));
      }
      await modem.tls.configure(profile, { ca: 'labCA', clientCert: 'labClient', clientKey: 'labKey' });
    });

    it('sends and receives 1 MB over mutual TLS', async () => {
      const port = await server((s) => s.pipe(s));
      const socket = await modem.connect({ host: '127.0.0.1', port, tls: { profile } });
      try {
        const payload = randomBytes(MB);
        const back = await echoRoundTrip(socket, payload);
        assert.equal(back.length, payload.length);
        assert.ok(back.equals(payload), 'the echoed bytes are the bytes sent');
        assert.equal(peers.at(-1), 'modem-client');
      } finally {
        socket.destroy();
      }
    });

    it('sees the server closing as the end of the stream', async () => {
      const port = await server((s) => s.once('data', (d: Buffer) => s.end(Buffer.concat([Buffer.from('bye '), d]))));
      const socket = await modem.connect({ host: '127.0.0.1', port, tls: { profile } });
      try {
        socket.write('modem');
        let text = '';
        for await (const chunk of socket) text += (chunk as Buffer).toString('latin1');
        assert.equal(text, 'bye modem');
      } finally {
        socket.destroy();
      }
    });

    it('connects again after the remote close', async () => {
      const port = await server((s) => s.pipe(s));
      const socket = await modem.connect({ host: '127.0.0.1', port, tls: { profile } });
      try {
        const payload = randomBytes(4096);
        assert.ok((await echoRoundTrip(socket, payload)).equals(payload));
      } finally {
        socket.destroy();
      }
    });
  });
}
