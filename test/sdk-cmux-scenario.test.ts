/**
 * The SDK scenario (sdk-scenario.test.ts) over a CMUX channel: open the module with
 * openModem({ mux }), then on channel 1 attach, import a CA and a client identity, mutual
 * TLS to a node:tls server on loopback with data both ways, the server's close seen as the
 * end of the stream; channel 2 answers AT commands meanwhile. For every product with +CMUX.
 * Channel 1 because Telit's secure socket belongs to the AT instance that enabled it
 * (#SSLEN), which the SDK's init does on the first channel.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CIPHERS, type TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { createModule, serveTcp, type TcpListener, type VirtualModule } from '@modemlab/module';
import { openModem, type CellularModem } from '@modemlab/sdk';
import { makePki, tlsServer, type TestPki } from '../packages/module/src/services/tls/tls.testutil.js';
import { echoRoundTrip } from './echo.testutil.js';

const PRODUCTS = ['sara-r5', 'sara-r410m', 'ge910', 'he910'];

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

for (const model of PRODUCTS) {
  describe(`SDK scenario over CMUX on a virtual ${model}`, { timeout: 240_000 }, () => {
    let dir: string;
    let module: VirtualModule;
    let listener: TcpListener;
    let control: CellularModem;
    let modem: CellularModem;
    const servers: Array<{ close(): Promise<void> }> = [];
    const server = async (onSecure: (s: TLSSocket) => void): Promise<number> => {
      const s = await tlsServer(serverOptions(pki), onSecure);
      servers.push(s);
      return s.port;
    };

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), `modemlab-cmux-scenario-${model}-`));
      module = await createModule({ model, stateDir: join(dir, 'state'), network: { registrationDelayMs: 0 }, log: () => {} });
      listener = await serveTcp(module, { host: '127.0.0.1', port: 0 });
      // N1 1509: the largest frame the products take, so bulk data is not cut into 31-byte frames.
      const opened: CellularModem[] = await openModem({ url: `tcp://127.0.0.1:${listener.address.port}`, mux: { channels: 2, n1: 1509 } });
      [modem, control] = [opened[0]!, opened[1]!];
    });

    after(async () => {
      await modem?.close();
      await control?.close();
      await listener?.close();
      await module?.close();
      for (const s of servers) await s.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('identifies the module on both channels', async () => {
      const [a, b] = await Promise.all([control.identify(), modem.identify()]);
      assert.deepEqual(a, b);
      assert.equal(a.model, module.model.identity.model);
    });

    it('attaches and imports a CA and a client identity on channel 1', async () => {
      await modem.attach({ timeoutMs: 30_000 });
      await modem.certificates.import('ca', 'labCA', pki.ca.cert);
      await modem.certificates.import('client-cert', 'labClient', pki.client.cert);
      await modem.certificates.import('private-key', 'labKey', pki.client.key);
      await modem.tls.configure(modem.tls.profiles[0]!, { ca: 'labCA', clientCert: 'labClient', clientKey: 'labKey' });
    });

    it('echoes 256 KB over mutual TLS on channel 1 while channel 2 answers', async () => {
      const port = await server((s) => s.pipe(s));
      const socket = await modem.connect({ host: '127.0.0.1', port, tls: { profile: modem.tls.profiles[0]! } });
      try {
        const payload = randomBytes(256 * 1024);
        const trip = echoRoundTrip(socket, payload);
        const id = await control.identify();
        const back = await trip;
        assert.ok(back.equals(payload), 'the echoed bytes are the bytes sent');
        assert.equal(id.model, module.model.identity.model);
      } finally {
        socket.destroy();
      }
    });

    it("sees the server's close as the end of the stream", async () => {
      const port = await server((s) => s.once('data', (d: Buffer) => s.end(Buffer.concat([Buffer.from('bye '), d]))));
      const socket = await modem.connect({ host: '127.0.0.1', port, tls: { profile: modem.tls.profiles[0]! } });
      try {
        socket.write('modem');
        let text = '';
        for await (const chunk of socket) text += (chunk as Buffer).toString('latin1');
        assert.equal(text, 'bye modem');
      } finally {
        socket.destroy();
      }
    });
  });
}
