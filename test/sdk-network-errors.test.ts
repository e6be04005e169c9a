/**
 * Typed network errors from every vendor's driver against a virtual module and real peers on
 * loopback: a refused port, a server signed by a CA the module does not trust, a wrong host
 * name (u-blox: the only product with a name check), TLS to a plain port, a name the network
 * cannot resolve; and the busy module. Each error carries what the module reported.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CIPHERS } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { createModule, serveTcp, type TcpListener, type VirtualModule } from '@modemlab/module';
import {
  ConnectionFailedError,
  ConnectionRefusedError,
  DnsError,
  ModuleBusyError,
  TlsHandshakeError,
  openModem,
  type AnyModem,
  type ModemNetworkError,
  type ModemVendor,
  type TlsFailureKind,
} from '@modemlab/sdk';
import { makePki, tlsServer, type Issued, type TestPki } from '../packages/module/src/services/tls/tls.testutil.js';

interface Expect {
  model: string;
  vendor: ModemVendor;
  /** The class a refused port gives: only u-blox names the errno. */
  refused: typeof ConnectionRefusedError | typeof ConnectionFailedError;
  unknownCa: TlsFailureKind;
  plainPort: TlsFailureKind;
  /** The report's shape. */
  report: RegExp;
}

const PRODUCTS: readonly Expect[] = [
  { model: 'sara-r5', vendor: 'u-blox', refused: ConnectionRefusedError, unknownCa: 'handshake', plainPort: 'handshake', report: /^\+USOCTL: \d,1,\d+$/ },
  { model: 'ge910', vendor: 'telit', refused: ConnectionFailedError, unknownCa: 'handshake', plainPort: 'handshake', report: /^\+CME ERROR: / },
  { model: 'bc66', vendor: 'quectel', refused: ConnectionFailedError, unknownCa: 'certificate', plainPort: 'protocol', report: /^\+QSSLOPEN: 1,\d,-\d/ },
];

/** TLS 1.0-1.3 with the RSA AES suites the Telit families have. */
const serverOptions = (id: Issued) => ({ key: id.key, cert: id.cert, minVersion: 'TLSv1' as const, ciphers: `${DEFAULT_CIPHERS}:AES256-SHA:AES128-SHA:@SECLEVEL=0` });

const listen = (server: ReturnType<typeof createServer>) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

let pki: TestPki;
const closers: Array<() => Promise<void> | void> = [];
let goodPort: number;
let unknownCaPort: number;
let plainPort: number;
let refusedPort: number;

before(async () => {
  pki = makePki();
  const good = await tlsServer(serverOptions(pki.server), (s) => s.pipe(s));
  const unknown = await tlsServer(serverOptions(pki.unknown));
  goodPort = good.port;
  unknownCaPort = unknown.port;
  closers.push(() => good.close(), () => unknown.close());
  // A plain service that speaks first, as FTP or SMTP do: its banner is no TLS record.
  const plain = createServer((s) => {
    s.on('error', () => {});
    s.end('220 plain service\r\n');
  });
  plainPort = await listen(plain);
  closers.push(() => void plain.close());
  // A port nothing listens on.
  const gone = createServer();
  refusedPort = await listen(gone);
  await new Promise<void>((resolve) => gone.close(() => resolve()));
});

after(async () => {
  for (const close of closers) await close();
  pki.dispose();
});

