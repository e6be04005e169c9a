/**
 * `tsx bench/direct-link.ts [--mib N] [--rounds R]`: echo throughput of one TCP connection
 * in u-blox direct link mode (+USODL) through a virtual SARA-R5 served over loopback TCP,
 * beside a raw node:net client on the same echo server, in the same run.
 *
 * Both paths: Nagle off at every socket (the bench's clients, the echo server, the module's
 * transport; the module's own socket by +USOSO=0,6,1,1), one connection each kept for the
 * whole run, one warm-up round each, then R rounds alternating which goes first. Each round
 * writes N MiB in 64 KiB writes (respecting backpressure) and waits for every byte back.
 * Printed: min / median / max MB/s of each, and the ratio of the medians (module / raw).
 * The payload has no '+' so no guard-time pause can make an escape of it.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { VirtualModule } from '../packages/module/src/module.js';
import { serveTcp } from '../packages/module/src/transports/tcp.js';
import { echoServer } from './echo-server.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} wants a positive integer`);
  return v;
}

const MIB = arg('mib', 8);
const ROUNDS = arg('rounds', 7);
const CHUNK = 64 * 1024;

async function connect(port: number): Promise<net.Socket> {
  const s = net.connect({ port, host: '127.0.0.1' });
  s.setNoDelay(true);
  await once(s, 'connect');
  return s;
}

/** Sends a command line and reads until `until` appears; returns what came. */
async function at(s: net.Socket, line: string, until = '\r\nOK\r\n'): Promise<string> {
  let got = '';
  const done = new Promise<void>((resolve, reject) => {
    const on = (c: Buffer): void => {
      got += c.toString('latin1');
      if (got.includes(until)) {
        s.off('data', on);
        resolve();
      } else if (/\r\n(ERROR|\+CME ERROR: [^\r]*)\r\n/.test(got)) {
        s.off('data', on);
        reject(new Error(`${line} -> ${JSON.stringify(got)}`));
      }
    };
    s.on('data', on);
  });
  s.write(`${line}\r`);
  await done;
  return got;
}

/** Writes `payload` and waits until as many bytes came back; returns milliseconds. */
async function echoOnce(s: net.Socket, payload: Buffer, check = false): Promise<number> {
  const parts: Buffer[] = [];
  let got = 0;
  const start = process.hrtime.bigint();
  const back = new Promise<void>((resolve) => {
    const on = (c: Buffer): void => {
      got += c.length;
      if (check) parts.push(c);
      if (got >= payload.length) {
        s.off('data', on);
        resolve();
      }
    };
    s.on('data', on);
  });
  for (let off = 0; off < payload.length; off += CHUNK) {
    if (!s.write(payload.subarray(off, off + CHUNK))) await once(s, 'drain');
  }
  await back;
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (check && !Buffer.concat(parts).equals(payload)) throw new Error('echo differs from what was sent');
  return ms;
}

const stats = (xs: number[]): { min: number; median: number; max: number } => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return { min: s[0]!, median: s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2, max: s.at(-1)! };
};

async function main(): Promise<void> {
  const payload = Buffer.alloc(MIB * 1024 * 1024);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 131 + (i >> 9)) & 0xff;
  for (let i = payload.indexOf(0x2b); i >= 0; i = payload.indexOf(0x2b, i + 1)) payload[i] = 0x2a;

  const echo = await echoServer();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-bench-dl-'));
  const module = await VirtualModule.create({ model: 'sara-r5', stateDir, network: { registrationDelayMs: 50 }, log: () => {} });
  const listener = await serveTcp(module, { host: '127.0.0.1', port: 0 });
  const host = await connect(listener.address.port);
  const raw = await connect(echo.port);
  try {
    await at(host, 'ATE0');
    for (let i = 0; !(await at(host, 'AT+CGATT?')).includes('+CGATT: 1'); i++) {
      if (i > 100) throw new Error('the module did not register');
      await new Promise((r) => setTimeout(r, 50));
    }
    await at(host, 'AT+USOCR=6');
    await at(host, 'AT+USOSO=0,6,1,1');
    await at(host, `AT+USOCO=0,"127.0.0.1",${echo.port}`);
    await at(host, 'AT+USODL=0', '\r\nCONNECT\r\n');

    await echoOnce(raw, payload, true);
    await echoOnce(host, payload, true);
    const rawMs: number[] = [];
    const moduleMs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      if (r % 2 === 0) {
        rawMs.push(await echoOnce(raw, payload));
        moduleMs.push(await echoOnce(host, payload));
      } else {
        moduleMs.push(await echoOnce(host, payload));
        rawMs.push(await echoOnce(raw, payload));
      }
    }
    const mbps = (ms: number): number => (payload.length * 2) / 1e6 / (ms / 1000);
    const fmt = (xs: number[]): string => {
      const s = stats(xs.map(mbps));
      return `min ${s.min.toFixed(0)}  median ${s.median.toFixed(0)}  max ${s.max.toFixed(0)} MB/s`;
    };
    console.log(`direct link (+USODL, TCP echo, ${MIB} MiB each way, ${ROUNDS} rounds; MB/s counts both directions)`);
    console.log(`  raw node:net       ${fmt(rawMs)}`);
    console.log(`  module (+USODL)    ${fmt(moduleMs)}`);
    console.log(`  ratio of medians   ${(mbps(stats(moduleMs).median) / mbps(stats(rawMs).median)).toFixed(3)} (module / raw)`);
  } finally {
    host.destroy();
    raw.destroy();
    await listener.close();
    await module.close();
    echo.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

await main();
