/**
 * The online-data path end to end on the u-blox products: a real TCP echo server on
 * loopback, `+USODL` direct link, then any bytes (no '+', so the escape is the test's own)
 * in any chunking — some typed ahead in the same chunk as the command — at any timing on
 * the manual clock. Every byte comes back through the module unchanged and in order; then
 * either the documented escape (silence, "+++", silence) gives OK, or the server closing
 * gives NO CARRIER; either way the terminal answers AT again.
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { ModuleHarness } from '../../packages/module/src/testing/harness.js';
import { fuzz, hex } from './fuzz.testutil.js';
import { fuzzModule, step } from './module.testutil.js';

interface Input {
  model: string;
  /** Bytes sent in the same chunk as AT+USODL=0 (typed ahead of CONNECT). */
  ahead: Buffer;
  chunks: Array<{ bytes: Buffer; advanceMs: number }>;
  end: 'escape' | 'remote-close';
}

const noPlus = fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b.map((x) => (x === 0x2b ? 0x2a : x))));

/** Waits (on I/O events, bounded) until the module has written at least `n` bytes. */
async function outputAtLeast(h: ModuleHarness, n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (h.output.length < n) {
    if (Date.now() > deadline) throw new Error(`only ${h.output.length} of ${n} bytes came back: ${JSON.stringify(h.output.toString('latin1').slice(-80))}`);
    await new Promise((r) => setImmediate(r));
  }
}

describe('fuzz: online data through the engine (u-blox +USODL)', () => {
  let server: Server;
  let port: number;
  const sockets: Socket[] = [];
  before(async () => {
    server = createServer((s) => {
      sockets.push(s);
      s.on('error', () => {});
      s.pipe(s);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('echoes every byte in any chunking and timing; +++ gives OK, the remote closing NO CARRIER; AT answers after', () =>
    fuzz<Input>({
      target: 'online-engine',
      encoding: '{ model, ahead (hex), chunks: [{ bytes (hex), advanceMs }], end }',
      toJson: (x) => ({ ...x, ahead: hex.to(x.ahead), chunks: x.chunks.map((c) => ({ bytes: hex.to(c.bytes), advanceMs: c.advanceMs })) }),
      fromJson: (j) => {
        const x = j as { model: string; ahead: string; chunks: Array<{ bytes: string; advanceMs: number }>; end: Input['end'] };
        return { ...x, ahead: hex.from(x.ahead), chunks: x.chunks.map((c) => ({ bytes: hex.from(c.bytes), advanceMs: c.advanceMs })) };
      },
      arbitrary: fc.record({
        model: fc.constantFrom('sara-r5', 'sara-r410m'),
        ahead: fc.oneof(fc.constant(Buffer.alloc(0)), noPlus),
        chunks: fc.array(fc.record({ bytes: noPlus, advanceMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3000 })) }), { maxLength: 8 }),
        end: fc.constantFrom('escape' as const, 'remote-close' as const),
      }),
      shortRuns: 12,
      check: async ({ model, ahead, chunks, end }) => {
        const fm = await fuzzModule(model, { registered: true });
        const { h } = fm;
        try {
          assert.match(await h.send('AT+USOCR=6\r'), /\+USOCR: 0\r\n\r\nOK\r\n$/);
          h.terminal.input(Buffer.from(`AT+USOCO=0,"127.0.0.1",${port}\r`));
          await h.waitFor('OK\r\n');
          const conn = sockets.at(-1)!;
          h.take();
          h.terminal.input(Buffer.concat([Buffer.from('AT+USODL=0\r'), ahead]));
          await outputAtLeast(h, 'AT+USODL=0\r\r\nCONNECT\r\n'.length);
          const data = Buffer.concat([ahead, ...chunks.map((c) => c.bytes)]);
          for (const c of chunks) await step(h, c.bytes, c.advanceMs);
          const prefix = 'AT+USODL=0\r\r\nCONNECT\r\n';
          await outputAtLeast(h, prefix.length + data.length);
          const out = h.take();
          assert.equal(out.slice(0, prefix.length), prefix);
          assert.ok(Buffer.from(out.slice(prefix.length), 'latin1').equals(data), 'the echo is the bytes sent');
          if (end === 'escape') {
            await step(h, Buffer.alloc(0), 1000);
            await step(h, Buffer.from('+++'), 1000);
            assert.equal(h.take(), '\r\nOK\r\n');
          } else {
            conn.end();
            assert.match(await h.waitFor('NO CARRIER\r\n'), /^\r\nNO CARRIER\r\n/);
          }
          assert.match(await h.send('AT\r'), /AT\r\r\nOK\r\n/);
          assert.deepEqual(fm.faults, []);
        } finally {
          await fm.close();
        }
      },
    }));
});
