/**
 * Property tests of the wire codecs in packages/at: the 27.010 CMUX frame decoder, the
 * MQTT-SN 1.2 codec and the byte-trace codec. Any bytes: a value or the codec's documented
 * error, never another exception; what is decoded encodes back to the same value.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CmuxDecoder,
  decodeControl,
  decodeTraceLine,
  encodeFrame,
  encodeTraceLine,
  escapeBytes,
  mqttsn,
  roundTraceTime,
  TraceFormatError,
  unescapeText,
  type CmuxFrame,
  type FrameTypeName,
  type TraceChunk,
} from '@modemlab/at';
import { fuzz, hex } from './fuzz.testutil.js';

/** Cuts `bytes` at the given points (any chunking, including empty chunks). */
function chunks(bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of [...at, bytes.length]) {
    out.push(bytes.subarray(from, c));
    from = c;
  }
  return out;
}

const frameArb: fc.Arbitrary<CmuxFrame> = fc
  .record({
    dlci: fc.integer({ min: 0, max: 63 }),
    type: fc.constantFrom<FrameTypeName>('SABM', 'UA', 'DM', 'DISC', 'UIH', 'UI'),
    cr: fc.boolean(),
    pf: fc.boolean(),
    data: fc.uint8Array({ maxLength: 300 }),
  })
  // DLCI 62 with C/R=0 is the flag octet; encodeFrame refuses it (documented).
  .filter((f) => !(f.dlci === 62 && !f.cr))
  .map((f) => ({ ...f, data: f.type === 'UIH' || f.type === 'UI' ? Buffer.from(f.data) : Buffer.alloc(0) }));

describe('fuzz: 27.010 CMUX decoder', () => {
  it('delivers every frame of a clean stream whatever the chunking, after any leading noise without flags', () =>
    fuzz({
      target: 'cmux-clean',
      encoding: '{ frames: [{dlci,type,cr,pf,data(hex)}], cuts, noise(hex) }',
      toJson: (x) => ({ ...x, frames: x.frames.map((f) => ({ ...f, data: hex.to(f.data) })), noise: hex.to(x.noise) }),
      fromJson: (j) => {
        const x = j as { frames: Array<Omit<CmuxFrame, 'data'> & { data: string }>; cuts: number[]; noise: string };
        return { frames: x.frames.map((f) => ({ ...f, data: hex.from(f.data) })), cuts: x.cuts, noise: hex.from(x.noise) };
      },
      arbitrary: fc.record({
        frames: fc.array(frameArb, { maxLength: 12 }),
        cuts: fc.array(fc.nat(), { maxLength: 20 }),
        noise: fc.uint8Array({ maxLength: 40 }).map((b): Buffer => Buffer.from(b.filter((x) => x !== 0xf9))),
      }),
      shortRuns: 400,
      check: ({ frames, cuts, noise }) => {
        const got: CmuxFrame[] = [];
        const d = new CmuxDecoder((f) => got.push(f));
        for (const c of chunks(Buffer.concat([noise, ...frames.map(encodeFrame)]), cuts)) d.push(c);
        assert.deepEqual(got, frames);
        assert.equal(d.stats.frames, frames.length);
      },
    }));

  it('takes any bytes in any chunking without throwing; every delivered frame is counted and its control payload decodes or fails as documented', () =>
    fuzz({
      target: 'cmux-any',
      encoding: '{ bytes(hex), cuts, n1 }',
      toJson: (x) => ({ ...x, bytes: hex.to(x.bytes) }),
      fromJson: (j) => {
        const x = j as { bytes: string; cuts: number[]; n1: number };
        return { ...x, bytes: hex.from(x.bytes) };
      },
      arbitrary: fc.record({
        // Flags often, so frames are attempted; valid frames glued to noise now and then.
        bytes: fc
          .array(fc.oneof(fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.from(b) as Buffer), fc.constant(Buffer.from([0xf9])), frameArb.map(encodeFrame)), { maxLength: 30 })
          .map((parts) => Buffer.concat(parts) as Buffer),
        cuts: fc.array(fc.nat(), { maxLength: 30 }),
        n1: fc.integer({ min: 1, max: 400 }),
      }),
      shortRuns: 400,
      check: ({ bytes, cuts, n1 }) => {
        let delivered = 0;
        const d = new CmuxDecoder(
          (f) => {
            delivered++;
            assert.ok(f.data.length <= n1);
            if (f.dlci === 0 && f.type === 'UIH') {
              try {
                decodeControl(f.data);
              } catch (err) {
                assert.equal((err as Error).name, 'ControlDecodeError');
              }
            }
          },
          { maxLength: n1 },
        );
        for (const c of chunks(bytes, cuts)) d.push(c);
        assert.equal(d.stats.frames, delivered);
        assert.ok(d.buffered <= bytes.length);
      },
    }));
});

