/**
 * Property tests of the C2C decoder (fast-check): whatever bytes arrive, in whatever
 * chunks, it never throws and only whole frames that were sent come out, in order; a clean
 * stream of frames comes out complete under any chunking.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { C2cDecoder, sealFrames, type C2cKeys } from './index.js';

const keysArb: fc.Arbitrary<C2cKeys> = fc
  .record({
    version: fc.constantFrom(1 as const, 2 as const),
    teSecret: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    encKey: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    hmacKey: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  })
  .map((k) => ({ version: k.version, teSecret: Buffer.from(k.teSecret), encKey: Buffer.from(k.encKey), hmacKey: Buffer.from(k.hmacKey) }));

/** Bytes rich in flags, so false starts and 0xF9 inside bodies are common. */
const noiseArb = fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a.map((b) => (b % 5 === 0 ? 0xf9 : b))));
const plainArb = fc.uint8Array({ minLength: 1, maxLength: 300 }).map((a) => Buffer.from(a));

/** Cuts `bytes` at the given fractions. */
function chunk(bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...at, bytes.length]) {
    out.push(bytes.subarray(prev, c));
    prev = c;
  }
  return out;
}

function decode(keys: C2cKeys, chunks: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  const decoder = new C2cDecoder(keys, (p) => out.push(p));
  for (const c of chunks) decoder.push(c);
  return out;
}

/** Is `seen` a subsequence of `sent`? */
function isSubsequence(seen: Buffer[], sent: Buffer[]): boolean {
  let i = 0;
  for (const s of seen) {
    while (i < sent.length && !sent[i]!.equals(s)) i++;
    if (i === sent.length) return false;
    i++;
  }
  return true;
}

const cutsArb = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });

describe('C2C decoder properties', () => {
  it('never throws on arbitrary bytes in arbitrary chunks, and nothing comes out of noise', () => {
    fc.assert(
      fc.property(keysArb, fc.uint8Array({ maxLength: 2000 }), cutsArb, (keys, bytes, cuts) => {
        assert.deepEqual(decode(keys, chunk(Buffer.from(bytes), cuts)), []);
      }),
      { numRuns: 300 },
    );
  });

  it('delivers every frame of a clean stream, in order, under any chunking', () => {
    fc.assert(
      fc.property(keysArb, fc.array(plainArb, { minLength: 1, maxLength: 6 }), cutsArb, (keys, plains, cuts) => {
        const wire = Buffer.concat(plains.map((p) => sealFrames(keys, p, 1040)));
        assert.deepEqual(Buffer.concat(decode(keys, chunk(wire, cuts))), Buffer.concat(plains));
      }),
      { numRuns: 200 },
    );
  });

  it('with noise, flipped bits and lost bytes mixed in, only whole frames that were sent come out, in order', () => {
    const damageArb = fc.array(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), kind: fc.constantFrom('flip', 'lose', 'noise') }), {
      maxLength: 4,
    });
    fc.assert(
      fc.property(keysArb, fc.array(plainArb, { minLength: 1, maxLength: 6 }), noiseArb, damageArb, cutsArb, (keys, plains, noise, damage, cuts) => {
        let wire = Buffer.concat(plains.map((p) => sealFrames(keys, p, 1040)));
        for (const d of damage) {
          const i = Math.floor(d.at * wire.length);
          if (d.kind === 'flip' && i < wire.length) wire[i]! ^= 0x5a;
          else if (d.kind === 'lose') wire = Buffer.concat([wire.subarray(0, i), wire.subarray(i + 1)]);
          else wire = Buffer.concat([wire.subarray(0, i), noise, wire.subarray(i)]);
        }
        // A 1040-byte plaintext is split over frames: compare frame by frame.
        const sentFrames = plains.flatMap((p) => {
          const parts: Buffer[] = [];
          for (let at = 0; at < p.length; at += 1040) parts.push(p.subarray(at, at + 1040));
          return parts;
        });
        assert.ok(isSubsequence(decode(keys, chunk(wire, cuts)), sentFrames));
      }),
      { numRuns: 300 },
    );
  });
});
