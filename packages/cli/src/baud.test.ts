import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig, resolveServe, type ServeFlags } from './config.js';
import { parseBaud } from './parse.js';

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
