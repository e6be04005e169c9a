/** The shipped program: `modemlab mqttsn-gateway` in front of a real mosquitto, driven over UDP. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connectAsync } from 'mqtt';
import { SnTestClient } from './sn-client.testutil.js';
import { freePort, waitFor } from './gateway-process.testutil.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

test('e2e: modemlab mqttsn-gateway bridges MQTT-SN to mosquitto with predefined topics, exits 0 on SIGTERM', { timeout: 30_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-mqttsn-'));
  const brokerPort = await freePort();
  fs.writeFileSync(path.join(dir, 'mosquitto.conf'), `listener ${brokerPort} 127.0.0.1\nallow_anonymous true\nlog_dest stderr\nlog_type all\n`);
  fs.writeFileSync(path.join(dir, 'topics.json'), JSON.stringify({ '5': 'lab/predefined' }));
  const mosquitto = spawn('mosquitto', ['-c', path.join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  const gw = spawn(
    process.execPath,
    [path.join(root, 'packages/cli/bin/modemlab.js'), 'mqttsn-gateway', '--listen', '127.0.0.1:0', '--broker', `mqtt://127.0.0.1:${brokerPort}`, '--predefined', path.join(dir, 'topics.json')],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    await waitFor(mosquitto, mosquitto.stderr!, /Opening ipv4 listen socket/);
    const ready = await waitFor(gw, gw.stdout!, /^mqttsn-gateway listening on udp 127\.0\.0\.1:(\d+), broker mqtt:\/\/127\.0\.0\.1:\d+, 1 predefined topic\(s\)$/m);
    const watcher = await connectAsync(`mqtt://127.0.0.1:${brokerPort}`);
    await watcher.subscribeAsync('lab/#', { qos: 1 });
    const got = new Promise<string>((resolve) => watcher.on('message', (t, p) => resolve(`${t}=${p.toString()}`)));
    const c = await SnTestClient.open(Number(ready[1]));
    assert.deepEqual(await c.request({ type: 'CONNECT', will: false, cleanSession: true, duration: 30, clientId: 'e2e' }), { type: 'CONNACK', returnCode: 0 });
    assert.deepEqual(
      await c.request({ type: 'PUBLISH', dup: false, qos: 1, retain: false, topic: { type: 'predefined', id: 5 }, msgId: 1, data: Buffer.from('hi') }),
      { type: 'PUBACK', topicId: 5, msgId: 1, returnCode: 0 },
    );
    assert.equal(await got, 'lab/predefined=hi');
    c.close();
    await watcher.endAsync();
    const exited = once(gw, 'exit');
    gw.kill('SIGTERM');
    assert.deepEqual(await exited, [0, null]);
  } finally {
    gw.kill();
    mosquitto.kill();
  }
});

test('e2e: a bad --predefined file is refused with exit 1 and a message', { timeout: 30_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-mqttsn-'));
  fs.writeFileSync(path.join(dir, 'bad.json'), '{"0": "x"}');
  const gw = spawn(process.execPath, [path.join(root, 'packages/cli/bin/modemlab.js'), 'mqttsn-gateway', '--listen', '127.0.0.1:0', '--broker', 'mqtt://127.0.0.1:1', '--predefined', path.join(dir, 'bad.json')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  gw.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const [code] = await once(gw, 'exit');
  assert.equal(code, 1);
  assert.match(err, /id "0" is not 1\.\.65534/);
});
