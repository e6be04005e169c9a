import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { ManualClock } from '@modemlab/at';
import { CertDtlsError, CertDtlsSession } from './client.js';
import { HS, wholeMessage } from './handshake.js';
import { parseRecords, sealRecord } from './record.js';
import { openCcm8Record, sealCcm8Record } from './record-ccm.js';
import { DTLS_PSK_SUITES, pskPremaster } from './suites.js';

describe('PSK DTLS parts', () => {
  it('premaster (RFC 4279 §2): uint16 N, N zeros, uint16 N, the PSK', () => {
    // By hand for a 5-byte key: 0005 | 00×5 | 0005 | 0102030405.
    assert.equal(pskPremaster(Buffer.from('0102030405', 'hex')).toString('hex'), '0005' + '0000000000' + '0005' + '0102030405');
    const sixteen = pskPremaster(Buffer.alloc(16, 0xab));
    assert.equal(sixteen.length, 36);
    assert.equal(sixteen.subarray(0, 20).toString('hex'), '0010' + '00'.repeat(16) + '0010');
  });

  // The expected record was computed once by an independent AES-CCM (RFC 3610: B0 flags 0x1a for
  // an 8-byte tag and 3-byte length, CBC-MAC over B0 ‖ len(AAD) ‖ AAD, CTR from counter 1, tag
  // XOR S0) written in Python on the AES-128-ECB block of `openssl enc`: key 00..0f, write IV
  // a0a1a2a3, epoch 1, sequence 5, application data "modemlab ccm8".
  const keys = { key: Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'), salt: Buffer.from('a0a1a2a3', 'hex') };
  const VECTOR = '17fefd0001000000000005001d000100000000000541926a52c2caa5513c543488abb2b7109c5b600350';

  it('CCM_8 records: seal to the fixed vector, open it back, refuse altered ones', () => {
    const sealed = sealCcm8Record(23, 1, 5, Buffer.from('modemlab ccm8'), keys);
    assert.equal(sealed.toString('hex'), VECTOR);
    const [r] = parseRecords(sealed);
    assert.equal(openCcm8Record(r!, keys)?.toString(), 'modemlab ccm8');
    const altered = Buffer.from(sealed);
    altered[altered.length - 1]! ^= 1;
    assert.equal(openCcm8Record(parseRecords(altered)[0]!, keys), undefined);
    assert.equal(openCcm8Record({ ...r!, seq: 6 }, keys), undefined, 'the header is authenticated');
    assert.equal(openCcm8Record({ ...r!, fragment: r!.fragment.subarray(0, 15) }, keys), undefined, 'shorter than nonce and tag');
  });

  it('suites: the IANA codes the client offers', () => {
    assert.deepEqual(
      DTLS_PSK_SUITES.map((s) => [s.code, s.name]),
      [
        [0x00a8, 'TLS_PSK_WITH_AES_128_GCM_SHA256'],
        [0x00a9, 'TLS_PSK_WITH_AES_256_GCM_SHA384'],
        [0xc0a8, 'TLS_PSK_WITH_AES_128_CCM_8'],
      ],
    );
  });

  /** A peer that answers every ClientHello with `reply(offeredSuites)` (epoch-0 records) and records what it gets back. */
  async function fakeServer(reply: (offered: number[]) => Buffer[]): Promise<{ port: number; got: Buffer[]; close(): void }> {
    const peer = createSocket('udp4');
    peer.bind(0, '127.0.0.1');
    await once(peer, 'listening');
    const got: Buffer[] = [];
    peer.on('message', (m, from) => {
      got.push(m);
      const [r] = parseRecords(m);
      if (!r || r.type !== 22 || r.fragment[0] !== HS.clientHello) return;
      // ClientHello body: version, random, session id, cookie, then the suites.
      const b = r.fragment.subarray(12);
      let at = 2 + 32;
      at += 1 + b[at]!;
      at += 1 + b[at]!;
      const n = b.readUInt16BE(at);
      const offered: number[] = [];
      for (let i = 0; i < n; i += 2) offered.push(b.readUInt16BE(at + 2 + i));
      for (const d of reply(offered)) peer.send(d, from.port, from.address);
    });
    return { port: (peer.address() as { port: number }).port, got, close: () => peer.close() };
  }

  const serverHello = (suite: number) => Buffer.concat([Buffer.from('fefd', 'hex'), Buffer.alloc(32, 7), Buffer.from([0]), Buffer.from([suite >> 8, suite & 0xff, 0])]);
  const hs = (type: number, seq: number, body: Buffer) => sealRecord(22, 0, seq, wholeMessage(type, seq, body));
  const psk = { identity: Buffer.from('modemlab'), key: Buffer.alloc(16, 1) };

  it('handshake: offers only the PSK suites; a server choosing a certificate suite, or sending a Certificate under PSK, fails it with handshake_failure', async () => {
    let offeredSeen: number[] = [];
    let mode: 'cert-suite' | 'certificate' = 'cert-suite';
    const peer = await fakeServer((offered) => {
      offeredSeen = offered;
      if (mode === 'cert-suite') return [hs(HS.serverHello, 0, serverHello(0xc02f))];
      return [Buffer.concat([hs(HS.serverHello, 0, serverHello(0x00a8)), hs(HS.certificate, 1, Buffer.from('000000', 'hex'))])];
    });
    try {
      const opts = { host: '127.0.0.1', port: peer.port, suites: [0x00a8, 0xc0a8], psk, clock: new ManualClock() };
      await assert.rejects(CertDtlsSession.open(opts), (e: unknown) => e instanceof CertDtlsError && e.kind === 'protocol' && /not offered/.test(e.message));
      assert.deepEqual(offeredSeen, [0x00a8, 0xc0a8]);
      mode = 'certificate';
      await assert.rejects(CertDtlsSession.open(opts), (e: unknown) => e instanceof CertDtlsError && /unexpected Certificate/.test(e.message));
      // Each refusal went out as a fatal handshake_failure alert (21, level 2, description 40).
      const alerts = () => peer.got.filter((m) => m[0] === 21).map((m) => m.subarray(13).toString('hex'));
      // The alert datagrams may still be on their way when the promise settles.
      for (let i = 0; i < 1000 && alerts().length < 2; i++) await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(alerts(), ['0228', '0228']);
    } finally {
      peer.close();
    }
  });
});
