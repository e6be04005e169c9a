import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CmuxDecoder,
  CmuxEncodeError,
  ControlDecodeError,
  crBit,
  decodeControl,
  decodeMsc,
  encodeControl,
  encodeFrame,
  encodeMsc,
  encodeUih,
  fcsOf,
  fcsValid,
  type CmuxFrame,
} from './index.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function decodeAll(bytes: Buffer, opts?: { maxLength?: number }): { frames: CmuxFrame[]; decoder: CmuxDecoder } {
  const frames: CmuxFrame[] = [];
  const decoder = new CmuxDecoder((f) => frames.push(f), opts);
  decoder.push(bytes);
  return { frames, decoder };
}

describe('27.010 FCS', () => {
  it('matches frames captured from real modules and host libraries', () => {
    // SABM DLCI0 (host), UA DLCI0/1/2 (module), DISC DLCI0: classic captures.
    assert.equal(fcsOf(hex('033f01')), 0x1c);
    assert.equal(fcsOf(hex('037301')), 0xd7);
    assert.equal(fcsOf(hex('077301')), 0x15);
    assert.equal(fcsOf(hex('0b7301')), 0x92);
    assert.ok(fcsValid(hex('033f01'), 0x1c));
    assert.ok(!fcsValid(hex('033f01'), 0x1d));
  });
});

describe('encodeFrame', () => {
  it('encodes SABM, UA and DISC as the captures show', () => {
    assert.deepEqual(encodeFrame({ dlci: 0, type: 'SABM', cr: true, pf: true, data: Buffer.alloc(0) }), hex('f9033f011cf9'));
    assert.deepEqual(encodeFrame({ dlci: 0, type: 'UA', cr: true, pf: true, data: Buffer.alloc(0) }), hex('f9037301d7f9'));
    assert.deepEqual(encodeFrame({ dlci: 1, type: 'UA', cr: true, pf: true, data: Buffer.alloc(0) }), hex('f907730115f9'));
  });

  it('computes the UIH FCS over the header only, the others over the information too', () => {
    const uih = encodeFrame({ dlci: 1, type: 'UIH', cr: true, pf: false, data: Buffer.from('AT\r') });
    assert.deepEqual(uih, Buffer.concat([hex('f907ef07'), Buffer.from('AT\r'), Buffer.from([fcsOf(hex('07ef07')), 0xf9])]));
    const ui = encodeFrame({ dlci: 1, type: 'UI', cr: true, pf: false, data: Buffer.from('AT\r') });
    assert.equal(ui[ui.length - 2], fcsOf(Buffer.concat([hex('070307'), Buffer.from('AT\r')])));
  });

  it('uses the two-byte length above 127 bytes', () => {
    const data = Buffer.alloc(300, 0x41);
    const f = encodeFrame({ dlci: 2, type: 'UIH', cr: false, pf: false, data });
    assert.equal(f[3], (300 & 0x7f) << 1);
    assert.equal(f[4], 300 >> 7);
    assert.equal(f.length, 1 + 4 + 300 + 2);
    const { frames } = decodeAll(f);
    assert.equal(frames.length, 1);
    assert.deepEqual(frames[0]!.data, data);
  });

  it('refuses a DLCI or a length out of range', () => {
    assert.throws(() => encodeFrame({ dlci: 64, type: 'UIH', cr: true, pf: false, data: Buffer.alloc(0) }), CmuxEncodeError);
    assert.throws(() => encodeFrame({ dlci: 1, type: 'UIH', cr: true, pf: false, data: Buffer.alloc(0x8000) }), CmuxEncodeError);
    assert.throws(() => encodeFrame({ dlci: 62, type: 'UIH', cr: false, pf: false, data: Buffer.alloc(0) }), CmuxEncodeError);
    assert.throws(() => encodeUih(1, Buffer.from('x'), { cr: true, n1: 0 }), CmuxEncodeError);
  });

  it('splits data into UIH frames of at most N1 bytes', () => {
    const data = Buffer.from('0123456789');
    const { frames } = decodeAll(encodeUih(3, data, { cr: false, n1: 4 }));
    assert.deepEqual(frames.map((f) => f.data.toString()), ['0123', '4567', '89']);
    assert.ok(frames.every((f) => f.dlci === 3 && f.type === 'UIH' && !f.cr));
    assert.equal(encodeUih(3, Buffer.alloc(0), { cr: false }).length, 0);
  });
});

