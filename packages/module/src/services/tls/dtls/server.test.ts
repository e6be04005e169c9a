import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock, systemClock } from '@modemlab/at';
import { makePki, type TestPki } from '../tls.testutil.js';
import { CertDtlsSession } from './client.js';
import { parseRecords } from './record.js';
import { udpRelay } from './relay.testutil.js';
import { DtlsServer, type DtlsServerOptions } from './server.js';
import type { DtlsServerHandshakeError } from './server-session.js';
import { pemFiles, sClient } from './server.testutil.js';

let pki: TestPki;
let ec: { cert: string; key: string };

before(() => {
  pki = makePki();
  pki.dispose();
  const f = pemFiles({ 'x': '' });
  const dir = join(f['x']!, '..');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ec.key', '-out', 'ec.pem', '-subj', '/CN=localhost', '-days', '30'], { cwd: dir, stdio: 'ignore' });
  ec = { cert: readFileSync(join(dir, 'ec.pem'), 'utf8'), key: readFileSync(join(dir, 'ec.key'), 'utf8') };
});

/** An echo server: every record of application data comes back. */
async function echoServer(opts: DtlsServerOptions): Promise<{ server: DtlsServer; port: number; failures: DtlsServerHandshakeError[] }> {
  const server = new DtlsServer(opts);
  const failures: DtlsServerHandshakeError[] = [];
  server.on('session', (s) => s.on('message', (d) => s.send(d)));
  server.on('handshakeError', (_peer, err) => failures.push(err as DtlsServerHandshakeError));
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port, failures };
}

test('openssl s_client ↔ our server: RSA certificate, ECDHE-RSA-AES128-GCM, data echoed', { timeout: 20_000 }, async () => {
  const { server, port } = await echoServer({ cert: pki.server.cert, key: pki.server.key });
  try {
    const r = await sClient(port, ['-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'], 'hello over dtls\n', 16);
    assert.equal(r.stdout, 'hello over dtls\n');
  } finally {
    await server.close();
  }
});

test('openssl s_client ↔ our server: ECDSA certificate, ECDHE-ECDSA-AES256-GCM-SHA384', { timeout: 20_000 }, async () => {
  const { server, port } = await echoServer({ cert: ec.cert, key: ec.key });
  try {
    const r = await sClient(port, ['-cipher', 'ECDHE-ECDSA-AES256-GCM-SHA384'], 'ecdsa\n', 6);
    assert.equal(r.stdout, 'ecdsa\n');
  } finally {
    await server.close();
  }
});

test('mutual: a client certificate of the CA is accepted; none, or one of another CA, gets a fatal alert', { timeout: 30_000 }, async () => {
  const files = pemFiles({ 'client.pem': pki.client.cert, 'client.key': pki.client.key, 'other.pem': pki.unknown.cert, 'other.key': pki.unknown.key });
  const { server, port, failures } = await echoServer({ cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert });
  let chain: X509Certificate[] = [];
  server.on('session', (s) => (chain = s.clientChain));
  try {
    const ok = await sClient(port, ['-cert', files['client.pem']!, '-key', files['client.key']!], 'mutual\n', 7);
    assert.equal(ok.stdout, 'mutual\n');
    assert.equal(chain[0]?.subject, 'CN=modem-client');

    const none = await sClient(port, [], 'x\n', 2);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /alert handshake failure/);
    const other = await sClient(port, ['-cert', files['other.pem']!, '-key', files['other.key']!], 'x\n', 2);
    assert.equal(other.stdout, '');
    assert.match(other.stderr, /alert unknown ca/);
    assert.deepEqual(failures.map((f) => f.alert), [40, 48]);
    // Only the accepted client (killed without close_notify) keeps state, until it idles out.
    assert.equal(server.peerCount, 1);
  } finally {
    await server.close();
  }
});

test('PSK: PSK-AES128-GCM-SHA256 and PSK-AES128-CCM8 with an identity table; an unknown identity is refused', { timeout: 30_000 }, async () => {
  const psk = new Map([['device-1', Buffer.from('00112233445566778899aabbccddeeff', 'hex')]]);
  const { server, port, failures } = await echoServer({ psk });
  const identities: string[] = [];
  server.on('session', (s) => identities.push(`${s.identity}/${s.suiteCode!.toString(16)}`));
  try {
    const gcm = await sClient(port, ['-psk', '00112233445566778899aabbccddeeff', '-psk_identity', 'device-1', '-cipher', 'PSK-AES128-GCM-SHA256'], 'psk gcm\n', 8);
    assert.equal(gcm.stdout, 'psk gcm\n');
    const ccm = await sClient(port, ['-psk', '00112233445566778899aabbccddeeff', '-psk_identity', 'device-1', '-cipher', 'PSK-AES128-CCM8'], 'psk ccm8\n', 9);
    assert.equal(ccm.stdout, 'psk ccm8\n');
    const bad = await sClient(port, ['-psk', '00112233445566778899aabbccddeeff', '-psk_identity', 'nobody', '-cipher', 'PSK-AES128-GCM-SHA256'], 'x\n', 2);
    assert.equal(bad.stdout, '');
    assert.deepEqual(identities, ['device-1/a8', 'device-1/c0a8']);
    assert.deepEqual(failures.map((f) => f.alert), [115]);
  } finally {
    await server.close();
  }
});

