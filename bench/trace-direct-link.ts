/**
 * `npx tsx bench/trace-direct-link.ts [--mib N] [--rounds R]`: what `serve --trace` costs in
 * u-blox direct link (+USODL), where every byte is traced (JSON, text and hex). Two SARA-R5
 * served over loopback TCP, one with a trace tap writing to a file, each direct-linked to
 * the same TCP echo server (Nagle off everywhere); rounds alternate which goes first.
 * Prints min/median/max MB/s (both directions counted) and the ratio of the medians.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { VirtualModule } from '../packages/module/src/module.js';
import { serveTcp } from '../packages/module/src/transports/tcp.js';
import { TraceTap } from '../packages/module/src/link/trace-tap.js';
import { TraceWriter } from '../packages/cli/src/trace-writer.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const MIB = arg('mib', 4);
const ROUNDS = arg('rounds', 5);
const CHUNK = 64 * 1024;

async function connect(port: number): Promise<net.Socket> {
  const s = net.connect({ port, host: '127.0.0.1' });
  s.setNoDelay(true);
  await once(s, 'connect');
  return s;
}

async function at(s: net.Socket, line: string, until = '\r\nOK\r\n'): Promise<string> {
  let got = '';
  const done = new Promise<void>((resolve, reject) => {
    const on = (c: Buffer): void => {
      got += c.toString('latin1');
      const failed = /\r\n(ERROR|\+CME ERROR: [^\r]*)\r\n/.test(got);
      if (got.includes(until) || failed) {
        s.off('data', on);
        if (failed) reject(new Error(`${line} -> ${JSON.stringify(got)}`));
        else resolve();
      }
    };
    s.on('data', on);
  });
  s.write(`${line}\r`);
  await done;
  return got;
}

async function echoMs(s: net.Socket, payload: Buffer): Promise<number> {
  let got = 0;
  const start = process.hrtime.bigint();
  const back = new Promise<void>((resolve) => {
    const on = (c: Buffer): void => {
      got += c.length;
      if (got >= payload.length) {
        s.off('data', on);
        resolve();
      }
    };
    s.on('data', on);
  });
  for (let off = 0; off < payload.length; off += CHUNK) if (!s.write(payload.subarray(off, off + CHUNK))) await once(s, 'drain');
  await back;
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-bench-trace-dl-'));
const echo = net.createServer((s) => {
  s.setNoDelay(true);
  s.on('error', () => {});
  s.pipe(s);
});
echo.listen(0, '127.0.0.1');
await once(echo, 'listening');
const echoPort = (echo.address() as net.AddressInfo).port;
const writer = await TraceWriter.open(path.join(dir, 'dl.trace'));

async function directLink(name: string, traced: boolean) {
  const module = await VirtualModule.create({ model: 'sara-r5', stateDir: path.join(dir, name), network: { registrationDelayMs: 50 }, log: () => {} });
  const tap = traced ? new TraceTap({ sink: (c) => writer.write(c) }).watch(module) : undefined;
  const listener = await serveTcp(module, { host: '127.0.0.1', port: 0 });
  const host = await connect(listener.address.port);
  await at(host, 'ATE0');
  for (let i = 0; !(await at(host, 'AT+CGATT?')).includes('+CGATT: 1'); i++) {
    if (i > 100) throw new Error('the module did not register');
    await new Promise((r) => setTimeout(r, 50));
  }
  await at(host, 'AT+USOCR=6');
  await at(host, 'AT+USOSO=0,6,1,1');
  await at(host, `AT+USOCO=0,"127.0.0.1",${echoPort}`);
  await at(host, 'AT+USODL=0', '\r\nCONNECT\r\n');
  return {
    host,
    async close() {
      host.destroy();
      await listener.close();
      tap?.stop();
      await module.close();
    },
  };
}

const payload = Buffer.alloc(MIB * 1024 * 1024);
for (let i = 0; i < payload.length; i++) payload[i] = (i * 131 + (i >> 9)) & 0xff;
for (let i = payload.indexOf(0x2b); i >= 0; i = payload.indexOf(0x2b, i + 1)) payload[i] = 0x2a;

const plain = await directLink('plain', false);
const traced = await directLink('traced', true);
await echoMs(plain.host, payload);
await echoMs(traced.host, payload);
const ms = { plain: [] as number[], traced: [] as number[] };
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? (['plain', 'traced'] as const) : (['traced', 'plain'] as const);
  for (const which of order) ms[which].push(await echoMs(which === 'plain' ? plain.host : traced.host, payload));
}
const mbps = (t: number): number => (payload.length * 2) / 1e6 / (t / 1000);
const sorted = (xs: number[]): number[] => xs.map(mbps).sort((a, b) => a - b);
const fmt = (xs: number[]): string => {
  const s = sorted(xs);
  return `min ${s[0]!.toFixed(1)}  median ${s[s.length >> 1]!.toFixed(1)}  max ${s.at(-1)!.toFixed(1)} MB/s`;
};
console.log(`direct link (+USODL, TCP echo, ${MIB} MiB each way, ${ROUNDS} rounds)`);
console.log(`  no trace      ${fmt(ms.plain)}`);
console.log(`  --trace FILE  ${fmt(ms.traced)}`);
console.log(`  ratio of medians ${(sorted(ms.traced)[ROUNDS >> 1]! / sorted(ms.plain)[ROUNDS >> 1]!).toFixed(2)} (traced / plain)`);
await plain.close();
await traced.close();
await writer.close();
console.log(`  trace file ${(fs.statSync(path.join(dir, 'dl.trace')).size / 1e6).toFixed(1)} MB`);
echo.close();
fs.rmSync(dir, { recursive: true, force: true });
