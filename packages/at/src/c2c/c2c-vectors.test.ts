/**
 * The C2C codec against notes/c2c-and-host-libraries.md §1.11: (b) our fixed-IV known-answer
 * frames byte for byte, (a) ubxlib's frame-length table for its chunking cases, the FCS
 * check value and residue, and the primitives' published vectors.
 */
import assert from 'node:assert/strict';
import { createCipheriv, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  C2cDecoder,
  confirmationMatches,
  decryptBody,
  encodeC2cFrame,
  encryptBody,
  encryptConfirmation,
  fcs16,
  fcs16Update,
  FCS16_GOOD,
  pad16,
  sealFrames,
  unpad16,
  type C2cKeys,
  type C2cVersion,
} from './index.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const TE_SECRET = hex('00 01 02 03 04 05 06 07 f8 f9 fa fb fc fd fe ff');
const KEY = hex('10 11 12 13 14 15 16 17 e8 e9 ea eb ec ed ee ef');
const HMAC_KEY = hex('20 21 22 23 24 25 26 27 d8 d9 da db dc dd de df');
const IV = hex('000102030405060708090a0b0c0d0e0f');
const keys = (version: C2cVersion): C2cKeys => ({ version, teSecret: TE_SECRET, encKey: KEY, ...(version === 2 ? { hmacKey: HMAC_KEY } : {}) });
const frameOf = (version: C2cVersion, text: string): Buffer => encodeC2cFrame(encryptBody(keys(version), Buffer.from(text, 'latin1'), IV));

/** §1.11(b), verbatim. */
const VECTORS: Array<[C2cVersion, string, string]> = [
  [1, 'Hello world!', 'f940007f15b9892e1c35d4a14a3fc0d4eb1efd9404fc3ca1fa7f40ba0026453ae71ecf52ddbcb8e22ff3a89f015fba2775c802000102030405060708090a0b0c0d0e0f5e97f9'],
  [2, 'Hello world!', 'f93000000102030405060708090a0b0c0d0e0f7f15b9892e1c35d4a14a3fc0d4eb1efd736466c09f0a7f72e7f1cc7fe164f22c0e92f9'],
  [1, '0123456789abcdef', 'f950000b462460900800aa4559728ed51a917b3a5fa981f3284ac00cd14aa695da05616b4519e660052f2df6ade120acb0ada97d81708900d009e779c3741b64bf9f3c000102030405060708090a0b0c0d0e0f76adf9'],
  [2, '0123456789abcdef', 'f94000000102030405060708090a0b0c0d0e0f0b462460900800aa4559728ed51a917b3a5fa981f3284ac00cd14aa695da0561ab091b10ee2dc4a77d5c41590496008b3dd7f9'],
  [2, 'AT+CGSN\r', 'f93000000102030405060708090a0b0c0d0e0f9d1c6d1bb63498f3c0dea54c5db1e8de1416aae54aa4491d137e1e67f589e71fa5a8f9'],
  [2, '\r\nOK\r\n', 'f93000000102030405060708090a0b0c0d0e0f5a1fc79ab2370c7284ff3752cb28d360dac29ec2e36f652d11aa1b741104219ae04ef9'],
];

function decodeAll(version: C2cVersion, wire: Buffer, maxBody?: number): { plain: Buffer[]; decoder: C2cDecoder } {
  const plain: Buffer[] = [];
  const decoder = new C2cDecoder(keys(version), (p) => plain.push(p), maxBody ? { maxBody } : {});
  decoder.push(wire);
  return { plain, decoder };
}

