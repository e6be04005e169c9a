/**
 * Frame-level fuzz of the decoder: random bytes, and valid streams with bytes flipped,
 * dropped or inserted. The decoder must never throw, must account for every frame it
 * delivers, and must deliver every frame of a clean stream. Seeded, so any failure replays.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CmuxDecoder, decodeControl, encodeFrame, type CmuxFrame, type FrameTypeName } from './index.js';

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES: FrameTypeName[] = ['SABM', 'UA', 'DM', 'DISC', 'UIH', 'UI'];

function randomFrames(next: () => number, count: number): CmuxFrame[] {
  const frames: CmuxFrame[] = [];
  for (let i = 0; i < count; i++) {
    const type = TYPES[Math.floor(next() * TYPES.length)]!;
    const len = type === 'UIH' || type === 'UI' ? Math.floor(next() * (next() < 0.1 ? 400 : 40)) : 0;
    const data = Buffer.alloc(len);
    for (let j = 0; j < len; j++) data[j] = next() < 0.05 ? 0xf9 : Math.floor(next() * 256);
    frames.push({ dlci: Math.floor(next() * 62), type, cr: next() < 0.5, pf: next() < 0.5, data });
  }
  return frames;
}

function chunked(next: () => number, bytes: Buffer, push: (b: Buffer) => void): void {
  for (let i = 0; i < bytes.length; ) {
    const n = 1 + Math.floor(next() * 64);
    push(bytes.subarray(i, i + n));
    i += n;
  }
}

describe('CMUX decoder fuzz', () => {
  it('delivers every frame of clean streams, in any chunking', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const next = rng(seed);
      const sent = randomFrames(next, 20);
      const got: CmuxFrame[] = [];
      const d = new CmuxDecoder((f) => got.push(f));
      chunked(next, Buffer.concat(sent.map(encodeFrame)), (b) => d.push(b));
      assert.deepEqual(got, sent, `seed ${seed}`);
      assert.equal(d.stats.frames, sent.length);
    }
  });

  it('never throws on random bytes and counts consistently', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const next = rng(seed * 7919);
      const bytes = Buffer.alloc(2000);
      for (let i = 0; i < bytes.length; i++) bytes[i] = next() < 0.1 ? 0xf9 : Math.floor(next() * 256);
      let delivered = 0;
      const d = new CmuxDecoder(
        (f) => {
          delivered++;
          // Control payloads from noise must decode or throw the documented error only.
          if (f.dlci === 0 && f.type === 'UIH') {
            try {
              decodeControl(f.data);
            } catch (e) {
              assert.equal((e as Error).name, 'ControlDecodeError');
            }
          }
        },
        { maxLength: 127 },
      );
      chunked(next, bytes, (b) => d.push(b));
      assert.equal(d.stats.frames, delivered);
      assert.ok(d.buffered <= bytes.length);
    }
  });

  it('after flipped, dropped and inserted bytes, keeps decoding and counts the damage', () => {
    let damaged = 0;
    let recovered = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const next = rng(seed * 104729);
      const sent = randomFrames(next, 30);
      const bytes = [...Buffer.concat(sent.map(encodeFrame))];
      const mutations = 1 + Math.floor(next() * 5);
      for (let m = 0; m < mutations; m++) {
        const at = Math.floor(next() * bytes.length);
        const kind = next();
        if (kind < 0.4) bytes[at] = bytes[at]! ^ (1 << Math.floor(next() * 8));
        else if (kind < 0.7) bytes.splice(at, 1);
        else bytes.splice(at, 0, Math.floor(next() * 256));
      }
      // Clean frames after the damage must come through: resynchronisation works. A damaged
      // length field may announce up to N1 bytes, swallowing what follows until that many
      // arrived, so the clean tail is longer than N1.
      const marker: CmuxFrame = { dlci: 9, type: 'UIH', cr: true, pf: false, data: Buffer.from(`end-${seed}`) };
      const got: CmuxFrame[] = [];
      const d = new CmuxDecoder((f) => got.push(f), { maxLength: 400 });
      const tail = Array.from({ length: 40 }, () => encodeFrame(marker));
      chunked(next, Buffer.concat([Buffer.from(bytes), ...tail]), (b) => d.push(b));
      const drops = Object.values(d.stats.dropped).reduce((a, b) => a + b, 0);
      damaged += drops;
      assert.equal(d.stats.frames, got.length);
      assert.deepEqual(got.at(-1), marker, `seed ${seed}`);
      if (got.filter((f) => f.data.equals(marker.data)).length === tail.length) recovered++;
    }
    assert.ok(damaged > 0);
    assert.ok(recovered > 250, `recovered ${recovered}/300`);
  });
});
