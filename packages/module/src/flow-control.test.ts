import assert from 'node:assert/strict';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from '@modemlab/at';
import { PORT_STALL_MS, type PortFlow } from './link/port-flow.js';
import { VirtualModule } from './module.js';
import { serveTcp } from './transports/tcp.js';

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

/** A SARA-R5 with a file of `size` bytes of 'x', served on a loopback TCP port; resolves the port's flow at attach. */
async function servedModule(size: number, clock?: ManualClock) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-flow-'));
  const logs: string[] = [];
  const module = await VirtualModule.create({ model: 'sara-r5', stateDir: dir, log: (m) => logs.push(m), ...(clock ? { clock } : {}) });
  module.services.files.write('big.bin', Buffer.alloc(size, 'x'.charCodeAt(0)));
  const flow = new Promise<PortFlow>((resolve) =>
    module.onLinkStack((stack) => {
      if (stack.flow) resolve(stack.flow);
    }),
  );
  const listener = await serveTcp(module, { host: '127.0.0.1', port: 0 });
  const close = async (): Promise<void> => {
    await listener.close();
    await module.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { module, logs, flow, port: listener.address.port, close };
}

/** The port's flow once it has blocked and stayed blocked while the module ran as far as it could. */
async function settledBlocked(flow: PortFlow, onSample: (queued: number) => void): Promise<void> {
  for (;;) {
    if (!flow.blocked) await once(flow, 'blocked');
    onSample(flow.queuedBytes);
    for (let i = 0; i < 100; i++) {
      await turns(1);
      onSample(flow.queuedBytes);
    }
    if (flow.blocked) return;
  }
}

describe('output flow control (a client that stops reading)', () => {
  it('many large +URDFILE reads to a paused client: the queued bytes stay bounded; reading again brings every byte', { timeout: 120_000 }, async () => {
    const size = 2 * 1024 * 1024;
    const reads = 20;
    const m = await servedModule(size);
    try {
      const client = net.connect({ host: '127.0.0.1', port: m.port });
      await once(client, 'connect');
      client.pause();
      client.write('ATE0\r' + 'AT+URDFILE="big.bin"\r'.repeat(reads));
      const flow = await m.flow;
      let maxQueued = 0;
      await settledBlocked(flow, (q) => (maxQueued = Math.max(maxQueued, q)));
      // One chunk of a read in flight, not a response (2 MiB), let alone all of them (40 MiB).
      assert.ok(maxQueued <= 256 * 1024, `queued ${maxQueued} bytes`);

      let xs = 0;
      let text = '';
      client.on('data', (c: Buffer) => {
        for (const b of c) if (b === 0x78) xs++;
        text += c.toString('latin1').replace(/x+/g, '');
      });
      client.resume();
      while ((text.match(/\r\nOK\r\n/g) ?? []).length < reads + 1) await once(client, 'data');
      assert.equal(xs, reads * size);
      assert.equal((text.match(/\+URDFILE: "big\.bin",2097152,""/g) ?? []).length, reads);
      client.destroy();
    } finally {
      await m.close();
    }
  });

  it(`a port that takes no output for PORT_STALL_MS (${PORT_STALL_MS} ms, module clock) is dropped with a log line; the next client gets the port`, { timeout: 60_000 }, async () => {
    const clock = new ManualClock(Date.now());
    const m = await servedModule(2 * 1024 * 1024, clock);
    try {
      const stalled = net.connect({ host: '127.0.0.1', port: m.port });
      stalled.on('error', () => {});
      await once(stalled, 'connect');
      stalled.pause();
      stalled.write('ATE0\r' + 'AT+URDFILE="big.bin"\r'.repeat(10));
      const flow = await m.flow;
      await settledBlocked(flow, () => {});
      clock.advance(PORT_STALL_MS - 1);
      await turns(5);
      assert.equal(m.logs.filter((l) => /took no output/.test(l)).length, 0);
      clock.advance(1);
      assert.ok(m.logs.some((l) => /took no output for 30000 ms \(\d+ bytes queued\): dropped/.test(l)), m.logs.join('\n'));
      assert.equal(flow.queuedBytes, 0);

      const next = net.connect({ host: '127.0.0.1', port: m.port });
      await once(next, 'connect');
      next.write('AT\r');
      let got = '';
      while (!got.includes('OK\r\n')) got += ((await once(next, 'data'))[0] as Buffer).toString('latin1');
      assert.match(got, /OK\r\n$/);
      next.destroy();
      stalled.destroy();
    } finally {
      await m.close();
    }
  });
});