for (const p of PRODUCTS) {
  describe(`typed network errors on a virtual ${p.model}`, { timeout: 120_000 }, () => {
    let dir: string;
    let module: VirtualModule;
    let listener: TcpListener;
    let modem: AnyModem;
    let profile: number;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), `modemlab-neterr-${p.model}-`));
      module = await createModule({ model: p.model, stateDir: join(dir, 'state'), hosts: { 'server.lab': '127.0.0.1', 'wrong.lab': '127.0.0.1' }, network: { registrationDelayMs: 0 }, log: () => {} });
      listener = await serveTcp(module, { host: '127.0.0.1', port: 0 });
      modem = await openModem({ url: `tcp://127.0.0.1:${listener.address.port}`, vendor: p.vendor });
      await modem.attach({ timeoutMs: 30_000 });
      profile = modem.tls.profiles[0]!;
      await modem.certificates.import('ca', 'labCA', pki.ca.cert);
      await modem.tls.configure(profile, { ca: 'labCA' });
    });

    after(async () => {
      await modem?.close();
      await listener?.close();
      await module?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const failure = async (host: string, port: number): Promise<ModemNetworkError> => {
      const error = await modem.connect({ host, port, tls: { profile } }).then(
        (s) => {
          s.destroy();
          return undefined;
        },
        (e: unknown) => e,
      );
      assert.ok(error instanceof Error && 'moduleReport' in error, `a typed network error, got ${String(error)}`);
      return error as ModemNetworkError;
    };

    it('a refused port', async () => {
      const e = await failure('127.0.0.1', refusedPort);
      assert.ok(e instanceof p.refused, `${e.name}: ${e.message}`);
      assert.equal(e.port, refusedPort);
      assert.match(e.moduleReport, p.report);
      if (p.vendor === 'u-blox') assert.match(e.moduleReport, /,111$/);
    });

    it('a server signed by a CA the module does not trust', async () => {
      const e = await failure('127.0.0.1', unknownCaPort);
      assert.ok(e instanceof TlsHandshakeError, `${e.name}: ${e.message}`);
      assert.equal(e.kind, p.unknownCa);
      assert.match(e.moduleReport, p.report);
    });

    it('TLS to a plain port', async () => {
      const e = await failure('127.0.0.1', plainPort);
      assert.ok(e instanceof TlsHandshakeError, `${e.name}: ${e.message}`);
      assert.equal(e.kind, p.plainPort);
    });

    it('a name the network cannot resolve', async () => {
      const e = await failure('nowhere.invalid', goodPort);
      assert.ok(e instanceof DnsError, `${e.name}: ${e.message}`);
      assert.equal(e.host, 'nowhere.invalid');
      assert.equal(e.operation, 'connect');
    });

    if (p.vendor === 'u-blox') {
      it('a server whose certificate names another host (validation level 2)', async () => {
        await modem.tls.configure(profile, { ca: 'labCA', hostname: 'wrong.lab' });
        try {
          const e = await failure('wrong.lab', goodPort);
          assert.ok(e instanceof TlsHandshakeError, `${e.name}: ${e.message}`);
          assert.equal(e.kind, 'handshake');
        } finally {
          await modem.tls.configure(profile, { ca: 'labCA' });
        }
      });
    }

    it('still connects after the failures (createConnection: pending, then connect with the address fields)', async () => {
      const socket = modem.createConnection({ host: '127.0.0.1', port: goodPort, tls: { profile } });
      assert.equal(socket.connecting, true);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
      assert.equal(socket.connecting, false);
      assert.equal(socket.remoteAddress, '127.0.0.1');
      assert.equal(socket.remotePort, goodPort);
      assert.match(socket.localAddress ?? '', /^\d+\.\d+\.\d+\.\d+$/);
      try {
        // The module has no half-close: write, read the echo, then close.
        const echoed = new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString())));
        socket.write('ping');
        assert.equal(await echoed, 'ping');
      } finally {
        socket.destroy();
      }
    });

    if (p.vendor === 'u-blox') {
      it('a second client of the module gets ModuleBusyError with the module\'s words', async () => {
        await assert.rejects(openModem({ url: `tcp://127.0.0.1:${listener.address.port}` }), (e: unknown) => e instanceof ModuleBusyError && /busy, another client is attached/.test(e.reason));
        // The first client is untouched.
        assert.equal((await modem.client.send('AT')).final, 'OK');
      });
    }
  });
}