describe('CmuxDecoder', () => {
  it('decodes frames split at every byte boundary', () => {
    const stream = Buffer.concat([
      hex('f9033f011cf9'),
      encodeFrame({ dlci: 1, type: 'UIH', cr: true, pf: false, data: Buffer.from('AT+CGMI\r') }),
      encodeFrame({ dlci: 2, type: 'DISC', cr: true, pf: true, data: Buffer.alloc(0) }),
    ]);
    const frames: CmuxFrame[] = [];
    const d = new CmuxDecoder((f) => frames.push(f));
    for (const b of stream) d.push(Buffer.from([b]));
    assert.deepEqual(
      frames.map((f) => [f.dlci, f.type, f.pf, f.data.toString()]),
      [
        [0, 'SABM', true, ''],
        [1, 'UIH', false, 'AT+CGMI\r'],
        [2, 'DISC', true, ''],
      ],
    );
    assert.equal(d.stats.frames, 3);
    assert.equal(d.buffered, 1); // the last closing flag, which may open the next frame
  });

  it('accepts a shared flag between frames and a flag inside the information field', () => {
    const a = encodeFrame({ dlci: 1, type: 'UIH', cr: true, pf: false, data: hex('f9f9f9') });
    const b = encodeFrame({ dlci: 1, type: 'UIH', cr: true, pf: false, data: Buffer.from('x') });
    const { frames } = decodeAll(Buffer.concat([a, b.subarray(1)]));
    assert.deepEqual(frames.map((f) => f.data.toString('hex')), ['f9f9f9', '78']);
  });

  it('drops a frame with a bad FCS, counts it, and finds the next one', () => {
    const bad = hex('f9033f011df9');
    const good = hex('f9037301d7f9');
    const { frames, decoder } = decodeAll(Buffer.concat([bad, good]));
    assert.deepEqual(frames.map((f) => f.type), ['UA']);
    assert.equal(decoder.stats.dropped.fcs, 1);
  });

  it('drops a truncated frame and still decodes the frame that follows it', () => {
    const whole = encodeFrame({ dlci: 1, type: 'UIH', cr: true, pf: false, data: Buffer.from('ABCDEFGHIJ') });
    const cut = whole.subarray(0, 8); // header and 4 data bytes, no FCS, no closing flag
    const next = encodeFrame({ dlci: 2, type: 'UIH', cr: true, pf: false, data: Buffer.from('0123456789abcdef') });
    const { frames, decoder } = decodeAll(Buffer.concat([cut, next]));
    assert.deepEqual(frames.map((f) => f.data.toString()), ['0123456789abcdef']);
    assert.equal(decoder.stats.dropped.truncated, 1);
  });

  it('drops a frame longer than N1', () => {
    const big = encodeFrame({ dlci: 1, type: 'UIH', cr: true, pf: false, data: Buffer.alloc(40, 0x41) });
    const small = encodeFrame({ dlci: 1, type: 'UIH', cr: true, pf: false, data: Buffer.from('ok') });
    const { frames, decoder } = decodeAll(Buffer.concat([big, small]), { maxLength: 31 });
    assert.deepEqual(frames.map((f) => f.data.toString()), ['ok']);
    assert.equal(decoder.stats.dropped.oversize, 1);
  });

  it('drops an extended address and an unknown frame type, and counts noise', () => {
    const extAddr = Buffer.from([0xf9, 0x06, 0xef, 0x01]);
    const hdr = Buffer.from([0x07, 0x99, 0x01]);
    const unknown = Buffer.concat([Buffer.from([0xf9]), hdr, Buffer.from([fcsOf(hdr), 0xf9])]);
    const good = hex('f9037301d7f9');
    const { frames, decoder } = decodeAll(Buffer.concat([Buffer.from('noise'), extAddr, unknown, good]));
    assert.deepEqual(frames.map((f) => f.type), ['UA']);
    assert.equal(decoder.stats.dropped.header, 2);
    assert.ok(decoder.stats.discardedBytes >= 5);
  });

  it('judges an unknown frame type before its length: noise behind a flag does not swallow the frames that follow', () => {
    // Found by the module fuzzer (test/fuzz/corpus/cmux-module.json): a closing flag, then
    // d9 00 3f (address, no frame type, "31 bytes"): the host's SABM and DISC must decode.
    const sabm = encodeFrame({ dlci: 0, type: 'SABM', cr: true, pf: true, data: Buffer.alloc(0) });
    const disc = encodeFrame({ dlci: 0, type: 'DISC', cr: true, pf: true, data: Buffer.alloc(0) });
    const { frames, decoder } = decodeAll(Buffer.concat([hex('f903ef01f5f9d9003f'), sabm, disc]));
    assert.deepEqual(frames.map((f) => f.type), ['UIH', 'SABM', 'DISC']);
    assert.equal(decoder.stats.dropped.header, 1);
  });

  it('stop() from a frame callback leaves the bytes behind that frame for takeRest()', () => {
    const cld = encodeFrame({ dlci: 0, type: 'UIH', cr: true, pf: false, data: hex('c301') });
    const after = Buffer.concat([Buffer.from('AT\r'), hex('f9037301d7f9')]);
    const frames: CmuxFrame[] = [];
    const d = new CmuxDecoder((f) => {
      frames.push(f);
      d.stop();
    });
    d.push(Buffer.concat([cld, after.subarray(0, 2)]));
    d.push(after.subarray(2));
    assert.equal(frames.length, 1);
    assert.deepEqual(d.takeRest(), after);
    assert.equal(d.takeRest().length, 0);
  });

  it('reset forgets a partial frame', () => {
    const { decoder, frames } = decodeAll(hex('f907ef07'));
    assert.equal(decoder.buffered, 4);
    decoder.reset();
    decoder.push(hex('f9037301d7f9'));
    assert.deepEqual(frames.map((f) => f.type), ['UA']);
  });
});