test('our client ↔ our server: mutual certificates, data both ways, close_notify ends both sides', { timeout: 20_000 }, async () => {
  const { server, port } = await echoServer({ cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert });
  let peerClosed!: Promise<void>;
  server.on('session', (s) => (peerClosed = new Promise((r) => s.once('close', () => r()))));
  try {
    const session = await CertDtlsSession.open({
      host: '127.0.0.1', port, suites: [0xc030, 0xc02f], clock: systemClock, verify: () => ({ ok: true }),
      chain: [new X509Certificate(pki.client.cert)], key: createPrivateKey(pki.client.key),
    });
    const echoed = new Promise<Buffer>((r) => session.once('message', r));
    await session.send(Buffer.from([0, 1, 2, 0xff]));
    assert.deepEqual(await echoed, Buffer.from([0, 1, 2, 0xff]));
    assert.equal(server.peerCount, 1);
    session.close();
    await peerClosed;
    assert.equal(server.peerCount, 0);
  } finally {
    await server.close();
  }
});

test('idle peers are forgotten on the clock; past maxPeers new handshakes get no state', { timeout: 20_000 }, async () => {
  const clock = new ManualClock();
  const { server, port } = await echoServer({ cert: pki.server.cert, key: pki.server.key, clock, idleMs: 60_000, maxPeers: 1 });
  try {
    const open = () => CertDtlsSession.open({ host: '127.0.0.1', port, suites: [0xc02f], clock: systemClock, verify: () => ({ ok: true }) });
    const first = await open();
    assert.equal(server.peerCount, 1);
    const second = open();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(server.peerCount, 1, 'the second client got a HelloVerifyRequest but no state');
    clock.advance(60_000);
    assert.equal(server.peerCount, 0, 'the first peer idled out');
    // The second client's retransmitted ClientHello now finds a free slot.
    const s2 = await second;
    assert.equal(server.peerCount, 1);
    s2.close();
    first.close();
  } finally {
    await server.close();
  }
});

test('bad configuration is refused at construction', () => {
  assert.throws(() => new DtlsServer({}), /needs --cert and --key, or PSK/);
  assert.throws(() => new DtlsServer({ cert: pki.server.cert, key: pki.client.key }), /does not match/);
  assert.throws(() => new DtlsServer({ cert: 'nonsense', key: pki.server.key }), /no PEM certificate/);
});

test('raw: HelloVerifyRequest carries the ClientHello record number; a repeated ClientHello gets the flight again; garbage is ignored', { timeout: 10_000 }, async () => {
  const { server, port } = await echoServer({ psk: new Map([['id', Buffer.alloc(16, 1)]]) });
  const sock = createSocket('udp4');
  sock.bind(0, '127.0.0.1');
  await once(sock, 'listening');
  const exchange = async (d: Buffer) => {
    sock.send(d, port, '127.0.0.1');
    const [msg] = (await once(sock, 'message')) as [Buffer];
    return parseRecords(msg);
  };
  const hello = (msgSeq: number, recSeq: number, cookie: Buffer) => {
    const body = Buffer.concat([Buffer.from([0xfe, 0xfd]), Buffer.alloc(32, 7), Buffer.from([0, cookie.length]), cookie, Buffer.from([0, 2, 0x00, 0xa8, 1, 0])]);
    const hs = Buffer.alloc(12);
    hs[0] = 1;
    hs.writeUIntBE(body.length, 1, 3);
    hs.writeUInt16BE(msgSeq, 4);
    hs.writeUIntBE(body.length, 9, 3);
    const rec = Buffer.alloc(13);
    rec[0] = 22;
    rec.writeUInt16BE(0xfefd, 1);
    rec.writeUIntBE(recSeq, 5, 6);
    rec.writeUInt16BE(12 + body.length, 11);
    return Buffer.concat([rec, hs, body]);
  };
  try {
    sock.send(Buffer.from('not dtls at all'), port, '127.0.0.1');
    const hvr = await exchange(hello(0, 5, Buffer.alloc(0)));
    assert.equal(hvr.length, 1);
    assert.equal(hvr[0]!.seq, 5);
    assert.equal(hvr[0]!.fragment[0], 3);
    const cookie = hvr[0]!.fragment.subarray(12 + 3, 12 + 3 + hvr[0]!.fragment[12 + 2]!);
    assert.equal(server.peerCount, 0, 'no state before the cookie comes back');
    const flight = await exchange(hello(1, 6, cookie));
    assert.deepEqual(flight.map((r) => [r.seq, r.fragment[0], r.fragment.readUInt16BE(4)]), [[6, 2, 1], [7, 14, 2]]);
    assert.equal(server.peerCount, 1);
    const again = await exchange(hello(1, 7, cookie));
    assert.deepEqual(again.map((r) => [r.seq, r.fragment[0]]), [[8, 2], [9, 14]]);
    assert.deepEqual(again.map((r) => r.fragment), flight.map((r) => r.fragment));
  } finally {
    sock.close();
    await server.close();
  }
});

