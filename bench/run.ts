/**
 * `npm run bench [-- --count N --rounds R]`: AT round trips per second through the virtual
 * module, each beside a raw baseline over the same transport in the same run. See
 * bench/README.md for how to read the table.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { VirtualModule } from '../packages/module/src/module.js';
import { connectInProcess } from '../packages/module/src/transports/in-process.js';
import { serveTcp, type TcpListener } from '../packages/module/src/transports/tcp.js';
import { AtClient } from '../packages/sdk/src/at-client.js';
import { connectLoopback, rawInProcess, rawRoundTrips, rawTcpServer } from './raw.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} wants a positive integer`);
  return v;
}

const COUNT = arg('count', 2000);
const ROUNDS = arg('rounds', 5);
const WARMUP = Math.min(COUNT, 500);
/** Rounds stop once this much time went by (at least one round always runs). */
const BUDGET_MS = 8000;

/** Runs `count` sequential round trips; resolves with elapsed nanoseconds. */
type Runner = (count: number) => Promise<bigint>;

interface Scenario {
  transport: 'in-process' | 'tcp';
  client: 'AtClient' | 'raw';
  command: string;
  baseline: Runner;
  module: Runner;
  baselineNs: number[];
  moduleNs: number[];
}

function atClientRunner(client: AtClient, command: string): Runner {
  return async (count) => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < count; i++) await client.send(command);
    return process.hrtime.bigint() - start;
  };
}

