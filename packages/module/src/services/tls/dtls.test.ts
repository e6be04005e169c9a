import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '@modemlab/at';
import { startLibcoap } from '../coap/coap-peers.testutil.js';
import { openPskDtls } from './dtls.js';

/** A free UDP port on loopback. */
async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const KEY = '0102030405060708090a0b0c0d0e0f10';

/** openssl s_server, DTLS 1.2 with only a PSK: prints what it decrypts, sends what its stdin gets. */
async function pskServer(cipher: string, naccept: number): Promise<{ server: ChildProcess; port: number; output: () => string }> {
  const port = await freePort();
  let output = '';
  const server = spawn('openssl', ['s_server', '-dtls1_2', '-accept', String(port), '-nocert', '-psk', KEY, '-psk_identity', 'modemlab', '-psk_hint', 'lab hint', '-cipher', cipher, '-naccept', String(naccept)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  server.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  server.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await until(() => /ACCEPT/.test(output));
  return { server, port, output: () => output };
}

async function until(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

const SUITES = [
  ['TLS_PSK_WITH_AES_128_GCM_SHA256', 'PSK-AES128-GCM-SHA256'],
  ['TLS_PSK_WITH_AES_256_GCM_SHA384', 'PSK-AES256-GCM-SHA384'],
  ['TLS_PSK_WITH_AES_128_CCM_8', 'PSK-AES128-CCM8'],
] as const;

describe('DTLS 1.2 PSK (own client) against openssl s_server', () => {
  for (const [iana, openssl] of SUITES) {
    it(`${iana}: handshakes with the pre-shared key and exchanges records both ways`, async () => {
      const { server, port, output } = await pskServer(openssl, 1);
      try {
        // A manual clock: nothing is retransmitted on loopback.
        const session = await openPskDtls({ host: '127.0.0.1', port, identity: 'modemlab', key: Buffer.from(KEY, 'hex'), ciphers: [iana], clock: new ManualClock() });
        await until(() => output().includes(`Cipher is ${openssl}`) || output().includes(openssl));
        assert.ok(output().includes(openssl), `openssl negotiated ${openssl}`);
        await session.send(Buffer.from('hello dtls\n'));
        await until(() => output().includes('hello dtls'));
        assert.ok(output().includes('hello dtls'), 'the server decrypted the record');
        const reply = new Promise<Buffer>((resolve) => session.once('message', resolve));
        server.stdin!.write('from server\n');
        assert.equal((await reply).toString(), 'from server\n');
        session.close();
      } finally {
        server.kill();
      }
    });
  }

  describe('every suite offered, and refusals', () => {
    let s: Awaited<ReturnType<typeof pskServer>>;
    before(async () => {
      s = await pskServer('PSK', 3);
    });
    after(() => s.server.kill());

    it('offers all three suites when none is named', async () => {
      const session = await openPskDtls({ host: '127.0.0.1', port: s.port, identity: 'modemlab', key: Buffer.from(KEY, 'hex'), clock: new ManualClock() });
      await session.send(Buffer.from('default suites\n'));
      await until(() => s.output().includes('default suites'));
      assert.ok(s.output().includes('default suites'));
      session.close();
    });

    it('with the wrong key never opens (OpenSSL drops our Finished silently) until the caller abandons it', async () => {
      // The module's handshake timer is the caller's abort signal (tls-service.ts); here the test aborts.
      const abandon = new AbortController();
      const pending = openPskDtls({ host: '127.0.0.1', port: s.port, identity: 'modemlab', key: Buffer.from('ffffffffffffffffffffffffffffffff', 'hex'), clock: new ManualClock(), signal: abandon.signal });
      let settled = false;
      pending.then(() => (settled = true), () => (settled = true));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(settled, false, 'no session with a wrong key');
      abandon.abort();
      await assert.rejects(pending, /abandoned/);
    });

    it('refuses a suite name it does not run, before any datagram', async () => {
      await assert.rejects(
        openPskDtls({ host: '127.0.0.1', port: s.port, identity: 'modemlab', key: Buffer.from(KEY, 'hex'), ciphers: ['TLS_PSK_WITH_AES_128_CBC_SHA256'], clock: new ManualClock() }),
        /not supported/,
      );
    });
  });
});

describe('DTLS 1.2 PSK (own client) against libcoap coap-server-openssl', () => {
  for (const [iana] of SUITES) {
    it(`${iana}: a confirmable CoAP GET / over coaps gets its 2.05 piggybacked reply`, async () => {
      const coap = await startLibcoap({ psk: 'secretPSK', hint: 'lab' });
      try {
        const session = await openPskDtls({ host: '127.0.0.1', port: coap.securePort, identity: 'modemlab', key: Buffer.from('secretPSK'), ciphers: [iana], clock: new ManualClock() });
        const reply = new Promise<Buffer>((resolve) => session.once('message', resolve));
        // CON GET, message ID 0x1234, no token, no options (the root resource).
        await session.send(Buffer.from('40011234', 'hex'));
        const r = await reply;
        // ACK (type 2), code 2.05, the same message ID.
        assert.equal(r.subarray(0, 4).toString('hex'), '60451234');
        session.close();
      } finally {
        await coap.stop();
      }
    });
  }
});
