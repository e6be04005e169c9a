import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { SerialPort } from 'serialport';
import { startServe } from './serve.js';
import { CliError } from './module-api.js';
import { fakeApi } from './testing.testutil.js';

const hasSocat = spawnSync('socat', ['-V']).status === 0;

async function atOk(port: number): Promise<string> {
  const s = net.connect({ host: '127.0.0.1', port });
  await once(s, 'connect');
  s.write('AT\r');
  let got = '';
  for await (const c of s) {
    got += (c as Buffer).toString();
    if (got.includes('OK')) break;
  }
  s.destroy();
  return got;
}

test('serve: N modules, one state folder each, exact listener lines', async () => {
  const api = fakeApi();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-serve-'));
  const lines: string[] = [];
  const pty = hasSocat ? path.join(dir, 'ttyV') : undefined;
  const served = await startServe(
    api,
    { model: 'sara-r410m', tcp: { host: '127.0.0.1', port: 0 }, pty, state: path.join(dir, 'state'), hosts: { a: '10.0.0.1' }, count: 2 },
    (l) => lines.push(l),
  );
  try {
    const tcpLines = lines.filter((l) => l.includes('tcp://'));
    assert.equal(tcpLines.length, 2);
    for (const l of tcpLines) {
      const m = /^modemlab: sara-r410m listening on tcp:\/\/127\.0\.0\.1:(\d+)$/.exec(l);
      assert.ok(m, l);
      assert.equal(await atOk(Number(m[1])), '\r\nOK\r\n');
    }
    if (pty) {
      assert.deepEqual(
        lines.filter((l) => l.includes(' pty ')),
        [`modemlab: sara-r410m listening on pty ${pty}0`, `modemlab: sara-r410m listening on pty ${pty}1`],
      );
      const port = await new Promise<SerialPort>((resolve, reject) => {
        const p = new SerialPort({ path: `${pty}1`, baudRate: 115200 }, (err) => (err ? reject(err) : resolve(p)));
      });
      port.write('AT\r');
      let got = '';
      for await (const c of port) {
        got += (c as Buffer).toString();
        if (got.includes('OK')) break;
      }
      await new Promise((r) => port.close(r));
      assert.equal(got, '\r\nOK\r\n');
    }
    assert.deepEqual(
      api.created.map((c) => c.opts),
      [0, 1].map((i) => ({
        model: 'sara-r410m',
        stateDir: path.join(dir, 'state', `sara-r410m-${i}`),
        hosts: { a: '10.0.0.1' },
        // startServe's default: a served module reaches only the lab.
        net: 'lab',
      })),
    );
    assert.ok(fs.statSync(path.join(dir, 'state', 'sara-r410m-1')).isDirectory());
  } finally {
    await served.close();
  }
  assert.ok(api.created.every((c) => c.closed));
  if (pty) assert.equal(fs.existsSync(`${pty}0`), false);
});

test('serve: --apns gives every module the operator\'s APN table', async () => {
  const api = fakeApi();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-serve-'));
  const served = await startServe(
    api,
    { model: 'sara-r5', tcp: { host: '127.0.0.1', port: 0 }, state: dir, hosts: {}, apns: ['flibble', 'internet'], count: 2 },
    () => {},
  );
  try {
    assert.deepEqual(
      api.created.map((c) => (c.opts as { network?: unknown }).network),
      [{ apns: ['flibble', 'internet'] }, { apns: ['flibble', 'internet'] }],
    );
  } finally {
    await served.close();
  }
});

test('serve: unknown model is a usage error (exit code 2) listing the models', async () => {
  const api = fakeApi();
  await assert.rejects(
    startServe(api, { model: 'xyz-9000', tcp: { host: '127.0.0.1', port: 0 }, state: os.tmpdir(), hosts: {}, count: 1 }, () => {}),
    (err: unknown) => err instanceof CliError && err.exitCode === 2 && /sara-r5, sara-r410m/.test(err.message),
  );
  assert.equal(api.created.length, 0);
});

test('serve: a listener failure closes what was started', async () => {
  const api = fakeApi();
  const blocker = net.createServer().listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  const port = (blocker.address() as net.AddressInfo).port;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-serve-'));
  try {
    await assert.rejects(
      startServe(api, { model: 'sara-r5', tcp: { host: '127.0.0.1', port: port - 1 }, state: dir, hosts: {}, count: 2 }, () => {}),
      /EADDRINUSE/,
    );
    assert.ok(api.created.every((c) => c.closed));
  } finally {
    blocker.close();
  }
});

test('serve: --radio and --radio-script reach every module as network options; bad ones are usage errors', async () => {
  const api = fakeApi();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-serve-'));
  const script = path.join(dir, 'radio.json');
  fs.writeFileSync(script, '[{"at": 60000, "coverage": false}, {"at": 90000, "coverage": true, "radio": "nbiot:edge"}]');
  const served = await startServe(
    api,
    { model: 'sara-r5', tcp: { host: '127.0.0.1', port: 0 }, state: dir, hosts: {}, apns: ['internet'], network: { rssi: -80 }, radio: 'ltem:edge', radioScript: script, count: 1 },
    () => {},
  );
  try {
    assert.deepEqual((api.created[0]!.opts as { network?: unknown }).network, {
      rssi: -80,
      apns: ['internet'],
      radio: 'ltem:edge',
      radioScript: [{ at: 60000, coverage: false }, { at: 90000, coverage: true, radio: 'nbiot:edge' }],
    });
  } finally {
    await served.close();
  }
  fs.writeFileSync(script, '[{"at": "soon"}]');
  for (const bad of [{ radio: 'ltem:underwater' }, { radioScript: script }, { radioScript: path.join(dir, 'missing.json') }]) {
    await assert.rejects(
      startServe(api, { model: 'sara-r5', tcp: { host: '127.0.0.1', port: 0 }, state: dir, hosts: {}, count: 1, ...bad }, () => {}),
      (err: unknown) => err instanceof CliError && err.exitCode === 2 && /--radio/.test(err.message),
    );
  }
  assert.equal(api.created.length, 1);
});
