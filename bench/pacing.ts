/**
 * Serial line pacing accuracy (issue 14): a SARA-R5 served on loopback TCP with `baud`
 * (the UartLine at the bottom of its port) sends a file of `seconds` worth of line time
 * with AT+URDFILE; the client times the file's bytes from the first chunk to the last.
 * Achieved rate = bytes after the first chunk x 10 bits (8N1) / elapsed. The other way,
 * the host writes as many bytes at once after AT+UDWNFILE's prompt and times them to the
 * OK (which adds its own 6 bytes: 0.05% at 115200 over 10 s). Each is printed as
 * min/median/max of achieved/configured over `runs` transfers per rate. Target: within ±2%.
 * Real time (systemClock): the line counts from absolute time, so late timers delay bytes
 * but do not slow the rate. Never fails the run; only reports.
 *
 *   tsx bench/pacing.ts [--seconds 10] [--runs 3] [--rates 115200,921600]
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createModule, serveTcp } from '@modemlab/module';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    rates: { type: 'string', default: '115200,921600' },
  },
});
const seconds = Number(values.seconds);
const runs = Number(values.runs);
const rates = values.rates.split(',').map(Number);

/** One transfer: the ratio achieved/configured. */
async function transfer(port: number, size: number, baud: number): Promise<number> {
  const client = net.connect({ host: '127.0.0.1', port });
  client.setNoDelay(true);
  await new Promise<void>((r) => client.once('connect', () => r()));
  let text = '';
  const ready = new Promise<void>((resolve) => {
    const onData = (c: Buffer): void => {
      text += c.toString('latin1');
      if (text.endsWith('OK\r\n')) {
        client.off('data', onData);
        resolve();
      }
    };
    client.on('data', onData);
  });
  client.write('ATE0\r');
  await ready;
  return new Promise<number>((resolve, reject) => {
    let xs = 0;
    let first = 0;
    let after = 0;
    let last = 0;
    client.on('data', (c: Buffer) => {
      let n = 0;
      for (const b of c) if (b === 0x78) n++;
      if (n === 0) return;
      const now = performance.now();
      if (xs === 0) first = now;
      else after += n;
      xs += n;
      last = now;
      if (xs === size) {
        client.destroy();
        resolve((after * 10) / ((last - first) / 1000) / baud);
      }
    });
    client.on('error', reject);
    client.write('AT+URDFILE="pace.bin"\r');
  });
}

/** One upload (host -> module): AT+UDWNFILE, then `size` bytes at once; the line paces them in. Ratio achieved/configured, timed from the write to the OK. */
async function upload(port: number, size: number, baud: number, name: string): Promise<number> {
  const client = net.connect({ host: '127.0.0.1', port });
  client.setNoDelay(true);
  await new Promise<void>((r) => client.once('connect', () => r()));
  let text = '';
  const waitFor = (end: string): Promise<void> =>
    new Promise((resolve) => {
      const onData = (c: Buffer): void => {
        text += c.toString('latin1');
        if (text.endsWith(end)) {
          client.off('data', onData);
          text = '';
          resolve();
        }
      };
      client.on('data', onData);
    });
  let next = waitFor('OK\r\n');
  client.write('ATE0\r');
  await next;
  next = waitFor('>');
  client.write(`AT+UDWNFILE="${name}",${size}\r`);
  await next;
  next = waitFor('OK\r\n');
  const t0 = performance.now();
  client.write(Buffer.alloc(size, 0x79));
  await next;
  const ms = performance.now() - t0;
  client.destroy();
  return (size * 10) / (ms / 1000) / baud;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (r: number): string => `${((r - 1) * 100).toFixed(3)}%`;

console.log(`serial line pacing: ${seconds} s transfers over loopback TCP (down: module -> host, AT+URDFILE; up: host -> module, AT+UDWNFILE), ${runs} runs per rate and direction`);
console.log('rate      dir   bytes/run   min ratio  median     max        min dev    max dev    within ±2%');
for (const baud of rates) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-bench-pacing-'));
  const module = await createModule({ model: 'sara-r5', stateDir: dir, baud, log: () => {} });
  const size = Math.round((baud / 10) * seconds);
  module.services.files.write('pace.bin', Buffer.alloc(size, 0x78));
  const listener = await serveTcp(module, { host: '127.0.0.1', port: 0 });
  // Warm-up: a short transfer so the first measured one does not pay for JIT and sockets.
  module.services.files.write('pace.bin', Buffer.alloc(Math.round(baud / 100), 0x78));
  await transfer(listener.address.port, Math.round(baud / 100), baud);
  await upload(listener.address.port, Math.round(baud / 100), baud, 'warm.bin');
  module.services.files.write('pace.bin', Buffer.alloc(size, 0x78));
  const down: number[] = [];
  for (let i = 0; i < runs; i++) down.push(await transfer(listener.address.port, size, baud));
  const up: number[] = [];
  for (let i = 0; i < runs; i++) up.push(await upload(listener.address.port, size, baud, `up${i}.bin`));
  await listener.close();
  await module.close();
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [dirName, ratios] of [['down', down], ['up', up]] as const) {
    const min = Math.min(...ratios);
    const max = Math.max(...ratios);
    const ok = min >= 0.98 && max <= 1.02;
    console.log(
      `${String(baud).padEnd(9)} ${dirName.padEnd(5)} ${String(size).padEnd(11)} ${min.toFixed(5).padEnd(10)} ${median(ratios).toFixed(5).padEnd(10)} ${max.toFixed(5).padEnd(10)} ${pct(min).padEnd(10)} ${pct(max).padEnd(10)} ${ok ? 'HOLDS' : 'DOES NOT HOLD'}`,
    );
  }
}