describe('control channel', () => {
  it('encodes CLD, MSC and Test as host libraries send them', () => {
    assert.deepEqual(encodeControl('CLD', true), hex('c301'));
    assert.deepEqual(encodeControl('MSC', true, encodeMsc({ dlci: 1, signals: { fc: false, rtc: true, rtr: true, ic: false, dv: true } })), hex('e305078d'));
    assert.deepEqual(encodeControl('TEST', false, Buffer.from('hi')), Buffer.concat([hex('2105'), Buffer.from('hi')]));
  });

  it('decodes several messages in one payload and keeps unknown types for NSC', () => {
    const payload = Buffer.concat([encodeControl('PSC', true), encodeControl('MSC', false, hex('0b0d')), hex('f30100')]);
    const msgs = decodeControl(payload.subarray(0, payload.length - 1));
    assert.deepEqual(
      msgs.map((m) => [m.type, m.command, m.value.toString('hex')]),
      [
        ['PSC', true, ''],
        ['MSC', false, '0b0d'],
        [undefined, true, ''],
      ],
    );
    assert.equal(msgs[2]!.typeOctet, 0xf3);
  });

  it('reads a multi-octet length', () => {
    const value = Buffer.alloc(200, 7);
    const [m] = decodeControl(encodeControl('TEST', true, value));
    assert.equal(m!.value.length, 200);
  });

  it('throws ControlDecodeError on a cut-short message', () => {
    assert.throws(() => decodeControl(hex('e30507')), ControlDecodeError); // announces 2 value octets, has 1
    assert.throws(() => decodeControl(hex('e3')), ControlDecodeError); // no length
    assert.throws(() => decodeControl(hex('e304')), ControlDecodeError); // length not ended (EA=0)
  });

  it('round-trips MSC with and without a break octet', () => {
    const plain = { dlci: 5, signals: { fc: true, rtc: false, rtr: true, ic: true, dv: false } };
    assert.deepEqual(decodeMsc(encodeMsc(plain)), plain);
    const withBreak = { ...plain, breakOctet: 0x20 | 0x01 };
    assert.deepEqual(decodeMsc(encodeMsc(withBreak)), withBreak);
    assert.throws(() => decodeMsc(hex('07')), ControlDecodeError);
  });
});

describe('C/R bit', () => {
  it('follows 27.010 5.2.1.2', () => {
    assert.equal(crBit('initiator', 'SABM'), true);
    assert.equal(crBit('responder', 'UA'), true);
    assert.equal(crBit('responder', 'UIH'), false);
    assert.equal(crBit('initiator', 'UIH'), true);
    assert.equal(crBit('initiator', 'DM'), false);
  });
});