function rawRunner(stream: Duplex, command: string): Runner {
  return (count) => rawRoundTrips(stream, command, count);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const fmtUs = (ns: number): string => (ns / 1000).toFixed(1);

async function main(): Promise<void> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-bench-'));
  const faults: string[] = [];
  const mod = await VirtualModule.create({
    model: 'sara-r5',
    stateDir,
    log: (m) => faults.push(m),
  });
  const cleanups: Array<() => unknown> = [];

  try {
    // --- connections (all open for the whole run; each module connection is its own terminal)
    const ipRawHost = rawInProcess();
    const ipModHost = connectInProcess(mod);
    const ipRawHost2 = rawInProcess();
    const ipModHost2 = connectInProcess(mod);
    const ipRawClient = new AtClient(ipRawHost);
    const ipModClient = new AtClient(ipModHost);
    cleanups.push(() => ipRawHost.destroy(), () => ipModHost.destroy(), () => ipRawHost2.destroy(), () => ipModHost2.destroy());

    const rawServer = await rawTcpServer();
    cleanups.push(() => rawServer.close());
    // serveTcp takes one client at a time: one listener for the raw client, one for AtClient.
    const listeners: TcpListener[] = [];
    for (let i = 0; i < 2; i++) listeners.push(await serveTcp(mod, { host: '127.0.0.1', port: 0 }));
    cleanups.push(...listeners.map((l) => () => l.close()));
    const tcpRawToRaw = await connectLoopback(rawServer.port);
    const tcpRawToMod = await connectLoopback(listeners[0]!.address.port);
    const tcpAtToRaw = new AtClient(await connectLoopback(rawServer.port));
    const tcpAtToMod = new AtClient(await connectLoopback(listeners[1]!.address.port));
    cleanups.push(() => tcpRawToRaw.destroy(), () => tcpRawToMod.destroy(), () => tcpAtToRaw.stream.destroy(), () => tcpAtToMod.stream.destroy());

    // Echo off on every module terminal, so the module sends the same bytes for `AT` as the baseline.
    await ipModClient.send('ATE0');
    await tcpAtToMod.send('ATE0');
    await rawRoundTrips(ipModHost2, 'ATE0', 1);
    await rawRoundTrips(tcpRawToMod, 'ATE0', 1);

    const scenarios: Scenario[] = [];
    const add = (transport: Scenario['transport'], client: Scenario['client'], command: string, baseline: Runner, module: Runner): void => {
      scenarios.push({ transport, client, command, baseline, module, baselineNs: [], moduleNs: [] });
    };
    for (const command of ['AT', 'AT+CGMI']) {
      add('in-process', 'AtClient', command, atClientRunner(ipRawClient, command), atClientRunner(ipModClient, command));
      add('in-process', 'raw', command, rawRunner(ipRawHost2, command), rawRunner(ipModHost2, command));
      add('tcp', 'raw', command, rawRunner(tcpRawToRaw, command), rawRunner(tcpRawToMod, command));
      add('tcp', 'AtClient', command, atClientRunner(tcpAtToRaw, command), atClientRunner(tcpAtToMod, command));
    }
    const order = (s: Scenario): number => (s.transport === 'in-process' ? 0 : 2) + (s.client === 'AtClient' ? 0 : 1);
    scenarios.sort((a, b) => order(a) - order(b));

    // --- warm up (JIT, socket buffers), then timed rounds; baseline and module alternate first.
    for (const s of scenarios) {
      await s.baseline(WARMUP);
      await s.module(WARMUP);
    }
    const t0 = Date.now();
    let rounds = 0;
    for (let r = 0; r < ROUNDS; r++) {
      if (r > 0 && Date.now() - t0 > BUDGET_MS) break;
      for (const s of scenarios) {
        if (r % 2 === 0) {
          s.baselineNs.push(Number(await s.baseline(COUNT)) / COUNT);
          s.moduleNs.push(Number(await s.module(COUNT)) / COUNT);
        } else {
          s.moduleNs.push(Number(await s.module(COUNT)) / COUNT);
          s.baselineNs.push(Number(await s.baseline(COUNT)) / COUNT);
        }
      }
      rounds++;
    }

    // --- report
    console.log(`modemlab bench: sara-r5, ${COUNT} sequential round trips per run, median of ${rounds} round(s), ` +
      `Node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu?'}`);
    console.log('baseline = the same client over the same transport to a raw responder that answers "\\r\\nOK\\r\\n" per line\n');
    const header = ['transport', 'client', 'command', 'ops/s', 'baseline ops/s', 'ratio', 'engine µs/op', 'baseline µs/op'];
    const rows = scenarios.map((s) => {
      const m = median(s.moduleNs);
      const b = median(s.baselineNs);
      return [s.transport, s.client, s.command, fmtInt(1e9 / m), fmtInt(1e9 / b), (m / b).toFixed(2), fmtUs(m - b), fmtUs(b)];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]): string =>
      cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    console.log(line(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const r of rows) console.log(line(r));

    const find = (t: Scenario['transport'], c: Scenario['client'], cmd: string): Scenario =>
      scenarios.find((s) => s.transport === t && s.client === c && s.command === cmd)!;
    const tcp = find('tcp', 'raw', 'AT');
    const tcpEcho = median(tcp.baselineNs);
    const engineTcp = median(tcp.moduleNs) - tcpEcho;
    const ip = find('in-process', 'raw', 'AT');
    const engineIp = median(ip.moduleNs) - median(ip.baselineNs);
    const holds = engineTcp < tcpEcho / 2;
    console.log(`\naim: the engine costs less than half of a raw TCP echo round trip`);
    console.log(`  raw TCP echo round trip (raw client -> raw echo, AT): ${fmtUs(tcpEcho)} µs`);
    console.log(`  engine cost over TCP   (raw client, module - echo):  ${fmtUs(engineTcp)} µs = ${((engineTcp / tcpEcho) * 100).toFixed(0)}% of it`);
    console.log(`  engine cost in-process (raw client, module - echo):  ${fmtUs(engineIp)} µs = ${((engineIp / tcpEcho) * 100).toFixed(0)}% of it`);
    console.log(`  ${holds ? 'HOLDS' : 'DOES NOT HOLD'} (TCP row; informational, never fails the run)`);
    if (faults.length) console.log(`\nmodule reported ${faults.length} internal fault(s), first: ${faults[0]}`);
  } finally {
    for (const c of cleanups.reverse()) await c();
    await mod.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

await main();
