import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { constants } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as netServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { ManualClock } from '@modemlab/at';
import { saraR4Tls, saraR5Tls, type TlsTable } from '../../models/tls-table.js';
import { NvmStore } from '../../nvm/store.js';
import { SecurityProfiles } from './profiles.js';
import { TlsFailure, TlsService } from './tls-service.js';
import { makePki, MemoryCredentials, silentServer, tcp, tlsServer, type TestPki } from './tls.testutil.js';

let pki: TestPki;
before(() => {
  pki = makePki();
});
after(() => pki.dispose());

/** A TLS service on its own NVM, with the test CA imported as "test-ca". */
function rig(table: TlsTable = saraR5Tls, clock = new ManualClock(Date.now())) {
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-tls-'));
  const profiles = new SecurityProfiles(new NvmStore(dir), table);
  const creds = new MemoryCredentials();
  creds.cas.set('test-ca', pki.ca.cert);
  const svc = new TlsService(table, creds, profiles, clock);
  return {
    profiles,
    creds,
    svc,
    clock,
    async open(port: number, host = 'localhost', profileId = 0): Promise<TLSSocket> {
      return svc.connect({ profileId, host, port, socket: await tcp(port) });
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** 'ok', or the failure's reason/detail. */
async function outcome(p: Promise<TLSSocket>): Promise<string> {
  try {
    await end(await p);
    return 'ok';
  } catch (err) {
    if (!(err instanceof TlsFailure)) throw err;
    return err.detail ? `${err.reason}/${err.detail}` : err.reason;
  }
}

/** Destroys a client socket and waits for its 'close' (which frees its session). */
async function end(s: TLSSocket): Promise<void> {
  const closed = once(s, 'close');
  s.destroy();
  await closed;
}

describe('TlsService: validation matrix against real servers', () => {
  it('levels 0-3 × trusted, unknown CA, expired, not yet valid, wrong host name, pin match, pin mismatch', async () => {
    const servers = {
      trusted: await tlsServer({ key: pki.server.key, cert: pki.server.cert }),
      unknown: await tlsServer({ key: pki.unknown.key, cert: pki.unknown.cert }),
      expired: await tlsServer({ key: pki.expired.key, cert: pki.expired.cert }),
      notYetValid: await tlsServer({ key: pki.notYetValid.key, cert: pki.notYetValid.cert }),
    };
    const r = rig();
    r.creds.servers.set('pinned', pki.server.cert);
    r.creds.servers.set('other', pki.iot.cert);
    type Case = { server: keyof typeof servers; setup?: () => void };
    const cases: Record<string, Case> = {
      trusted: { server: 'trusted' },
      'unknown CA': { server: 'unknown' },
      expired: { server: 'expired' },
      'not yet valid': { server: 'notYetValid' },
      'wrong host name': { server: 'trusted', setup: () => r.profiles.set(0, 'serverHostname', 'wrong.example.test') },
      'pin match': { server: 'trusted', setup: () => r.profiles.setPinning(0, { certificate: 'pinned', level: 2 }) },
      'pin mismatch': { server: 'trusted', setup: () => r.profiles.setPinning(0, { certificate: 'other', level: 2 }) },
    };
    const expected: Record<string, string[]> = {
      trusted: ['ok', 'ok', 'ok', 'ok'],
      'unknown CA': ['ok', 'verification/unknown-ca', 'verification/unknown-ca', 'verification/unknown-ca'],
      expired: ['ok', 'ok', 'ok', 'verification/expired'],
      'not yet valid': ['ok', 'ok', 'ok', 'verification/not-yet-valid'],
      'wrong host name': ['ok', 'ok', 'verification/hostname', 'verification/hostname'],
      'pin match': ['ok', 'ok', 'ok', 'ok'],
      'pin mismatch': ['verification/pin-mismatch', 'verification/pin-mismatch', 'verification/pin-mismatch', 'verification/pin-mismatch'],
    };
    const got: Record<string, string[]> = {};
    for (const [name, c] of Object.entries(cases)) {
      got[name] = [];
      for (let level = 0; level <= 3; level++) {
        r.profiles.reset(0);
        r.profiles.set(0, 'validation', level);
        c.setup?.();
        got[name]!.push(await outcome(r.open(servers[c.server].port)));
      }
    }
    assert.deepEqual(got, expected);
    assert.equal(r.svc.activeSessions, 0);
    for (const s of Object.values(servers)) await s.close();
    r.dispose();
  });

  it('checks the chain through an intermediate the server sends, and refuses it without', async () => {
    const withChain = await tlsServer({ key: pki.viaIntermediate.key, cert: pki.viaIntermediate.cert + pki.intermediate.cert });
    const leafOnly = await tlsServer({ key: pki.viaIntermediate.key, cert: pki.viaIntermediate.cert });
    const r = rig();
    r.profiles.set(0, 'validation', 3);
    assert.equal(await outcome(r.open(withChain.port)), 'ok');
    assert.equal(await outcome(r.open(leafOnly.port)), 'verification/unknown-ca');
    await withChain.close();
    await leafOnly.close();
    r.dispose();
  });

  it('uses the named root only (op 3), the host or op 4 for the name, IP addresses against IP SANs', async () => {
    const srv = await tlsServer({ key: pki.server.key, cert: pki.server.cert });
    const r = rig();
    r.creds.cas.set('other-ca', pki.otherCa.cert);
    r.profiles.set(0, 'validation', 2);
    r.profiles.set(0, 'rootCa', 'other-ca');
    assert.equal(await outcome(r.open(srv.port)), 'verification/unknown-ca', 'only the named root counts');
    r.profiles.set(0, 'rootCa', 'missing');
    assert.equal(await outcome(r.open(srv.port)), 'verification/ca-not-found');
    r.profiles.set(0, 'rootCa', 'test-ca');
    assert.equal(await outcome(r.open(srv.port, '127.0.0.1')), 'ok', 'IP SAN');
    assert.equal(await outcome(r.open(srv.port, 'broker.example.test')), 'verification/hostname');
    r.profiles.set(0, 'serverHostname', 'alt.example.test');
    assert.equal(await outcome(r.open(srv.port, 'broker.example.test')), 'ok', 'op 4 wins over the host');
    await srv.close();
    r.dispose();
  });

  it('pins by public key information (0) and key bytes (1) across a re-issued certificate, not by certificate (2)', async () => {
    const srv = await tlsServer({ key: pki.serverReissued.key, cert: pki.serverReissued.cert });
    const r = rig();
    r.creds.servers.set('old', pki.server.cert);
    const results: string[] = [];
    for (const level of [0, 1, 2]) {
      r.profiles.setPinning(0, { certificate: 'old', level });
      results.push(await outcome(r.open(srv.port)));
    }
    assert.deepEqual(results, ['ok', 'ok', 'verification/pin-mismatch']);
    r.profiles.setPinning(0, { certificate: 'nowhere', level: 0 });
    assert.equal(await outcome(r.open(srv.port)), 'verification/pin-not-found');
    await srv.close();
    r.dispose();
  });

  it('picks the trusted roots from the database op 16 selects', async () => {
    const srv = await tlsServer({ key: pki.server.key, cert: pki.server.cert });
    const r = rig();
    r.creds.cas.clear();
    r.creds.preinstalled.set('ubx_test_root', pki.ca.cert);
    r.profiles.set(0, 'validation', 1);
    const results: string[] = [];
    for (const db of [0, 1, 2]) {
      r.profiles.set(0, 'database', db);
      results.push(await outcome(r.open(srv.port)));
    }
    assert.deepEqual(results, ['ok', 'verification/unknown-ca', 'ok']);
    await srv.close();
    r.dispose();
  });
});

describe('TlsService: what the profile negotiates', () => {
  it('selects suites by legacy number, IANA code and IANA list, as the server sees them', async () => {
    let seen: (v: string) => void = () => {};
    const srv = await tlsServer({ key: pki.server.key, cert: pki.server.cert, ciphers: 'ALL' }, (s) => seen(`${s.getCipher().standardName} ${s.getProtocol()}`));
    const r = rig();
    r.profiles.set(0, 'validation', 0);
    const negotiated = async () => {
      const onServer = new Promise<string>((resolve) => (seen = resolve));
      const s = await r.open(srv.port);
      const result = await onServer;
      await end(s);
      return result;
    };
    r.profiles.setLegacyCipher(0, 2);
    assert.equal(await negotiated(), 'TLS_RSA_WITH_AES_128_CBC_SHA256 TLSv1.2');
    r.profiles.setLegacyCipher(0, 32);
    assert.equal(await negotiated(), 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 TLSv1.2');
    r.profiles.setIanaCipher(0, 0xc030);
    assert.equal(await negotiated(), 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 TLSv1.2');
    r.profiles.setIanaCipher(0, 0x1302);
    assert.equal(await negotiated(), 'TLS_AES_256_GCM_SHA384 TLSv1.3');
    r.profiles.changeCipherList(0, 0x009d, 'add');
    r.profiles.changeCipherList(0, 0xc02b, 'add');
    assert.equal(await negotiated(), 'TLS_RSA_WITH_AES_256_GCM_SHA384 TLSv1.2', 'the only listed suite an RSA server can use');
    r.profiles.setLegacyCipher(0, 0);
    assert.match(await negotiated(), /TLSv1\.3$/, 'the default list allows TLS 1.3');
    r.profiles.set(0, 'tlsVersion', 3);
    r.profiles.changeCipherList(0, 0xc02f, 'add');
    assert.equal(await negotiated(), 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 TLSv1.2');
    await srv.close();
    r.dispose();
  });

  it('speaks TLS 1.0 to a security-level-0 server when op 1 allows it, and refuses it at op 1 = 3', async () => {
    let protocol = '';
    const srv = await tlsServer({ key: pki.server.key, cert: pki.server.cert, minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' }, (s) => {
      protocol = s.getProtocol() ?? '';
    });
    const r = rig();
    r.profiles.set(0, 'validation', 0);
    r.profiles.set(0, 'tlsVersion', 1);
    r.profiles.setLegacyCipher(0, 24);
    await end(await r.open(srv.port));
    assert.equal(protocol, 'TLSv1');
    r.profiles.set(0, 'tlsVersion', 3);
    assert.match(await outcome(r.open(srv.port)), /^handshake/);
    await srv.close();
    r.dispose();
  });

  it('uses the PSK and identity (ASCII or hex), and fails with a wrong key', async () => {
    const key = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    let identity = '';
    const srv = await tlsServer({
      ciphers: 'PSK-AES128-GCM-SHA256:PSK-AES128-CBC-SHA256',
      maxVersion: 'TLSv1.2',
      pskIdentityHint: 'modemlab',
      pskCallback: (_s, id) => {
        identity = id;
        return id === 'device-1' || id === 'DEV2' ? key : null;
      },
    });
    const r = rig();
    r.profiles.setLegacyCipher(0, 16);
    r.profiles.setPsk(0, 'psk', { value: key.toString('hex'), hex: true });
    r.profiles.setPsk(0, 'pskIdentity', { value: 'device-1', hex: false });
    const s = await r.open(srv.port);
    assert.equal(s.getCipher().standardName, 'TLS_PSK_WITH_AES_128_GCM_SHA256');
    assert.equal(identity, 'device-1', 'validation level 1 does not apply: a PSK server sends no certificate');
    await end(s);
    r.profiles.setPsk(0, 'pskIdentity', { value: Buffer.from('DEV2').toString('hex'), hex: true });
    r.profiles.setLegacyCipher(0, 12);
    await end(await r.open(srv.port));
    assert.equal(identity, 'DEV2');
    r.profiles.setPsk(0, 'psk', { value: 'not the key', hex: false });
    assert.match(await outcome(r.open(srv.port)), /^handshake/);
    await srv.close();
    r.dispose();
  });

  it('interoperates with openssl s_server -psk', async () => {
    const port = await freePort();
    const server = spawn('openssl', ['s_server', '-accept', String(port), '-nocert', '-psk', 'a1b2c3d4e5f60718', '-psk_identity', 'modem', '-cipher', 'PSK-AES256-CBC-SHA', '-tls1_2', '-quiet'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    try {
      await waitForPort(port);
      const r = rig();
      r.profiles.setLegacyCipher(0, 7);
      r.profiles.setPsk(0, 'psk', { value: 'a1b2c3d4e5f60718', hex: true });
      r.profiles.setPsk(0, 'pskIdentity', { value: 'modem', hex: false });
      const s = await r.open(port);
      assert.equal(s.getCipher().standardName, 'TLS_PSK_WITH_AES_256_CBC_SHA');
      s.write('hello s_server\n');
      const [data] = (await once(server.stdout!, 'data')) as [Buffer];
      assert.match(data.toString(), /hello s_server/);
      await end(s);
      r.dispose();
    } finally {
      server.kill();
    }
  });

  it('negotiates the ALPN protocol of op 15', async () => {
    const srv = await tlsServer({ key: pki.server.key, cert: pki.server.cert, ALPNProtocols: ['h2', 'x-amzn-mqtt-ca'] });
    const r = rig();
    r.profiles.set(0, 'validation', 0);
    r.profiles.set(0, 'alpn', 'x-amzn-mqtt-ca');
    const s = await r.open(srv.port);
    assert.equal(s.alpnProtocol, 'x-amzn-mqtt-ca');
    await end(s);
    await srv.close();
    r.dispose();
  });

  it('sends op 10 as SNI and the server picks its certificate by it; no SNI without op 10', async () => {
    const names: (string | undefined)[] = [];
    const { createSecureContext } = await import('node:tls');
    const iot = createSecureContext({ key: pki.iot.key, cert: pki.iot.cert });
    const srv = await tlsServer({
      key: pki.server.key,
      cert: pki.server.cert,
      SNICallback: (name, cb) => {
        names.push(name);
        cb(null, name === 'iot.example.test' ? iot : undefined);
      },
    });
    const r = rig();
    r.profiles.set(0, 'validation', 2);
    r.profiles.set(0, 'serverHostname', 'iot.example.test');
    r.profiles.set(0, 'sni', 'iot.example.test');
    assert.equal(await outcome(r.open(srv.port, '127.0.0.1')), 'ok');
    r.profiles.set(0, 'sni', '');
    assert.equal(await outcome(r.open(srv.port, 'iot.example.test')), 'verification/hostname', 'u-blox sends no SNI by itself: the default certificate comes');
    assert.deepEqual(names, ['iot.example.test']);
    await srv.close();
    r.dispose();
  });

  it('presents the client certificate and key of ops 5-7 for mutual TLS', async () => {
    let peer = '';
    const srv = await tlsServer({ key: pki.server.key, cert: pki.server.cert, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true, maxVersion: 'TLSv1.2' }, (s) => {
      peer = s.getPeerX509Certificate()?.subject ?? '';
    });
    const r = rig();
    const { createPrivateKey } = await import('node:crypto');
    const encrypted = createPrivateKey(pki.client.key).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }) as string;
    r.creds.clients.set('cc', pki.client.cert);
    r.creds.keys.set('pk', { pem: encrypted, password: 'secret' });
    r.profiles.set(0, 'clientCert', 'cc');
    r.profiles.set(0, 'clientKey', 'pk');
    r.profiles.set(0, 'clientKeyPassword', 'wrong');
    assert.equal(await outcome(r.open(srv.port)), 'handshake/credentials');
    r.profiles.set(0, 'clientKeyPassword', 'secret');
    await end(await r.open(srv.port));
    assert.equal(peer, 'CN=modem-client');
    r.profiles.set(0, 'clientCert', '');
    assert.match(await outcome(r.open(srv.port)), /^handshake|^closed/, 'the server wants a certificate');
    await srv.close();
    r.dispose();
  });
});

describe('TlsService: failures and limits', () => {
  it('fails cleanly for suites it cannot run (RC4, 3DES, NULL, anonymous) and destroys the socket', async () => {
    const srv = await tlsServer({ key: pki.server.key, cert: pki.server.cert });
    const r = rig();
    for (const select of [() => r.profiles.setIanaCipher(0, 0xc011), () => r.profiles.setLegacyCipher(0, 5), () => r.profiles.setIanaCipher(0, 0xc010), () => r.profiles.setIanaCipher(0, 0x0034)]) {
      select();
      const socket = await tcp(srv.port);
      await assert.rejects(r.svc.connect({ profileId: 0, host: 'localhost', port: srv.port, socket }), (e: TlsFailure) => e.reason === 'handshake' && e.detail === 'no-cipher');
      assert.ok(socket.destroyed);
    }
    r.profiles.set(0, 'tlsVersion', 4);
    r.profiles.setLegacyCipher(0, 2);
    assert.equal(await outcome(r.open(srv.port)), 'handshake/no-cipher', 'a TLS 1.2 suite with TLS 1.3 only');
    assert.equal(r.svc.activeSessions, 0);
    await srv.close();
    r.dispose();
  });

  it('caps concurrent secure connections at the product limit', async () => {
    const srv = await tlsServer({ key: pki.server.key, cert: pki.server.cert });
    const r = rig();
    r.profiles.set(0, 'validation', 0);
    const open: TLSSocket[] = [];
    for (let i = 0; i < saraR5Tls.maxConcurrentSessions; i++) open.push(await r.open(srv.port));
    assert.equal(r.svc.activeSessions, 4);
    const socket = await tcp(srv.port);
    await assert.rejects(r.svc.connect({ profileId: 0, host: 'localhost', port: srv.port, socket }), (e: TlsFailure) => e.reason === 'session-cap');
    await end(open.pop()!);
    open.push(await r.open(srv.port));
    for (const s of open) await end(s);
    assert.equal(r.svc.activeSessions, 0);
    await srv.close();
    r.dispose();

    const r4 = rig(saraR4Tls);
    assert.equal(r4.svc.table.maxConcurrentSessions, 2);
    r4.dispose();
  });

  it('aborts a handshake after 60 s of module time without a packet', async () => {
    const srv = await silentServer();
    const clock = new ManualClock(Date.now());
    const r = rig(saraR5Tls, clock);
    const pending = outcome(r.open(srv.port));
    await new Promise((resolve) => setTimeout(resolve, 50));
    let settled = false;
    void pending.then(() => (settled = true));
    clock.advance(58_000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false);
    clock.advance(4_000);
    assert.equal(await pending, 'timeout');
    assert.equal(r.svc.activeSessions, 0);
    await srv.close();
    r.dispose();
  });

  it('reports a peer that closes during the handshake', async () => {
    const server = netServer((s) => s.destroy());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const r = rig();
    assert.match(await outcome(r.open((server.address() as AddressInfo).port)), /^closed|^handshake/);
    server.close();
    r.dispose();
  });
});

describe('TlsService: session resumption (op 13)', () => {
  it('reports session ID data, then resumes with it', async () => {
    const cache = new Map<string, Buffer>();
    const srv = await tlsServer({ key: pki.server.key, cert: pki.server.cert, maxVersion: 'TLSv1.2', secureOptions: constants.SSL_OP_NO_TICKET });
    srv.server.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
      cache.set(id.toString('hex'), data);
      done();
    });
    srv.server.on('resumeSession', (id: Buffer, done: (err: Error | null, data?: Buffer | null) => void) => done(null, cache.get(id.toString('hex')) ?? null));
    const r = rig();
    const events: string[] = [];
    let masterSecret = '';
    r.profiles.on('session', (e) => {
      if (e.kind === 'session-id') masterSecret = e.masterSecret;
      events.push(e.kind === 'session-id' ? `id:${e.id}:${e.masterSecret.length}` : `${e.kind}:${e.kind === 'type' ? e.type : e.kind === 'status' ? e.status : e.data}`);
    });
    r.profiles.set(0, 'validation', 3);
    r.profiles.setSessionStatus(0, 1);
    r.profiles.setSessionType(0, 0);
    const first = await r.open(srv.port);
    assert.equal(first.isSessionReused(), false);
    await end(first);
    assert.equal(events.length, 2);
    assert.equal(events[0], 'type:0');
    const [, id] = events[1]!.split(':');
    assert.equal(events[1], `id:${id}:64`);
    r.profiles.setSessionId(0, id!, masterSecret);
    const second = await r.open(srv.port);
    assert.equal(second.isSessionReused(), true, 'resumed, and the level 3 checks passed on the saved chain');
    await end(second);
    assert.deepEqual(events.slice(2), ['type:0', `id:${id}:64`], 'reported again on every connection');
    await srv.close();
    r.dispose();
  });

  it('stores ticket data in the profile (status 2) and resumes with it', async () => {
    const srv = await tlsServer({ key: pki.server.key, cert: pki.server.cert, maxVersion: 'TLSv1.2' });
    const r = rig();
    const events: string[] = [];
    r.profiles.on('session', (e) => events.push(e.kind));
    r.profiles.set(0, 'validation', 1);
    r.profiles.setSessionStatus(0, 1);
    r.profiles.setSessionType(0, 1);
    const first = await r.open(srv.port);
    first.resume();
    await new Promise((resolve) => setTimeout(resolve, 30));
    await end(first);
    assert.deepEqual(events, ['status']);
    const s = r.profiles.session(0);
    assert.equal(s.status, 2);
    assert.ok(s.ticket && s.ticket.length > 100);
    const second = await r.open(srv.port);
    assert.equal(second.isSessionReused(), true);
    await end(second);
    await srv.close();
    r.dispose();
  });
});

async function freePort(): Promise<number> {
  const s = netServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const s = await tcp(port);
      s.destroy();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`port ${port} did not open`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

