import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { describe, it } from 'node:test';
import { ManualClock } from '@modemlab/at';
import type { PortFlow } from './link/port-flow.js';
import { VirtualModule } from './module.js';
import { connectInProcess } from './transports/in-process.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A SARA-R5 paced at `baud` (undefined: not paced) on a manual clock, its UART an in-process pipe (with backpressure); `file` bytes of 'x' in big.bin. */
async function paced(baud: number | undefined, file = 0) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-pacing-'));
  const clock = new ManualClock(0);
  const logs: string[] = [];
  const module = await VirtualModule.create({ model: 'sara-r5', stateDir: dir, clock, ...(baud ? { baud } : {}), log: (m) => logs.push(m) });
  if (file > 0) module.services.files.write('big.bin', Buffer.alloc(file, 'x'.charCodeAt(0)));
  let flow: PortFlow | undefined;
  module.onLinkStack((s) => void (flow ??= s.flow));
  const host: Duplex = connectInProcess(module);
  let got = Buffer.alloc(0);
  const read = (c: Buffer) => void (got = Buffer.concat([got, c]));
  host.on('data', read);
  /** Sends `text` and waits until the module's transport has it (the line then paces it). */
  const send = async (text: string): Promise<void> => {
    const before = module.received;
    host.write(text);
    while (module.received < before + text.length) await turn();
  };
  /** Moves the module clock `ms` milliseconds, one at a time, letting the streams run between. */
  const advance = async (ms: number, step = 1): Promise<void> => {
    for (let t = 0; t < ms; t += step) {
      clock.advance(step);
      await turn();
    }
  };
  const close = async (): Promise<void> => {
    host.destroy();
    await module.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { module, clock, host, logs, flow: () => flow!, send, advance, text: () => got.toString('latin1'), bytes: () => got, read, close };
}

