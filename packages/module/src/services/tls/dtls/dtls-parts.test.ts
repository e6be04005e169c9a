import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ManualClock } from '@modemlab/at';
import { prf } from './prf.js';
import { openRecord, parseRecords, ReplayWindow, sealRecord } from './record.js';
import { fragments, Reassembler, wholeMessage } from './handshake.js';
import { CertDtlsError, CertDtlsSession } from './client.js';

describe('certificate DTLS parts', () => {
  it('PRF: the TLS 1.2 P_SHA256 test vector', () => {
    const out = prf('sha256', Buffer.from('9bbe436ba940f017b17652849a71db35', 'hex'), 'test label', Buffer.from('a0ba9f936cda311827a6f796ffd5198c', 'hex'), 100);
    assert.equal(
      out.toString('hex'),
      'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66',
    );
  });

  it('records: AES-GCM sealed records open with the same keys, not with others or when altered; truncated tails are dropped', () => {
    const keys = { key: randomBytes(16), salt: randomBytes(4) };
    const sealed = sealRecord(23, 1, 7, Buffer.from('payload'), keys);
    const [r] = parseRecords(Buffer.concat([sealed, sealed.subarray(0, 10)]));
    assert.equal(parseRecords(Buffer.concat([sealed, sealed.subarray(0, 10)])).length, 1);
    assert.deepEqual([r!.type, r!.epoch, r!.seq], [23, 1, 7]);
    assert.equal(openRecord(r!, keys)?.toString(), 'payload');
    assert.equal(openRecord(r!, { key: randomBytes(16), salt: keys.salt }), undefined);
    const altered = Buffer.from(sealed);
    altered[altered.length - 1]! ^= 1;
    assert.equal(openRecord(parseRecords(altered)[0]!, keys), undefined);
    // Another sequence number in the header changes the additional data.
    assert.equal(openRecord({ ...r!, seq: 8 }, keys), undefined);
  });

  it('replay window: each sequence number once, in any order within 64 records', () => {
    const w = new ReplayWindow();
    assert.deepEqual([0, 2, 1, 2, 0].map((n) => w.accept(n)), [true, true, true, false, false]);
    assert.equal(w.accept(100), true);
    assert.deepEqual([37, 36, 37, 99, 30].map((n) => w.accept(n)), [true, false, false, true, false]);
    assert.equal(w.accept(1000), true);
    assert.equal(w.accept(999), true);
    assert.equal(w.accept(100), false);
  });

  it('handshake: fragments reassemble in any order and duplicated; the transcript form is unfragmented', () => {
    const body = randomBytes(3000);
    const parts = fragments(11, 2, body, 700);
    assert.equal(parts.length, 5);
    const r = new Reassembler();
    r.next = 2;
    for (const p of [parts[3]!, parts[0]!, parts[4]!, parts[0]!, parts[2]!]) r.add(p);
    assert.equal(r.take(), undefined);
    r.add(parts[1]!);
    const m = r.take()!;
    assert.deepEqual([m.type, m.seq], [11, 2]);
    assert.ok(m.body.equals(body));
    assert.ok(wholeMessage(11, 2, body).equals(Buffer.concat([Buffer.from([11, 0, 0x0b, 0xb8, 0, 2, 0, 0, 0, 0, 0x0b, 0xb8]), body])));
    // An old message is reported (the peer retransmits); a fragment longer than its record is dropped.
    assert.deepEqual(r.add(parts[0]!), { old: true });
    const bogus = Buffer.from(parts[0]!);
    bogus.writeUIntBE(0xffffff, 9, 3);
    assert.deepEqual(r.add(bogus), { old: false });
    assert.equal(r.take(), undefined);
  });

  it('a peer that answers with garbage is ignored until the caller gives up; a fatal alert fails the handshake', async () => {
    const peer = createSocket('udp4');
    peer.bind(0, '127.0.0.1');
    await once(peer, 'listening');
    let mode: 'garbage' | 'alert' = 'garbage';
    let seen = 0;
    peer.on('message', (_m, from) => {
      seen++;
      const junk =
        mode === 'garbage'
          ? [randomBytes(5), Buffer.from('16fefd000000000000000000ff01', 'hex'), sealRecord(22, 0, 1, Buffer.from('0200ffff0000000000ffff', 'hex')), sealRecord(22, 3, 0, randomBytes(40))]
          : [sealRecord(21, 0, 0, Buffer.from([2, 40]))];
      for (const j of junk) peer.send(j, from.port, from.address);
    });
    const port = (peer.address() as { port: number }).port;
    const clock = new ManualClock(0);
    const opts = { host: '127.0.0.1', port, suites: [0xc02f], clock, verify: () => ({ ok: true as const }) };
    try {
      const abandon = new AbortController();
      const pending = CertDtlsSession.open(opts, abandon.signal);
      while (seen === 0) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 50));
      abandon.abort();
      await assert.rejects(pending, /abandoned/);
      mode = 'alert';
      await assert.rejects(CertDtlsSession.open(opts), (e: unknown) => e instanceof CertDtlsError && e.kind === 'alert' && e.detail === '40');
    } finally {
      peer.close();
    }
  });
});
