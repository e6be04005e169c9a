import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { ublox } from '../../dialects/ublox/ublox.testutil.js';
import type { ModuleHarness } from '../../testing/harness.js';
import { ServiceError } from '../errors.js';
import { makePki, type TestPki } from '../tls/tls.testutil.js';
import type { Dialer } from './dialer.js';
import { SocketError } from './errors.js';
import { problemOfCode } from '../tls/tls-problem.js';

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

const dialerOf = (h: ModuleHarness): Dialer => h.module.services.dialer;

/** Rejects with a SocketError matching `expected`. */
async function fails(p: Promise<unknown>, expected: { errno: string; tls?: string }): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof SocketError, String(e));
    assert.deepEqual({ errno: e.errno, ...(e.tls ? { tls: e.tls } : {}) }, expected);
    return true;
  });
}

describe('Dialer: the one way out of the module', () => {
  let pki: TestPki;
  before(() => {
    pki = makePki();
  });
  after(() => pki.dispose());

  it('routes through the lab forwards yet reports the address and port asked for', async () => {
    const server = createServer((s) => s.on('error', () => {}).end('hi'));
    const port = await listen(server);
    const h = await ublox({ forwards: { '192.0.2.80:443': `127.0.0.1:${port}` }, hosts: { 'api.test': '192.0.2.80' } });
    try {
      const conn = await dialerOf(h).connect({ host: 'api.test', port: 443 });
      assert.deepEqual({ address: conn.address, port: conn.port }, { address: '192.0.2.80', port: 443 });
      assert.equal(conn.raw.remotePort, port);
      conn.stream.destroy();
    } finally {
      await h.close();
      server.close();
    }
  });

  it("maps failures to errno and the module's DNS and data-path errors; nothing changes", async () => {
    const closed = createServer();
    const refused = await listen(closed);
    closed.close();
    await once(closed, 'close');
    const h = await ublox();
    try {
      const dialer = dialerOf(h);
      await fails(dialer.connect({ host: '127.0.0.1', port: refused }), { errno: 'ECONNREFUSED' });
      await fails(dialer.connect({ host: 'nothing.invalid', port: 80 }), { errno: 'DNS_NOT_FOUND' });
    } finally {
      await h.close();
    }
    const off = await ublox({ registered: false });
    try {
      await assert.rejects(dialerOf(off).connect({ host: '127.0.0.1', port: refused }), (e: unknown) => e instanceof ServiceError && e.reason === 'not-registered');
    } finally {
      await off.close();
    }
  });

  it('types TLS failures: a plain port, no common version, an unknown CA', async () => {
    const plain = createServer((s) => s.on('data', () => s.write('220 not TLS\r\n')).on('error', () => {}));
    const tls13 = createTlsServer({ key: pki.server.key, cert: pki.server.cert, minVersion: 'TLSv1.3' }, (s) => s.on('error', () => {}));
    tls13.on('tlsClientError', () => {});
    const [plainPort, tls13Port] = [await listen(plain), await listen(tls13)];
    const h = await ublox();
    try {
      const dialer = dialerOf(h);
      const profiles = h.module.services.securityProfiles;
      profiles.set(0, 'validation', 0);
      await fails(dialer.connect({ host: '127.0.0.1', port: plainPort, secure: { profileId: 0 } }), { errno: 'EPROTO', tls: 'not-tls' });
      profiles.set(1, 'validation', 0);
      profiles.setIanaCipher(1, 0x002f);
      await fails(dialer.connect({ host: '127.0.0.1', port: tls13Port, secure: { profileId: 1 } }), { errno: 'EPROTO', tls: 'protocol-version' });
      await fails(dialer.connect({ host: '127.0.0.1', port: tls13Port, secure: { profileId: 2 } }), { errno: 'EPROTO', tls: 'unknown-ca' });
    } finally {
      await h.close();
      plain.close();
      tls13.close();
    }
  });

  it("reads OpenSSL's reason codes, never its text", () => {
    assert.equal(problemOfCode('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'), 'handshake-failure');
    assert.equal(problemOfCode('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION'), 'protocol-version');
    assert.equal(problemOfCode('ERR_SSL_WRONG_VERSION_NUMBER'), 'not-tls');
    assert.equal(problemOfCode('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'), 'certificate-rejected');
    assert.equal(problemOfCode('ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR'), 'alert');
    assert.equal(problemOfCode('ECONNRESET'), 'protocol');
    assert.equal(problemOfCode(undefined), 'protocol');
  });
});
