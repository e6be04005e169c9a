import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import net from 'node:net';
import { once } from 'node:events';
import { loadConfig, resolveServe, type ServeFlags } from './config.js';
import { loadModuleApi } from './module-api.js';
import { parseBaud } from './parse.js';
import { startServe } from './serve.js';
import { fakeApi } from './testing.testutil.js';

const defaults: ServeFlags = { model: 'sara-r5', state: './.modemlab/state', net: 'lab', count: 1, logLevel: 'info' };

function file(content: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-baud-'));
  const f = path.join(dir, 'modemlab.config.json');
  fs.writeFileSync(f, JSON.stringify(content));
  return f;
}

test('--baud: a rate in bit/s from 300 to 4,000,000; anything else is refused with the reason', () => {
  assert.equal(parseBaud('115200'), 115200);
  assert.equal(parseBaud('921600'), 921600);
  assert.throws(() => parseBaud('fast'), /expected a rate in bit\/s, got 'fast'/);
  assert.throws(() => parseBaud('100'), /baud rate out of range \(300-4000000\): 100/);
  assert.throws(() => parseBaud('5000000'), /out of range/);
});

test('config key baud: the file\'s rate reaches serve; a typed --baud wins; absent means no pacing', async () => {
  const cfg = await loadConfig(file({ baud: 9600 }), true)!;
  assert.equal(resolveServe(defaults, () => false, cfg).serve.baud, 9600);
  assert.equal(resolveServe({ ...defaults, baud: 921600 }, (f) => f === 'baud', cfg).serve.baud, 921600);
  assert.equal('baud' in resolveServe(defaults, () => false, {}).serve, false);
  await assert.rejects(async () => loadConfig(file({ baud: 12.5 }), true));
});

test('serve: baud reaches every module it creates; absent, none is paced', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-baud-serve-'));
  for (const baud of [9600, undefined]) {
    const api = fakeApi();
    const served = await startServe(api, { model: 'sara-r5', tcp: { host: '127.0.0.1', port: 0 }, state: dir, hosts: {}, count: 2, ...(baud ? { baud } : {}) }, () => {});
    await served.close();
    assert.deepEqual(api.created.map((c) => (c.opts as { baud?: number }).baud), [baud, baud]);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('serve --baud 9600 with the real module: AT gets OK, no sooner than 9 bytes take on the line', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-baud-real-'));
  const lines: string[] = [];
  const served = await startServe(await loadModuleApi(), { model: 'sara-r5', tcp: { host: '127.0.0.1', port: 0 }, state: dir, hosts: {}, count: 1, baud: 9600 }, (l) => lines.push(l));
  try {
    const port = Number(/:(\d+)$/.exec(lines.find((l) => l.includes('tcp://'))!)![1]);
    const s = net.connect({ host: '127.0.0.1', port });
    await once(s, 'connect');
    const t0 = performance.now();
    s.write('AT\r');
    let got = '';
    while (!got.includes('OK\r\n')) got += ((await once(s, 'data'))[0] as Buffer).toString('latin1');
    const ms = performance.now() - t0;
    s.destroy();
    assert.equal(got, 'AT\r\r\nOK\r\n');
    // 3 bytes in, then the last of 9 bytes out: at least 6 byte times after the third arrived (~9.4 ms in all).
    assert.ok(ms >= 9, `${ms.toFixed(1)} ms`);
  } finally {
    await served.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
