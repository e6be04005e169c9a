import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { duplexPair } from './duplex-pair.js';
import { connectInProcess } from './in-process.js';
import { FakeModule, readUntil, includes } from './fake-module.testutil.js';

const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

test('duplexPair: bytes cross both ways, binary safe', async () => {
  const [a, b] = duplexPair();
  const toB = readUntil(b, (all) => all.length >= 256);
  a.write(allBytes);
  assert.deepEqual(await toB, allBytes);
  const toA = readUntil(a, (all) => all.length >= 256);
  b.write(allBytes);
  assert.deepEqual(await toA, allBytes);
  a.destroy();
});

test('duplexPair: end propagates as end of the peer readable (half-close)', async () => {
  const [a, b] = duplexPair();
  b.resume();
  const ended = once(b, 'end');
  a.end('x');
  await ended;
  // b can still write back to a
  const back = readUntil(a, includes('reply'));
  b.end('reply');
  await back;
});

test('duplexPair: destroy propagates', async () => {
  const [a, b] = duplexPair();
  const closed = once(b, 'close');
  a.destroy();
  await closed;
  assert.ok(b.destroyed);
});

test('duplexPair: backpressure holds writes until the peer reads', async () => {
  const [a, b] = duplexPair();
  const big = Buffer.alloc(1024 * 1024, 7);
  let ok = true;
  for (let i = 0; i < 8 && ok; i++) ok = a.write(big);
  assert.equal(ok, false, 'writer should see backpressure');
  let total = 0;
  b.on('data', (c: Buffer) => (total += c.length));
  await once(a, 'drain');
  assert.ok(total > 0);
  a.destroy();
});

test('connectInProcess: the host end talks to the module; destroy detaches', async () => {
  const mod = new FakeModule();
  const host = connectInProcess(mod);
  assert.equal(mod.attached, 1);
  host.write('AT\r');
  const got = await readUntil(host, includes('OK'));
  assert.equal(got.toString(), '\r\nOK\r\n');
  host.destroy();
  await new Promise((r) => setImmediate(r));
  assert.equal(mod.detached, 1);
});

test('connectInProcess: binary echo of all 256 byte values', async () => {
  const mod = new FakeModule('echo');
  const host = connectInProcess(mod);
  const got = readUntil(host, (all) => all.length >= 256);
  host.write(allBytes);
  assert.deepEqual(await got, allBytes);
  host.end();
  await once(host, 'close');
  assert.equal(mod.detached, 1);
});
