/**
 * `tsx bench/c2c.ts [--kib N] [--rounds R]`: SDK socket echo throughput inside a
 * chip-to-chip (C2C V2) session, beside the same without it, in the same run.
 *
 * Two virtual SARA-R5 modules served over loopback TCP, each driven by the SDK
 * (openModem, attach, modem.connect to one node:net echo server on loopback). On one the
 * SDK pairs, confirms and opens a C2C session first, so every AT byte both ways (the
 * +USOWR/+USORD exchanges that carry the socket data) is framed, AES-128-CBC encrypted and
 * HMAC'd by the SDK and the module. Nagle is off at every socket (the SDK's and the
 * module's transports, the echo server). One connection each for the whole run, one
 * warm-up round each, then R rounds alternating which goes first; each round writes N KiB
 * and waits for every byte back. Printed: min / median / max KB/s of each, and the ratio
 * of the medians (C2C / plain). Nothing asserts on time.
 */
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createModule, serveTcp, type TcpListener, type VirtualModule } from '../packages/module/src/index.js';
import { openModem, type ModemSocket, type UbloxModem } from '../packages/sdk/src/index.js';
import { echoServer } from './echo-server.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} wants a positive integer`);
  return v;
}

const KIB = arg('kib', 256);
const ROUNDS = arg('rounds', 5);

interface Path {
  name: string;
  module: VirtualModule;
  listener: TcpListener;
  modem: UbloxModem;
  socket: ModemSocket;
  samples: number[];
}

async function openPath(name: string, dir: string, echoPort: number, c2c: boolean): Promise<Path> {
  const module = await createModule({ model: 'sara-r5', stateDir: path.join(dir, name), network: { registrationDelayMs: 0 }, log: () => {} });
  const listener = await serveTcp(module, { host: '127.0.0.1', port: 0 });
  const modem = (await openModem({ url: `tcp://127.0.0.1:${listener.address.port}` })) as UbloxModem;
  if (c2c) {
    await modem.security.c2c.pair(randomBytes(16));
    await modem.security.c2c.confirm();
    await modem.security.c2c.open();
  }
  await modem.attach({ timeoutMs: 30_000 });
  const socket = await modem.connect({ host: '127.0.0.1', port: echoPort });
  return { name, module, listener, modem, socket, samples: [] };
}

/** Writes `payload` and resolves with the KB/s once as many bytes came back. */
async function round(p: Path, payload: Buffer): Promise<number> {
  const start = process.hrtime.bigint();
  let got = 0;
  const back = new Promise<void>((resolve) => {
    const on = (c: Buffer): void => {
      got += c.length;
      if (got >= payload.length) {
        p.socket.off('data', on);
        resolve();
      }
    };
    p.socket.on('data', on);
  });
  if (!p.socket.write(payload)) await once(p.socket, 'drain');
  await back;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return payload.length / 1024 / seconds;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const fmt = (x: number): string => x.toFixed(0).padStart(7);

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-bench-c2c-'));
  const echo = await echoServer();
  const plain = await openPath('plain', dir, echo.port, false);
  const c2c = await openPath('c2c', dir, echo.port, true);
  try {
    const payload = randomBytes(KIB * 1024);
    for (const p of [plain, c2c]) await round(p, payload); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? [plain, c2c] : [c2c, plain];
      for (const p of order) p.samples.push(await round(p, payload));
    }
    console.log(`SDK socket echo through a virtual SARA-R5 over loopback TCP, ${KIB} KiB per round, ${ROUNDS} rounds (KB/s)`);
    console.log('path                 min  median     max');
    for (const p of [plain, c2c]) {
      const label = p === plain ? 'plain AT          ' : 'inside C2C V2     ';
      console.log(`${label}${fmt(Math.min(...p.samples))} ${fmt(median(p.samples))} ${fmt(Math.max(...p.samples))}`);
    }
    console.log(`ratio of medians (C2C / plain): ${(median(c2c.samples) / median(plain.samples)).toFixed(2)}`);
    const drops = c2c.modem.security.c2c.stats!;
    console.log(`C2C frames decoded by the SDK: ${drops.frames}, dropped: ${JSON.stringify(drops.dropped)}`);
  } finally {
    for (const p of [plain, c2c]) {
      p.socket.destroy();
      await p.modem.close();
      await p.listener.close();
      await p.module.close();
    }
    echo.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
