/**
 * Property test of the module's 27.010 multiplexer (link/cmux-layer.ts) on every product
 * that has +CMUX: after AT+CMUX=0, any mix of frames — channels opened and closed, AT
 * input on them, control messages valid and invalid on DLCI 0, noise, damaged frames — in
 * any chunking and timing. The module logs no internal fault, and once the host closes the
 * mux (SABM then DISC on DLCI 0) the port answers AT again.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeControl, encodeFrame, type CmuxFrame, type ControlTypeName } from '@modemlab/at';
import { listModels } from '../../packages/module/src/models/index.js';
import { fuzz, hex } from './fuzz.testutil.js';
import { commandsOf, fuzzModule, recoverAndProbe, step } from './module.testutil.js';

interface Step {
  bytes: Buffer;
  advanceMs: number;
}

const frame = (f: Omit<CmuxFrame, 'cr' | 'pf'> & { cr?: boolean; pf?: boolean }): Buffer => encodeFrame({ cr: true, pf: true, ...f });

const controlTypes: ControlTypeName[] = ['PN', 'PSC', 'CLD', 'TEST', 'FCON', 'FCOFF', 'MSC', 'NSC', 'RPN', 'RLS', 'SNC'];
const dlci = fc.integer({ min: 0, max: 8 });
const atLine = fc.oneof(
  fc.constantFrom('AT\r', 'ATE0\r', 'AT+CMEE=2\r', 'AT+CMUX?\r', 'AT+CMUX=0\r', 'ATI\r', 'AT+CGMI\r', 'A/', '+++', '\x1a', '\x1b'),
  fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('latin1')),
);

const piece: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 3, arbitrary: dlci.map((d) => frame({ dlci: d, type: 'SABM', data: Buffer.alloc(0) })) },
  { weight: 5, arbitrary: fc.tuple(fc.integer({ min: 1, max: 8 }), atLine).map(([d, text]) => frame({ dlci: d, type: 'UIH', pf: false, data: Buffer.from(text, 'latin1') })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 8 }).map((d) => frame({ dlci: d, type: 'DISC', data: Buffer.alloc(0) })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...controlTypes.filter((t) => t !== 'CLD')), fc.boolean(), fc.uint8Array({ maxLength: 8 }))
      .map(([t, command, value]) => frame({ dlci: 0, type: 'UIH', pf: false, data: encodeControl(t, command, Buffer.from(value)) })),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 12 }).map((b) => frame({ dlci: 0, type: 'UIH', pf: false, data: Buffer.from(b) })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b)) },
  // A frame with one byte flipped.
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 1, max: 8 }), atLine, fc.nat(), fc.integer({ min: 1, max: 255 })).map(([d, text, at, x]) => {
      const f = frame({ dlci: d, type: 'UIH', pf: false, data: Buffer.from(text, 'latin1') });
      f[at % f.length] ^= x;
      return f;
    }),
  },
  { weight: 1, arbitrary: fc.constant(0).map(() => frame({ dlci: 0, type: 'UIH', pf: false, data: encodeControl('CLD', true) })) },
);

const steps: fc.Arbitrary<Step[]> = fc.array(
  fc.record({
    bytes: fc.array(piece, { minLength: 1, maxLength: 6 }).map((ps) => Buffer.concat(ps)),
    advanceMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 30_000 })),
  }),
  { minLength: 1, maxLength: 10 },
);

const muxProducts: string[] = [];
before(async () => {
  for (const model of listModels()) if ((await commandsOf(model)).some((c) => c.name === '+CMUX')) muxProducts.push(model);
});

describe('fuzz: the module multiplexer', () => {
  it('every product with +CMUX: any frames, noise, chunking and timing — no internal fault; the closed mux leaves a port that answers AT', async () => {
    assert.ok(muxProducts.length >= 4, `products with +CMUX: ${muxProducts.join(', ')}`);
    await fuzz({
      target: 'cmux-module',
      encoding: '{ model, steps: [{ bytes (hex), advanceMs }] }',
      toJson: (x) => ({ model: x.model, steps: x.steps.map((s) => ({ bytes: hex.to(s.bytes), advanceMs: s.advanceMs })) }),
      fromJson: (j) => {
        const x = j as { model: string; steps: Array<{ bytes: string; advanceMs: number }> };
        return { model: x.model, steps: x.steps.map((s) => ({ bytes: hex.from(s.bytes), advanceMs: s.advanceMs })) };
      },
      arbitrary: fc.record({ model: fc.constantFrom(...muxProducts), steps }),
      shortRuns: 40,
      check: async ({ model, steps: input }) => {
        const fm = await fuzzModule(model);
        try {
          const opened = await fm.h.send('AT+CMUX=0\r');
          assert.match(opened, /\r\nOK\r\n$/);
          for (const s of input) await step(fm.h, s.bytes, s.advanceMs);
          // The host closes the mux as 27.010 says; if it is closed already, these are a junk line.
          await step(fm.h, Buffer.concat([frame({ dlci: 0, type: 'SABM', data: Buffer.alloc(0) }), frame({ dlci: 0, type: 'DISC', data: Buffer.alloc(0) })]), 0);
          const probe = await recoverAndProbe(fm.h);
          assert.deepEqual(fm.faults, []);
          assert.match(probe, /\r\nOK\r\n$/, `the port did not answer AT after the mux closed; it said ${JSON.stringify(probe)}`);
        } finally {
          await fm.close();
        }
      },
    });
  });
});