const typeByte = fc.oneof(fc.constantFrom(...Object.values(mqttsn.MsgType)), fc.integer({ min: 0, max: 255 }));

describe('fuzz: MQTT-SN codec', () => {
  it('decodes any datagram or throws MqttSnDecodeError; a decoded message encodes and decodes to itself', () =>
    fuzz({
      target: 'mqttsn-decode',
      encoding: 'the datagram as hex',
      toJson: hex.to,
      fromJson: hex.from,
      arbitrary: fc.oneof(
        fc.uint8Array({ maxLength: 40 }).map((b): Buffer => Buffer.from(b)),
        // A right length header in front of a known type, so bodies are actually parsed.
        fc.tuple(typeByte, fc.uint8Array({ maxLength: 300 })).map(([type, body]) => {
          const short = 2 + body.length;
          const head = short < 256 ? Buffer.from([short, type]) : Buffer.from([0x01, (short + 2) >> 8, (short + 2) & 0xff, type]);
          return Buffer.concat([head, body]) as Buffer;
        }),
      ),
      shortRuns: 2000,
      check: (datagram) => {
        let m: mqttsn.SnMessage;
        try {
          m = mqttsn.decode(Buffer.from(datagram));
        } catch (err) {
          assert.ok(err instanceof mqttsn.MqttSnDecodeError, `threw ${String(err)}`);
          return;
        }
        let again: Buffer;
        try {
          again = mqttsn.encode(m);
        } catch (err) {
          assert.ok(err instanceof mqttsn.MqttSnEncodeError, `encode threw ${String(err)}`);
          return;
        }
        assert.deepEqual(mqttsn.decode(again), m);
      },
    }));
});

const label = fc.string({ minLength: 1, maxLength: 12 });
const chunkArb: fc.Arbitrary<TraceChunk> = fc.record(
  {
    kind: fc.constant('chunk' as const),
    time: fc.double({ min: 0, max: 1e9, noNaN: true }),
    dir: fc.constantFrom('to-module' as const, 'from-module' as const),
    port: label,
    channel: fc.integer({ min: 0, max: 63 }),
    layer: label,
    bytes: fc.uint8Array({ maxLength: 200 }).map((b): Buffer => Buffer.from(b)),
  },
  { requiredKeys: ['kind', 'time', 'dir', 'port', 'layer', 'bytes'] },
);

describe('fuzz: trace codec', () => {
  it('escapes any bytes to printable text and back', () =>
    fuzz({
      target: 'trace-escape',
      encoding: 'bytes as hex',
      toJson: hex.to,
      fromJson: hex.from,
      arbitrary: fc.uint8Array({ maxLength: 500 }).map((b): Buffer => Buffer.from(b)),
      shortRuns: 1000,
      check: (bytes) => {
        const text = escapeBytes(bytes);
        assert.match(text, /^[\x20-\x7e]*$/);
        assert.deepEqual(unescapeText(text), bytes);
      },
    }));

  it('decodes every encoded chunk line to the same chunk, and any damaged line to a chunk or TraceFormatError', () =>
    fuzz({
      target: 'trace-line',
      encoding: '{ chunk (bytes hex), damage: [position, character] }',
      toJson: ({ chunk, damage }) => ({ chunk: { ...chunk, bytes: hex.to(chunk.bytes) }, damage }),
      fromJson: (j) => {
        const x = j as { chunk: TraceChunk & { bytes: string }; damage: [number, string][] };
        return { chunk: { ...x.chunk, bytes: hex.from(x.chunk.bytes) }, damage: x.damage };
      },
      arbitrary: fc.record({ chunk: chunkArb, damage: fc.array(fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 1 })), { maxLength: 3 }) }),
      shortRuns: 1000,
      check: ({ chunk, damage }) => {
        const line = encodeTraceLine(chunk);
        assert.deepEqual(decodeTraceLine(line), { ...chunk, time: roundTraceTime(chunk.time) });
        let bad = line;
        for (const [at, ch] of damage) {
          const i = at % bad.length;
          bad = bad.slice(0, i) + ch + bad.slice(i + 1);
        }
        try {
          const back = decodeTraceLine(bad, 7);
          assert.ok(back.kind === 'chunk' || back.kind === 'start');
        } catch (err) {
          assert.ok(err instanceof TraceFormatError, `threw ${String(err)}`);
          assert.equal(err.line, 7);
        }
      },
    }));
});