describe('a paced UART (VirtualModule baud)', () => {
  it('answers at 9600 bit/s; AT+IPR=115200 sends its OK at 9600 and what follows at 115200; AT+IPR? reflects it', async () => {
    const m = await paced(9600);
    try {
      // Full duplex at 0.96 B/ms: the module hears the '\r' at 14.6 ms (the 15 ms tick); its
      // echo and OK (7 bytes, 7.3 ms) follow the previous echo byte: the last leaves at 22.3 ms.
      await m.send('AT+IPR=115200\r');
      await m.advance(22);
      assert.notEqual(m.text(), 'AT+IPR=115200\r\r\nOK\r\n', 'not all out yet at 22 ms');
      await m.advance(1);
      assert.equal(m.text(), 'AT+IPR=115200\r\r\nOK\r\n');
      // 8 bytes in and 30 out at 115200 (11.52 B/ms): 3.3 ms; at 9600 it would take 40 ms.
      await m.send('AT+IPR?\r');
      await m.advance(4);
      assert.equal(m.text(), 'AT+IPR=115200\r\r\nOK\r\nAT+IPR?\r\r\n+IPR: 115200\r\n\r\nOK\r\n');
      assert.equal(m.module.services.settings.ipr, 115200);
    } finally {
      await m.close();
    }
  });

  it('AT+IPR with a rate the product does not list: ERROR, the rate stays; AT+IPR=? lists the product\'s rates', async () => {
    const m = await paced(115200);
    try {
      await m.send('ATE0\rAT+IPR=12345\rAT+IPR=?\r');
      await m.advance(20);
      assert.equal(m.text(), 'ATE0\r\r\nOK\r\n\r\nERROR\r\n\r\n+IPR: (0,9600,19200,38400,57600,115200,230400,460800,921600),()\r\n\r\nOK\r\n');
      assert.equal(m.module.services.settings.ipr, 115200);
    } finally {
      await m.close();
    }
  });

  it('RTS/CTS (AT&K3, the default): a host that stops reading stops the module\'s output, bounded and lossless; reading again brings every byte', async () => {
    const size = 256 * 1024;
    const m = await paced(921_600, size);
    try {
      await m.send('ATE0\r');
      await m.advance(5);
      m.host.pause();
      await m.send('AT+URDFILE="big.bin"\r');
      // 256 KiB at 92.16 B/ms would be out in 2.9 s: run 5 s of module time without reading.
      await m.advance(5000, 10);
      assert.equal(m.flow().blocked, true, 'the port is blocked (RTS off)');
      const waiting = m.host.readableLength + m.flow().queuedBytes;
      assert.ok(waiting < 128 * 1024, `${waiting} bytes between the module and the host`);
      assert.equal(m.logs.filter((l) => /lost/.test(l)).length, 0);
      m.host.resume();
      await m.advance(5000, 10);
      const xs = m.bytes().filter((b) => b === 0x78).length;
      assert.equal(xs, size);
      const shape = m.text().replace(/x+/g, 'x');
      assert.equal(shape, 'ATE0\r\r\nOK\r\n\r\n+URDFILE: "big.bin",262144,"x"\r\nOK\r\n');
    } finally {
      await m.close();
    }
  });

  it('CTS: a host typing ahead while the port is blocked waits on a paced line with AT&K3 (nothing lost); without a line (no CTS) the 16 KiB input buffer drops the overflow', async () => {
    for (const baud of [921_600, undefined]) {
      const size = 64 * 1024;
      const m = await paced(baud, size);
      try {
        await m.send('ATE0\r');
        await m.advance(5);
        m.host.pause();
        await m.send('AT+URDFILE="big.bin"\r');
        await m.advance(2000, 10);
        assert.equal(m.flow().blocked, true);
        // The port is blocked: the terminal holds what the host types (20.5 KiB of AT).
        const lines = 7000;
        m.host.write('AT\r'.repeat(lines));
        await m.advance(1000, 10);
        const dropped = m.logs.some((l) => /input buffer full/.test(l));
        assert.equal(dropped, baud === undefined, `baud ${baud}: ${m.logs.join(' | ')}`);
        m.host.resume();
        await m.advance(3000, 10);
        const oks = (m.text().match(/\r\nOK\r\n/g) ?? []).length;
        if (baud) assert.equal(oks, 2 + lines, 'every typed-ahead AT answered');
        else assert.ok(oks < 2 + lines, `${oks} OKs`);
      } finally {
        await m.close();
      }
    }
  });

  it('AT+UPSV=1,40: after 40 GSM frames (184.6 ms) without UART traffic the UART sleeps; the "A" of the next AT wakes it and is lost; the host\'s next AT gets OK (ubxlib\'s wake-up)', async () => {
    const m = await paced(115200);
    try {
      await m.send('ATE0\rAT+UPSV=1,40\r');
      await m.advance(5);
      assert.equal(m.text(), 'ATE0\r\r\nOK\r\n\r\nOK\r\n');
      await m.advance(100);
      await m.send('AT\r');
      await m.advance(5);
      assert.equal(m.text(), 'ATE0\r\r\nOK\r\n\r\nOK\r\n\r\nOK\r\n', 'awake at 105 ms: answered');
      await m.advance(185);
      await m.send('AT\r');
      await m.advance(5);
      await m.send('AT\r');
      await m.advance(5);
      // The sleeping UART lost the 'A': "T\r" is no command (ERROR); the next AT gets OK.
      assert.equal(m.text(), 'ATE0\r\r\nOK\r\n\r\nOK\r\n\r\nOK\r\n\r\nERROR\r\n\r\nOK\r\n');
    } finally {
      await m.close();
    }
  });

  it('flow control off (AT&K0): the module keeps sending to a host that stopped reading and the bytes are lost, logged', async () => {
    const size = 256 * 1024;
    const m = await paced(921_600, size);
    try {
      await m.send('ATE0\rAT&K0\r');
      await m.advance(5);
      m.host.pause();
      await m.send('AT+URDFILE="big.bin"\r');
      await m.advance(5000, 10);
      m.host.resume();
      await m.advance(100, 10);
      const xs = m.bytes().filter((b) => b === 0x78).length;
      assert.ok(xs < size, `${xs} of ${size} bytes reached the host`);
      assert.ok(m.logs.some((l) => /output bytes lost at the host/.test(l)) || m.logs.some((l) => /AT&K0/.test(l)), m.logs.join('\n'));
    } finally {
      await m.close();
    }
  });
});
