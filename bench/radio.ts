/**
 * `tsx bench/radio.ts [--rounds R] [--seconds S] [--only RAT[:COND]]`: each radio profile's
 * latency and bandwidth measured through a virtual module's data path against the table
 * (models/radio-profiles.ts).
 *
 * One SARA-R5 per profile (`network.radio`, the real clock), registered; the module's dialer
 * (the one every socket, TLS, HTTP, MQTT and FTP client goes through) connects to a loopback
 * peer with Nagle off. Latency: R one-byte echoes, each the time from the write to the echo
 * coming back. Bandwidth, each way: R transfers sized to S seconds of the configured rate,
 * timed at the receiver from the first to the last byte (the first segment's bytes not
 * counted). Printed: min / median / max beside the configured value. Nothing asserts on time.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { createModule, parseRadioSpec, RADIO_CONDITIONS, RADIO_RATS, type RadioProfile, type VirtualModule } from '../packages/module/src/index.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!(v > 0)) throw new Error(`--${name} wants a positive number`);
  return v;
}
const ROUNDS = Math.round(arg('rounds', 3));
const SECONDS = arg('seconds', 1.5);
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;

const stats = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  const f = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
  return `${f(s[0]!)} / ${f(s[Math.floor(s.length / 2)]!)} / ${f(s[s.length - 1]!)}`;
};

/** A peer that echoes in 'echo' mode, sinks (timing arrivals) in 'sink' mode, and sends on request. */
function peer(): Promise<{ port: number; conn: Promise<net.Socket>; close(): void }> {
  const server = net.createServer();
  const conn = new Promise<net.Socket>((resolve) => server.once('connection', (s) => (s.setNoDelay(true), s.on('error', () => {}), resolve(s))));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as net.AddressInfo).port, conn, close: () => server.close() })));
}

/** Bits per second of `bytes` arriving on `from` after `start()`, first byte to last (first segment excluded). */
async function transfer(from: net.Socket, bytes: number, start: () => void): Promise<number> {
  let got = 0;
  let first = 0n;
  let firstLen = 0;
  const done = new Promise<bigint>((resolve) => {
    const on = (d: Buffer) => {
      if (got === 0) {
        first = process.hrtime.bigint();
        firstLen = d.length;
      }
      got += d.length;
      if (got >= bytes) {
        from.off('data', on);
        resolve(process.hrtime.bigint());
      }
    };
    from.on('data', on);
  });
  start();
  const last = await done;
  return ((bytes - firstLen) * 8) / (Number(last - first) / 1e9);
}

async function measure(spec: string, p: RadioProfile, dir: string): Promise<string[]> {
  const module: VirtualModule = await createModule({ model: 'sara-r5', stateDir: path.join(dir, spec.replace(':', '-')), network: { radio: spec }, log: () => {} });
  const pr = await peer();
  try {
    while (!module.services.network.registered) await new Promise((r) => setTimeout(r, 50));
    const conn = await module.services.dialer.connect({ host: '127.0.0.1', port: pr.port });
    conn.raw.setNoDelay(true);
    const remote = await pr.conn;
    const rtts: number[] = [];
    remote.on('data', (d) => remote.write(d));
    // One unmeasured exchange first: the relay's and the echo's first-use costs are not the link's.
    conn.stream.write('w');
    await once(conn.stream, 'data');
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = process.hrtime.bigint();
      conn.stream.write('x');
      await once(conn.stream, 'data');
      rtts.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    remote.removeAllListeners('data');
    const up: number[] = [];
    const down: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const ub = Math.max(4096, Math.round((p.uplinkBps * SECONDS) / 8));
      up.push(await transfer(remote, ub, () => conn.stream.write(Buffer.alloc(ub, 0x55))));
      const db = Math.max(4096, Math.round((p.downlinkBps * SECONDS) / 8));
      down.push(await transfer(conn.stream as net.Socket, db, () => remote.write(Buffer.alloc(db, 0xaa))));
    }
    conn.stream.destroy();
    remote.destroy();
    const kbps = (xs: number[]) => xs.map((x) => x / 1000);
    return [
      `| ${spec} | ${p.rttMs} +- ${p.jitterMs / 2} | ${stats(rtts)} | ${p.uplinkBps / 1000} | ${stats(kbps(up))} | ${p.downlinkBps / 1000} | ${stats(kbps(down))} |`,
    ];
  } finally {
    pr.close();
    await module.close();
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-bench-radio-'));
const specs = only ? [only] : RADIO_RATS.flatMap((r) => RADIO_CONDITIONS.map((c) => `${r}:${c}`));
console.log(`radio profiles through the module's dialer (real clock): ${ROUNDS} rounds, transfers of ${SECONDS} s of airtime; min / median / max`);
console.log('| profile | RTT ms configured | RTT ms measured | up kbit/s configured | up measured | down kbit/s configured | down measured |');
console.log('|---|---|---|---|---|---|---|');
try {
  for (const spec of specs) {
    const parsed = parseRadioSpec(spec);
    if (!parsed) throw new Error(`unknown profile ${spec}`);
    for (const line of await measure(`${parsed.rat}:${parsed.condition}`, parsed.profile, dir)) console.log(line);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