describe('C2C codec: notes §1.11(b) known-answer frames', () => {
  for (const [version, text, expected] of VECTORS) {
    it(`V${version} ${JSON.stringify(text)} encodes to the vector and decodes back`, () => {
      assert.equal(frameOf(version, text).toString('hex'), expected);
      const { plain, decoder } = decodeAll(version, hex(expected));
      assert.deepEqual(plain.map((p) => p.toString('latin1')), [text]);
      assert.equal(decoder.stats.frames, 1);
      // The RFC 1662 residue over len + body + FCS.
      const f = hex(expected);
      assert.equal(fcs16Update(0xffff, f.subarray(1, f.length - 1)), FCS16_GOOD);
    });
  }

  it('V2 confirmation of tag 30..3f is the vector, in the vector +USECC2C=4 line, and verifies', () => {
    const tag = hex('303132333435363738393a3b3c3d3e3f');
    const blob = encryptConfirmation(keys(2), tag, IV);
    assert.equal(
      blob.toString('hex'),
      '000102030405060708090a0b0c0d0e0f445918975d3f89454fd06b3066deb4d2f594de3735b286336476c44c9102afdaa9197e799931f2f821a2c469a17a993e',
    );
    assert.equal(
      `AT+USECC2C=4,"${TE_SECRET.toString('hex').toUpperCase()}","${blob.toString('hex').toUpperCase()}"`,
      'AT+USECC2C=4,"0001020304050607F8F9FAFBFCFDFEFF","000102030405060708090A0B0C0D0E0F445918975D3F89454FD06B3066DEB4D2F594DE3735B286336476C44C9102AFDAA9197E799931F2F821A2C469A17A993E"',
    );
    assert.equal(confirmationMatches(keys(2), tag, blob), true);
    assert.equal(confirmationMatches(keys(2), hex('303132333435363738393a3b3c3d3e40'), blob), false);
    const tampered = Buffer.from(blob);
    tampered[20]! ^= 1;
    assert.equal(confirmationMatches(keys(2), tag, tampered), false);
    assert.equal(confirmationMatches({ ...keys(2), teSecret: Buffer.alloc(16) }, tag, blob), false);
  });

  it('V1 and V2 share the first ciphertext block for the same key, IV and plaintext', () => {
    assert.equal(frameOf(1, 'Hello world!').subarray(3, 19).toString('hex'), frameOf(2, 'Hello world!').subarray(19, 35).toString('hex'));
  });
});

describe('C2C codec: notes §1.11(a) ubxlib frame lengths with random IVs', () => {
  const FOUR = [0, 1, 2, 3].map((n) => `_____000${n}:0123456789012345678901234567890123456789`).join('');
  const cases: Array<[C2cVersion, string, number, number[], number[]]> = [
    [1, 'Hello world!', 256, [12], [70]],
    [2, 'Hello world!', 256, [12], [54]],
    [1, '0123456789abcdef', 256, [16], [86]],
    [2, '0123456789abcdef', 256, [16], [70]],
    [1, '47 bytes, one less than the chunk length of 48.', 48, [47], [102]],
    [2, '47 bytes, one less than the chunk length of 48.', 48, [47], [86]],
    [1, 'With a chunk length of 48 this is just a bit longer at 58.', 48, [47, 11], [102, 70]],
    [2, 'With a chunk length of 48 this is just a bit longer at 58.', 48, [47, 11], [86, 54]],
    [1, FOUR, 48, [47, 47, 47, 47, 12], [102, 102, 102, 102, 70]],
    [2, FOUR, 48, [47, 47, 47, 47, 12], [86, 86, 86, 86, 54]],
  ];
  for (const [i, [version, text, limit, chunks, lengths]] of cases.entries()) {
    it(`case ${i + 1}: V${version}, ${text.length} bytes, chunk limit ${limit}`, () => {
      assert.equal(text.length, chunks.reduce((a, b) => a + b, 0));
      // ubxlib's chunk limit counts padded bytes: at most limit-1 plaintext bytes per frame.
      const wire = sealFrames(keys(version), Buffer.from(text), limit - 1);
      const frames: number[] = [];
      for (let at = 0; at < wire.length; ) {
        const len = wire.readUInt16LE(at + 1) + 6;
        frames.push(len);
        at += len;
      }
      assert.deepEqual(frames, lengths);
      const { plain } = decodeAll(version, wire);
      assert.deepEqual(plain.map((p) => p.length), chunks);
      assert.equal(Buffer.concat(plain).toString(), text);
    });
  }
});