test('garbage and mutated handshake datagrams neither crash the server nor leave state; a real client still connects', { timeout: 20_000 }, async () => {
  const { server, port } = await echoServer({ psk: new Map([['id', Buffer.alloc(16, 1)]]), cert: pki.server.cert, key: pki.server.key });
  const sock = createSocket('udp4');
  sock.bind(0, '127.0.0.1');
  await once(sock, 'listening');
  // A deterministic generator: the same inputs every run.
  let x = 12345;
  const rnd = (n: number) => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x % n;
  };
  try {
    for (let i = 0; i < 400; i++) {
      const body = Buffer.alloc(rnd(200));
      for (let j = 0; j < body.length; j++) body[j] = rnd(256);
      const head = Buffer.from([[20, 21, 22, 23][rnd(4)]!, 0xfe, 0xfd, 0, rnd(2), 0, 0, 0, 0, 0, rnd(9), body.length >> 8, body.length & 0xff]);
      // Every fourth looks like a ClientHello header with a random body.
      if (i % 4 === 0 && body.length > 12) {
        head[0] = 22;
        body[0] = 1;
        body.writeUIntBE(body.length - 12, 1, 3);
        body.writeUIntBE(0, 6, 3);
        body.writeUIntBE(body.length - 12, 9, 3);
      }
      sock.send(Buffer.concat([head, body]), port, '127.0.0.1');
    }
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(server.peerCount, 0);
    const r = await sClient(port, ['-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'], 'still here\n', 11);
    assert.equal(r.stdout, 'still here\n');
  } finally {
    sock.close();
    await server.close();
  }
});

test('lost flights: the server resends its first flight and its CCS/Finished when the client repeats its own (client on a manual clock)', { timeout: 20_000 }, async () => {
  const { server, port } = await echoServer({ cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert });
  let serverHellos = 0;
  let ccs = 0;
  let clientFinishedFlights = 0;
  let clientHellos = 0;
  // Drop the first ServerHello flight and the first CCS/Finished flight from the server.
  const relay = await udpRelay(port, (d) => {
    if (d.toServer) {
      if (d.handshakeType === 1) clientHellos++;
      if (d.contentTypes.includes(20)) clientFinishedFlights++;
      return 'pass';
    }
    if (d.handshakeType === 2 && serverHellos++ === 0) return 'drop';
    if (d.contentType === 20 && ccs++ === 0) return 'drop';
    return 'pass';
  });
  const clock = new ManualClock();
  try {
    const opening = CertDtlsSession.open({
      host: '127.0.0.1', port: relay.port, suites: [0xc02f], clock, verify: () => ({ ok: true }),
      chain: [new X509Certificate(pki.client.cert)], key: createPrivateKey(pki.client.key),
    });
    await relay.waitDropped(1);
    clock.advance(1000); // the client repeats its ClientHello: the server repeats its flight
    await relay.waitDropped(2);
    clock.advance(1000); // the client repeats its Finished flight: the server repeats CCS/Finished
    const session = await opening;
    const echoed = new Promise<Buffer>((r) => session.once('message', r));
    await session.send(Buffer.from('after loss'));
    assert.equal((await echoed).toString(), 'after loss');
    // Each repeated client flight got the server's answering flight exactly once.
    assert.equal(serverHellos, clientHellos - 1, 'the first ClientHello got a HelloVerifyRequest');
    assert.equal(ccs, clientFinishedFlights);
    assert.ok(ccs >= 2);
    session.close();
  } finally {
    relay.close();
    await server.close();
  }
});
