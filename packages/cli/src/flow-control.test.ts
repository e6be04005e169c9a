/**
 * RTS/CTS over a real TCP port (issue 14): `serve --baud` with AT&K3 (the default), a client
 * that stops reading: once the kernel's socket buffers are full the line holds the module's
 * output (nothing lost), and when the client reads again every byte arrives, in order. With
 * AT&K0 the same client loses bytes, counted. The in-process version is
 * packages/module/src/uart-pacing.test.ts; this one goes through the kernel's TCP stack.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadModuleApi, type ModuleApi } from './module-api.js';
import { startServe } from './serve.js';

/** What the test reads of the module behind serve (a VirtualModule): its files and its port's line. */
interface Inside {
  services: { files: { write(name: string, data: Buffer): void } };
  onLinkStack(watch: (stack: { bottom: unknown }) => void): () => void;
}
interface Line {
  hostStopped: boolean;
  lostOutputBytes: number;
  flow: { queuedBytes: number };
}

/** The file is read twice in one go: 8 MiB of output, more than the loopback buffers hold (the quota is 8 MiB). */
const SIZE = 4 * 1024 * 1024;
const READ = 'AT+URDFILE="big.bin"\r'.repeat(2);
const ANSWER = '\r\n+URDFILE: "big.bin",4194304,"x"\r\nOK\r\n';
/**
 * Beyond the CLI's --baud range (4 Mbit/s): the line paces the same at any rate, and the
 * kernel's buffers must fill before RTS drops, so the test needs megabytes in a few seconds.
 */
const BAUD = 40_000_000;
/** Waits for `cond`, letting the real clock run (the line's timers and the sockets). */
const until = async (cond: () => boolean): Promise<void> => {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
};

async function servedWithFile() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-flow-'));
  const real = await loadModuleApi();
  let inside: Inside | undefined;
  const api: ModuleApi = {
    ...real,
    createModule: async (opts) => {
      const m = await real.createModule(opts);
      inside = m as unknown as Inside;
      return m;
    },
  };
  const lines: string[] = [];
  const served = await startServe(api, { model: 'sara-r5', tcp: { host: '127.0.0.1', port: 0 }, state: dir, hosts: {}, count: 1, baud: BAUD }, (l) => lines.push(l));
  try {
    inside!.services.files.write('big.bin', Buffer.alloc(SIZE, 0x78));
  } catch (err) {
    await served.close();
    throw err;
  }
  let line: Line | undefined;
  inside!.onLinkStack((s) => void (line ??= s.bottom as Line));
  const port = Number(/:(\d+)$/.exec(lines.find((l) => l.includes('tcp://'))!)![1]);
  // The host: a plain TCP client; pause() stops reading the socket, the kernel's buffers fill
  // (several MB on loopback: its 64 KiB MSS lets the send buffer grow), then the module's
  // writes are refused: RTS off.
  const s = net.connect({ host: '127.0.0.1', port });
  await once(s, 'connect');
  let got = Buffer.alloc(0);
  s.on('data', (c: Buffer) => void (got = Buffer.concat([got, c])));
  const at = async (cmd: string, end = 'OK\r\n'): Promise<void> => {
    const from = got.length;
    s.write(`${cmd}\r`);
    await until(() => got.subarray(from).toString('latin1').endsWith(end));
  };
  const close = async (): Promise<void> => {
    s.destroy();
    await served.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { s, line: () => line!, got: () => got, at, close };
}

const xs = (b: Buffer): number => b.reduce((n, c) => n + (c === 0x78 ? 1 : 0), 0);

test('serve --baud, AT&K3 over TCP: a client that stops reading stops the module (output held, nothing lost); reading again brings every byte', { timeout: 60_000 }, async () => {
  const m = await servedWithFile();
  try {
    await m.at('ATE0', 'OK\r\n');
    await m.at('AT&K3');
    const before = m.got().length;
    m.s.pause();
    m.s.write(READ);
    await until(() => m.line().hostStopped);
    // The host's kernel buffers are full; the rest waits in the module, not on the wire.
    const held = m.line().flow.queuedBytes;
    assert.ok(held > 0, `${held} bytes held`);
    assert.equal(m.line().lostOutputBytes, 0);
    m.s.resume();
    await until(() => xs(m.got().subarray(before)) === 2 * SIZE && m.got().subarray(before).toString('latin1').endsWith('\r\nOK\r\n'));
    const answer = m.got().subarray(before);
    assert.equal(answer.toString('latin1').replace(/x+/g, 'x'), ANSWER + ANSWER);
    assert.equal(m.line().lostOutputBytes, 0);
  } finally {
    await m.close();
  }
});

test('serve --baud, AT&K0 over TCP: the same client loses output bytes, counted', { timeout: 60_000 }, async () => {
  const m = await servedWithFile();
  try {
    await m.at('ATE0', 'OK\r\n');
    await m.at('AT&K0');
    const before = m.got().length;
    m.s.pause();
    m.s.write(READ);
    await until(() => m.line().lostOutputBytes > 0);
    m.s.resume();
    await until(() => m.line().flow.queuedBytes === 0 && !m.line().hostStopped);
    await until(() => xs(m.got().subarray(before)) + m.line().lostOutputBytes >= 2 * SIZE);
    assert.ok(xs(m.got().subarray(before)) < 2 * SIZE, 'bytes were lost at the host');
  } finally {
    await m.close();
  }
});
