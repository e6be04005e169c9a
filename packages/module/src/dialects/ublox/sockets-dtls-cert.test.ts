import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ModuleHarness } from '../../testing/harness.js';
import { sharedPki } from '../../testing/tls-peers.js';
import { freeUdpPort, sleep } from '../../services/sockets/peers.testutil.js';
import { udpRelay } from '../../services/tls/dtls/relay.testutil.js';
import { socketHarnesses } from './socket-harness.testutil.js';
import { answer, at, atUntil, cmeError, OK, urc } from './ublox.testutil.js';

const ublox = socketHarnesses();
const pki = sharedPki();

/** `openssl s_server -dtls1_2` on loopback with a certificate; its output collected. */
interface DtlsServer {
  port: number;
  output(): string;
  waitOutput(text: string): Promise<boolean>;
  write(text: string): void;
  stop(): void;
}

const dir = mkdtempSync(join(tmpdir(), 'modemlab-dtls-cert-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

async function dtlsServer(cert: { cert: string; key: string }, extra: string[] = []): Promise<DtlsServer> {
  const port = await freeUdpPort();
  const args = ['s_server', '-dtls1_2', '-accept', String(port), '-cert', file(`s${port}.pem`, cert.cert), '-key', file(`s${port}.key`, cert.key), ...extra];
  const proc: ChildProcess = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const waitOutput = async (text: string) => {
    const deadline = Date.now() + 5000;
    while (!out.includes(text) && Date.now() < deadline) await sleep(20);
    return out.includes(text);
  };
  await waitOutput('ACCEPT');
  return { port, output: () => out, waitOutput, write: (t) => proc.stdin!.write(t), stop: () => proc.kill() };
}

/** Imports a credential with +USECMNG (0 CA, 1 client certificate, 2 key). */
async function store(h: ModuleHarness, type: number, name: string, pem: string): Promise<void> {
  assert.equal(await at(h, `AT+USECMNG=0,${type},"${name}",${Buffer.byteLength(pem)}`), '\r\n>');
  assert.match(await h.send(pem), /\r\nOK\r\n$/);
}

/** Profile 0: validation level 1 (root CA "labCA") unless told. */
async function caProfile(h: ModuleHarness, level = 1): Promise<void> {
  await at(h, 'AT+CMEE=1');
  await store(h, 0, 'labCA', pki.ca.cert);
  assert.equal(await at(h, `AT+USECPRF=0,0,${level}`), OK);
  assert.equal(await at(h, 'AT+USECPRF=0,3,"labCA"'), OK);
}

describe('u-blox secure UDP sockets: DTLS 1.2 with certificates', () => {
  const servers: DtlsServer[] = [];
  const start = async (cert: { cert: string; key: string }, extra: string[] = []) => {
    const s = await dtlsServer(cert, extra);
    servers.push(s);
    return s;
  };
  after(() => {
    for (const s of servers) s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('validates the server against the profile CA on +USOCO, then writes and reads through the session', async () => {
    const server = await start(pki.server);
    const h = await ublox();
    await caProfile(h);
    assert.equal(await at(h, 'AT+USOCR=17'), answer('+USOCR: 0'));
    assert.equal(await at(h, 'AT+USOSEC=0,1,0'), OK);
    assert.equal(await atUntil(h, `AT+USOCO=0,"127.0.0.1",${server.port}`, OK), OK);
    assert.equal(await atUntil(h, 'AT+USOWR=0,11,"hello dtls\n"', OK), answer('+USOWR: 0,11'));
    assert.ok(await server.waitOutput('hello dtls'), server.output());
    assert.match(server.output(), /CIPHER is ECDHE-RSA-AES(128|256)-GCM-SHA(256|384)/);
    server.write('from server\n');
    assert.equal(await h.waitFor('+UUSORF: 0,12\r\n'), urc('+UUSORF: 0,12'));
    assert.equal(await at(h, 'AT+USORF=0,100'), answer(`+USORF: 0,"127.0.0.1",${server.port},12,"from server\n"`));
    assert.equal(await atUntil(h, 'AT+USOCL=0', OK), OK);
  });

  it('mutual authentication: the profile client certificate and key answer a CertificateRequest', async () => {
    const server = await start(pki.server, ['-Verify', '1', '-CAfile', file('ca.pem', pki.ca.cert)]);
    const h = await ublox();
    await caProfile(h);
    await store(h, 1, 'me', pki.client.cert);
    await store(h, 2, 'mykey', pki.client.key);
    assert.equal(await at(h, 'AT+USECPRF=0,5,"me"'), OK);
    assert.equal(await at(h, 'AT+USECPRF=0,6,"mykey"'), OK);
    assert.equal(await at(h, 'AT+USOCR=17'), answer('+USOCR: 0'));
    assert.equal(await at(h, 'AT+USOSEC=0,1,0'), OK);
    assert.equal(await atUntil(h, `AT+USOCO=0,"127.0.0.1",${server.port}`, OK), OK);
    assert.equal(await atUntil(h, 'AT+USOWR=0,6,"mutual"', OK), answer('+USOWR: 0,6'));
    assert.ok(await server.waitOutput('mutual'), server.output());
    assert.match(server.output(), /subject=CN ?= ?modem-client/);
    assert.equal(await atUntil(h, 'AT+USOCL=0', OK), OK);
  });

  it('a server that requires a client certificate refuses a profile without one', async () => {
    const server = await start(pki.server, ['-Verify', '1', '-CAfile', file('ca.pem', pki.ca.cert)]);
    const h = await ublox();
    await caProfile(h);
    assert.equal(await at(h, 'AT+USOCR=17'), answer('+USOCR: 0'));
    assert.equal(await at(h, 'AT+USOSEC=0,1,0'), OK);
    assert.equal(await atUntil(h, `AT+USOCO=0,"127.0.0.1",${server.port}`, 'ERROR'), cmeError(3));
    assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 71'));
    assert.ok(await server.waitOutput('peer did not return a certificate'), server.output());
  });

  it('a server certificate from another CA fails +USOCO', async () => {
    const server = await start(pki.unknown);
    const h = await ublox();
    await caProfile(h);
    assert.equal(await at(h, 'AT+USOCR=17'), answer('+USOCR: 0'));
    assert.equal(await at(h, 'AT+USOSEC=0,1,0'), OK);
    assert.equal(await atUntil(h, `AT+USOCO=0,"127.0.0.1",${server.port}`, 'ERROR'), cmeError(3));
    assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 71'));
    // The module ends the handshake with an unknown_ca alert (48).
    assert.ok(await server.waitOutput('alert number 48'), server.output());
  });

  it('level 2 checks the host name: a server certificate for another name fails +USOCO', async () => {
    const server = await start(pki.server);
    const h = await ublox();
    await caProfile(h, 2);
    assert.equal(await at(h, 'AT+USECPRF=0,4,"iot.example.test"'), OK);
    assert.equal(await at(h, 'AT+USOCR=17'), answer('+USOCR: 0'));
    assert.equal(await at(h, 'AT+USOSEC=0,1,0'), OK);
    assert.equal(await atUntil(h, `AT+USOCO=0,"127.0.0.1",${server.port}`, 'ERROR'), cmeError(3));
    assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 71'));
    // bad_certificate (42): the chain is trusted, the name is not the one asked for.
    assert.ok(await server.waitOutput('alert number 42'), server.output());
  });

  it('retransmits its flights on the module clock through a relay that drops, reorders and duplicates datagrams', async () => {
    // -mtu 500: the server flight spans several datagrams (handshake fragments to reassemble).
    const server = await start(pki.server, ['-mtu', '500']);
    let firstHello = true;
    let heldServerHello = false;
    let droppedFinished = false;
    let duplicated = false;
    const relay = await udpRelay(server.port, (d) => {
      if (!d.toServer && d.contentTypes.every((t) => t === 23) && !duplicated) {
        duplicated = true;
        return 'duplicate';
      }
      if (d.toServer && d.handshakeType === 1 && firstHello) {
        firstHello = false;
        return 'drop';
      }
      if (!d.toServer && d.handshakeType === 2 && !heldServerHello) {
        heldServerHello = true;
        return 'hold';
      }
      if (!d.toServer && d.contentTypes.includes(20) && !droppedFinished) {
        droppedFinished = true;
        return 'drop';
      }
      return 'pass';
    });
    try {
      const h = await ublox();
      await caProfile(h);
      assert.equal(await at(h, 'AT+USOCR=17'), answer('+USOCR: 0'));
      assert.equal(await at(h, 'AT+USOSEC=0,1,0'), OK);
      h.take();
      h.terminal.input(Buffer.from(`AT+USOCO=0,"127.0.0.1",${relay.port}\r`, 'latin1'));
      // The first ClientHello is lost: nothing happens until its 1 s timer.
      await relay.waitDropped(1);
      assert.equal(await h.advance(999), '');
      assert.equal(await h.advance(1), '');
      // The ServerHello arrives after the fragments behind it; the server's CCS+Finished is lost.
      await relay.waitDropped(2);
      assert.equal(await h.advance(999), '');
      // The client's final flight again: the server answers it with its last flight.
      // (Loopback is fast: the answer may already be out when the clock step settles.)
      const out = await h.advance(1);
      assert.equal(out.includes('OK\r\n') ? out : out + (await h.waitFor('OK\r\n')), OK);
      assert.ok(heldServerHello);
      assert.equal(await atUntil(h, 'AT+USOWR=0,7,"relayed"', OK), answer('+USOWR: 0,7'));
      assert.ok(await server.waitOutput('relayed'), server.output());
      // The first record from the server arrives twice: the replay window drops the copy.
      // A second one (not duplicated) behind it shows when both have been handled.
      server.write('back\n');
      await h.waitFor('+UUSORF: 0,5\r\n');
      server.write('sentinel data\n');
      let pending = 0;
      for (let i = 0; i < 250 && pending < 19; i++) {
        pending = Number(/\+USORF: 0,(\d+)/.exec(await at(h, 'AT+USORF=0,0'))?.[1] ?? 0);
        if (pending < 19) await sleep(20);
      }
      assert.equal(pending, 19);
      assert.ok(duplicated);
      assert.equal(await at(h, 'AT+USORF=0,100'), answer(`+USORF: 0,"127.0.0.1",${relay.port},5,"back\n"`));
      assert.equal(await at(h, 'AT+USORF=0,100'), answer(`+USORF: 0,"127.0.0.1",${relay.port},14,"sentinel data\n"`));
      assert.equal(await atUntil(h, 'AT+USOCL=0', OK), OK);
    } finally {
      relay.close();
    }
  });

  it('a peer that never answers: the flights are resent on the module clock until the 60 s handshake timer fails +USOCO', async () => {
    let seen = 0;
    const relay = await udpRelay(await freeUdpPort(), () => {
      seen++;
      return 'drop';
    });
    try {
      const h = await ublox();
      await caProfile(h);
      assert.equal(await at(h, 'AT+USOCR=17'), answer('+USOCR: 0'));
      assert.equal(await at(h, 'AT+USOSEC=0,1,0'), OK);
      h.take();
      h.terminal.input(Buffer.from(`AT+USOCO=0,"127.0.0.1",${relay.port}\r`, 'latin1'));
      await relay.waitDropped(1);
      // Resent after 1, 3, 7, 15, 31 s (the timer doubles).
      for (const [step, total] of [[1_000, 2], [2_000, 3], [4_000, 4], [8_000, 5], [16_000, 6]] as const) {
        assert.equal(await h.advance(step), '');
        await relay.waitDropped(total);
      }
      assert.equal(await h.advance(59_000 - 31_000), '');
      assert.equal(await h.advance(1_000), cmeError(3));
      assert.equal(seen, 6);
      assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 110'));
      assert.equal(await at(h, 'AT+USOCL=0'), OK);
    } finally {
      relay.close();
    }
  });

  it('resumes the session with an abbreviated handshake when the profile has session resumption on', async () => {
    const server = await start(pki.server);
    const h = await ublox();
    await caProfile(h);
    assert.equal(await at(h, 'AT+USECPRF=0,13,0,1'), OK);
    for (const [i, word] of ['first', 'second'].entries()) {
      assert.equal(await at(h, 'AT+USOCR=17'), answer('+USOCR: 0'));
      assert.equal(await at(h, 'AT+USOSEC=0,1,0'), OK);
      assert.equal(await atUntil(h, `AT+USOCO=0,"127.0.0.1",${server.port}`, OK), OK);
      assert.equal(await atUntil(h, `AT+USOWR=0,${word.length},"${word}"`, OK), answer(`+USOWR: 0,${word.length}`));
      assert.ok(await server.waitOutput(word), server.output());
      assert.equal(server.output().includes('Reused session-id'), i === 1, server.output());
      assert.equal(await atUntil(h, 'AT+USOCL=0', OK), OK);
      await server.waitOutput(i === 0 ? 'DONE' : '');
    }
  });

  it('offers only the profile\'s suite (+USECPRF op 2) and runs ECDHE-ECDSA with EC server and client certificates', async () => {
    const ec = ecServer();
    const server = await start(ec, ['-Verify', '1', '-CAfile', file('ecca-trust.pem', ec.ca)]);
    const h = await ublox();
    await at(h, 'AT+CMEE=1');
    await store(h, 0, 'ecCA', ec.ca);
    await store(h, 1, 'ecMe', ec.clientCert);
    await store(h, 2, 'ecKey', ec.clientKey);
    assert.equal(await at(h, 'AT+USECPRF=0,5,"ecMe"'), OK);
    assert.equal(await at(h, 'AT+USECPRF=0,6,"ecKey"'), OK);
    assert.equal(await at(h, 'AT+USECPRF=0,0,1'), OK);
    assert.equal(await at(h, 'AT+USECPRF=0,3,"ecCA"'), OK);
    assert.equal(await at(h, 'AT+USECPRF=0,2,99,"C0","2C"'), OK);
    assert.equal(await at(h, 'AT+USOCR=17'), answer('+USOCR: 0'));
    assert.equal(await at(h, 'AT+USOSEC=0,1,0'), OK);
    assert.equal(await atUntil(h, `AT+USOCO=0,"127.0.0.1",${server.port}`, OK), OK);
    assert.equal(await atUntil(h, 'AT+USOWR=0,5,"ecdsa"', OK), answer('+USOWR: 0,5'));
    assert.ok(await server.waitOutput('ecdsa'), server.output());
    assert.match(server.output(), /Shared ciphers:ECDHE-ECDSA-AES256-GCM-SHA384\r?\n/);
    assert.match(server.output(), /CIPHER is ECDHE-ECDSA-AES256-GCM-SHA384/);
    // The EC client key signed CertificateVerify with ECDSA.
    assert.match(server.output(), /subject=CN ?= ?ec-modem/);
    assert.equal(await atUntil(h, 'AT+USOCL=0', OK), OK);
  });
});

/** A P-256 CA, a server certificate for 127.0.0.1 and a client certificate it issued, made with the openssl CLI. */
function ecServer(): { ca: string; cert: string; key: string; clientCert: string; clientKey: string } {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ecca.key', '-out', 'ecca.pem', '-subj', '/CN=modemlab EC CA', '-days', '30');
  run('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ec.key', '-out', 'ec.csr', '-subj', '/CN=127.0.0.1');
  file('ec.ext', 'subjectAltName=IP:127.0.0.1\n');
  run('x509', '-req', '-in', 'ec.csr', '-CA', 'ecca.pem', '-CAkey', 'ecca.key', '-CAcreateserial', '-out', 'ec.pem', '-days', '30', '-extfile', 'ec.ext');
  run('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ecclient.key', '-out', 'ecclient.csr', '-subj', '/CN=ec-modem');
  run('x509', '-req', '-in', 'ecclient.csr', '-CA', 'ecca.pem', '-CAkey', 'ecca.key', '-CAcreateserial', '-out', 'ecclient.pem', '-days', '30');
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return { ca: read('ecca.pem'), cert: read('ec.pem'), key: read('ec.key'), clientCert: read('ecclient.pem'), clientKey: read('ecclient.key') };
}
