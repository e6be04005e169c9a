import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe } from './serve.js';
import { CliError } from './module-api.js';
import { isLoopbackHost } from './exposure.js';
import { fakeApi } from './testing.testutil.js';

test('exposure: only literal loopback counts as loopback', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1']) assert.equal(isLoopbackHost(h), true, h);
  for (const h of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'myhost', '::ffff:10.0.0.1', '128.0.0.1']) assert.equal(isLoopbackHost(h), false, h);
});

test('exposure: --tcp beyond loopback without --expose is a usage error; nothing starts', async () => {
  const api = fakeApi();
  const lines: string[] = [];
  await assert.rejects(
    startServe(api, { model: 'sara-r5', tcp: { host: '0.0.0.0', port: 0 }, state: os.tmpdir(), hosts: {}, count: 1 }, (l) => lines.push(l)),
    (err: unknown) => err instanceof CliError && err.exitCode === 2 && /--expose/.test(err.message) && /0\.0\.0\.0/.test(err.message),
  );
  assert.equal(api.created.length, 0);
  assert.deepEqual(lines, []);
});

test('exposure: with --expose it listens and warns (on the warning channel)', async () => {
  const api = fakeApi();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-expose-'));
  const out: string[] = [];
  const warnings: string[] = [];
  const served = await startServe(
    api,
    { model: 'sara-r5', tcp: { host: '0.0.0.0', port: 0 }, state: dir, hosts: {}, count: 1, expose: true },
    (l) => out.push(l),
    (l) => warnings.push(l),
  );
  try {
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /WARNING.*beyond loopback.*127\.0\.0\.1.*--net lab/);
    assert.equal(out.length, 1);
    assert.match(out[0]!, /listening on tcp:\/\/0\.0\.0\.0:\d+$/);
  } finally {
    await served.close();
  }
});

test('exposure: loopback needs no --expose and prints no warning', async () => {
  const api = fakeApi();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-expose-'));
  const warnings: string[] = [];
  const served = await startServe(api, { model: 'sara-r5', tcp: { host: '127.0.0.1', port: 0 }, state: dir, hosts: {}, count: 1 }, () => {}, (l) => warnings.push(l));
  await served.close();
  assert.deepEqual(warnings, []);
});