describe('C2C codec: primitives', () => {
  it('FCS-16 is CRC-16/X-25: check value 0x906E for "123456789"', () => {
    assert.equal(fcs16(Buffer.from('123456789')), 0x906e);
  });

  it('pads 1..16 bytes and refuses malformed padding', () => {
    assert.equal(pad16(Buffer.alloc(15)).length, 16);
    assert.deepEqual(pad16(Buffer.alloc(16)).subarray(16), Buffer.alloc(16, 16));
    assert.deepEqual(unpad16(pad16(Buffer.from('abc'))), Buffer.from('abc'));
    assert.equal(unpad16(Buffer.alloc(16, 0)), undefined);
    assert.equal(unpad16(Buffer.alloc(16, 17)), undefined);
    assert.equal(unpad16(Buffer.concat([Buffer.alloc(14, 2), Buffer.from([3, 2])])), undefined);
    assert.equal(unpad16(Buffer.alloc(15, 1)), undefined);
  });

  it('AES-128-CBC and HMAC-SHA256 agree with RFC 3602 case 1 and RFC 4231 test 1 (what the body builds on)', () => {
    const c = createCipheriv('aes-128-cbc', hex('06a9214036b8a15b512e03d534120006'), hex('3dafba429d9eb430b422da802c9fac41'));
    c.setAutoPadding(false);
    assert.equal(Buffer.concat([c.update('Single block msg'), c.final()]).toString('hex'), 'e353779c1079aeb82708942dbe77181a');
    assert.equal(
      createHmac('sha256', Buffer.alloc(20, 0x0b)).update('Hi There').digest('hex'),
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    );
  });

  it('refuses a body under the wrong key, secret or version, and a tampered one', () => {
    for (const version of [1, 2] as const) {
      const body = encryptBody(keys(version), Buffer.from('AT\r'), IV);
      assert.deepEqual(decryptBody(keys(version), body), Buffer.from('AT\r'));
      // V1's hash is under the cipher; V2's MAC is not keyed by the cipher key, so there the
      // wrong cipher key shows as garbage padding (fixed IV: this garbage is known not to unpad).
      assert.equal(decryptBody({ ...keys(version), encKey: Buffer.alloc(16, 1) }, body), version === 1 ? 'mac' : 'padding');
      const t = Buffer.from(body);
      t[5]! ^= 0x80;
      assert.equal(decryptBody(keys(version), t), 'mac');
      assert.equal(decryptBody(keys(version), body.subarray(0, body.length - 1)), 'length');
    }
    const v2 = encryptBody(keys(2), Buffer.from('AT\r'));
    assert.equal(decryptBody({ ...keys(2), teSecret: Buffer.alloc(16) }, v2), 'mac');
    assert.equal(decryptBody({ ...keys(2), hmacKey: Buffer.alloc(16) }, v2), 'mac');
  });
});

describe('C2C decoder: receiver behaviour (notes §1.10)', () => {
  const good = (text: string): Buffer => frameOf(2, text);

  it('drops a frame with a bad FCS, and finds the next one', () => {
    const bad = good('one');
    bad[bad.length - 3]! ^= 0xff;
    const { plain, decoder } = decodeAll(2, Buffer.concat([bad, good('two')]));
    assert.deepEqual(plain.map(String), ['two']);
    assert.equal(decoder.stats.dropped.fcs, 1);
  });

  it('drops a frame whose MAC fails (FCS recomputed over the tampered body)', () => {
    const f = good('one');
    const body = Buffer.from(f.subarray(3, f.length - 3));
    body[17]! ^= 1;
    const { plain, decoder } = decodeAll(2, Buffer.concat([encodeC2cFrame(body), good('two')]));
    assert.deepEqual(plain.map(String), ['two']);
    assert.equal(decoder.stats.dropped.mac, 1);
  });

  it('drops a truncated frame (a lost byte) and keeps the frame after it', () => {
    const f = good('one');
    const cut = Buffer.concat([f.subarray(0, 20), f.subarray(21)]);
    const { plain, decoder } = decodeAll(2, Buffer.concat([cut, good('two'), good('three')]));
    assert.deepEqual(plain.map(String), ['two', 'three']);
    assert.equal(decoder.stats.dropped.fcs, 1);
  });

  it('treats a flag with an impossible length as a false start; noise between frames is discarded', () => {
    const { plain, decoder } = decodeAll(2, Buffer.concat([Buffer.from([0xf9, 0xff, 0xff, 1, 2]), Buffer.from('noise'), good('ok')]));
    assert.deepEqual(plain.map(String), ['ok']);
    assert.equal(decoder.stats.dropped.oversize, 1);
    assert.ok(decoder.stats.discardedBytes >= 5);
  });

  it('refuses frames over its body limit (host frames to the module: 255 plaintext bytes)', () => {
    const big = sealFrames(keys(2), Buffer.alloc(256, 0x41), 1040);
    const { plain, decoder } = decodeAll(2, big, 288);
    assert.deepEqual(plain, []);
    // Its flag and every 0xF9 inside it are false starts.
    assert.ok(decoder.stats.dropped.oversize >= 1);
    assert.equal(decoder.stats.frames, 0);
  });

  it('waits for the rest of a split frame, and stop() hands back what follows the frame', () => {
    const wire = Buffer.concat([good('first'), Buffer.from('\r\nplain\r\n')]);
    const out: string[] = [];
    const decoder = new C2cDecoder(keys(2), (p) => {
      out.push(String(p));
      decoder.stop();
    });
    decoder.push(wire.subarray(0, 10));
    assert.equal(decoder.buffered, 10);
    decoder.push(wire.subarray(10));
    assert.deepEqual(out, ['first']);
    assert.equal(decoder.takeRest().toString(), '\r\nplain\r\n');
  });
});
