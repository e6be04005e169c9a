/** `modemlab mqttsn-gateway --dtls` in front of a real mosquitto, driven by a raw MQTT-SN client over modemlab's DTLS client. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { execFileSync, spawn } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { connectAsync } from 'mqtt';
import { mqttsn, systemClock } from '@modemlab/at';
import { CertDtlsSession } from '@modemlab/module';
import { freePort, waitFor } from './gateway-process.testutil.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const bin = path.join(root, 'packages/cli/bin/modemlab.js');

/** A CA, a gateway certificate and a device certificate, made with openssl in `dir`. */
function makeCerts(dir: string): void {
  const o = (...a: string[]) => execFileSync('openssl', a, { cwd: dir, stdio: 'ignore' });
  o('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=gateway test CA', '-days', '30',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  for (const name of ['gateway', 'device']) {
    o('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    o('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30', '-out', `${name}.pem`);
  }
}

/** MQTT-SN messages over one DTLS session, with an awaitable inbox. */
class SnOverDtls {
  private readonly inbox: mqttsn.SnMessage[] = [];
  private waiter: ((m: mqttsn.SnMessage) => void) | null = null;
  constructor(private readonly s: CertDtlsSession) {
    s.on('message', (b) => {
      const m = mqttsn.decode(b);
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = null;
        w(m);
      } else this.inbox.push(m);
    });
  }
  next(): Promise<mqttsn.SnMessage> {
    const m = this.inbox.shift();
    return m ? Promise.resolve(m) : new Promise((r) => (this.waiter = r));
  }
  async request(m: mqttsn.SnMessage): Promise<mqttsn.SnMessage> {
    await this.s.send(mqttsn.encode(m));
    return this.next();
  }
}

test('e2e: mqttsn-gateway --dtls --cert --key --ca: a device with a CA certificate connects, registers, publishes, subscribes and receives', { timeout: 40_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-mqttsn-dtls-'));
  makeCerts(dir);
  const brokerPort = await freePort();
  fs.writeFileSync(path.join(dir, 'mosquitto.conf'), `listener ${brokerPort} 127.0.0.1\nallow_anonymous true\nlog_dest stderr\nlog_type all\n`);
  const mosquitto = spawn('mosquitto', ['-c', path.join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  const f = (n: string) => path.join(dir, n);
  const gw = spawn(process.execPath, [bin, 'mqttsn-gateway', '--listen', '127.0.0.1:0', '--broker', `mqtt://127.0.0.1:${brokerPort}`, '--dtls', '--cert', f('gateway.pem'), '--key', f('gateway.key'), '--ca', f('ca.pem')], {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    await waitFor(mosquitto, mosquitto.stderr!, /Opening ipv4 listen socket/);
    const ready = await waitFor(gw, gw.stdout!, /^mqttsn-gateway listening on dtls 127\.0\.0\.1:(\d+), broker mqtt:\/\/127\.0\.0\.1:\d+, 0 predefined topic\(s\)$/m);
    const port = Number(ready[1]);
    const open = (withCert: boolean) => CertDtlsSession.open({
      host: '127.0.0.1', port, suites: [0xc02b], clock: systemClock,
      verify: (chain) => (new X509Certificate(chain[0]!).verify(new X509Certificate(fs.readFileSync(f('ca.pem'))).publicKey) ? { ok: true } : { ok: false, failure: 'untrusted', message: 'not our CA' }),
      ...(withCert ? { chain: [new X509Certificate(fs.readFileSync(f('device.pem')))], key: createPrivateKey(fs.readFileSync(f('device.key'))) } : {}),
    });

    // Without a device certificate the gateway refuses the handshake (fatal handshake_failure).
    await assert.rejects(open(false), /fatal alert 40/);

    const watcher = await connectAsync(`mqtt://127.0.0.1:${brokerPort}`);
    await watcher.subscribeAsync('flex/#', { qos: 1 });
    const got = new Promise<string>((resolve) => watcher.on('message', (t, p) => resolve(`${t}=${p.toString()}`)));
    const session = await open(true);
    const c = new SnOverDtls(session);
    assert.deepEqual(await c.request({ type: 'CONNECT', will: false, cleanSession: true, duration: 60, clientId: 'flex-device' }), { type: 'CONNACK', returnCode: 0 });
    const reg = await c.request({ type: 'REGISTER', topicId: 0, msgId: 1, topicName: 'flex/up' });
    assert.ok(reg.type === 'REGACK' && reg.returnCode === 0 && reg.topicId > 0);
    const topicId = reg.type === 'REGACK' ? reg.topicId : 0;
    assert.deepEqual(
      await c.request({ type: 'PUBLISH', dup: false, qos: 1, retain: false, topic: { type: 'id', id: topicId }, msgId: 2, data: Buffer.from('over dtls') }),
      { type: 'PUBACK', topicId, msgId: 2, returnCode: 0 },
    );
    assert.equal(await got, 'flex/up=over dtls');
    const suback = await c.request({ type: 'SUBSCRIBE', dup: false, qos: 0, msgId: 3, topic: { type: 'name', name: 'flex/down' } });
    assert.ok(suback.type === 'SUBACK' && suback.returnCode === 0);
    await watcher.publishAsync('flex/down', 'to the device', { qos: 0 });
    const down = await c.next();
    assert.ok(down.type === 'PUBLISH');
    assert.equal(down.data.toString(), 'to the device');
    assert.deepEqual(await c.request({ type: 'DISCONNECT' }), { type: 'DISCONNECT' });
    session.close();
    await watcher.endAsync();
    const exited = once(gw, 'exit');
    gw.kill('SIGTERM');
    assert.deepEqual(await exited, [0, null]);
  } finally {
    gw.kill();
    mosquitto.kill();
  }
});

test('e2e: mqttsn-gateway --dtls --psk: openssl s_client with PSK-AES128-CCM8 sends CONNECT, gets CONNACK; an unknown identity is refused', { timeout: 40_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-mqttsn-psk-'));
  const brokerPort = await freePort();
  fs.writeFileSync(path.join(dir, 'mosquitto.conf'), `listener ${brokerPort} 127.0.0.1\nallow_anonymous true\nlog_dest stderr\nlog_type all\n`);
  const mosquitto = spawn('mosquitto', ['-c', path.join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  const gw = spawn(process.execPath, [bin, 'mqttsn-gateway', '--listen', '127.0.0.1:0', '--broker', `mqtt://127.0.0.1:${brokerPort}`, '--dtls', '--psk', 'flex-1:000102030405060708090a0b0c0d0e0f', '--psk', 'other:ff'], {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
  });
  /** s_client as a bare MQTT-SN client: one stdin write is one DTLS record, stdout the gateway's answers. */
  const sClient = (port: number, identity: string, input: Buffer, expect: number) =>
    new Promise<{ out: Buffer; err: string }>((resolve) => {
      const c = spawn('openssl', ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${port}`, '-quiet', '-psk', '000102030405060708090a0b0c0d0e0f', '-psk_identity', identity, '-cipher', 'PSK-AES128-CCM8']);
      let out = Buffer.alloc(0);
      let err = '';
      const done = () => {
        c.kill();
        resolve({ out, err });
      };
      c.stdout.on('data', (d: Buffer) => {
        out = Buffer.concat([out, d]);
        if (out.length >= expect) done();
      });
      c.stderr.on('data', (d: Buffer) => (err += d.toString()));
      c.on('exit', () => setImmediate(done));
      c.stdin.on('error', () => undefined);
      c.stdin.write(input);
    });
  try {
    await waitFor(mosquitto, mosquitto.stderr!, /Opening ipv4 listen socket/);
    const ready = await waitFor(gw, gw.stdout!, /^mqttsn-gateway listening on dtls 127\.0\.0\.1:(\d+),/m);
    const connect = mqttsn.encode({ type: 'CONNECT', will: false, cleanSession: true, duration: 30, clientId: 'psk-dev' });
    const ok = await sClient(Number(ready[1]), 'flex-1', connect, 3);
    assert.deepEqual(ok.out, mqttsn.encode({ type: 'CONNACK', returnCode: 0 }));
    const bad = await sClient(Number(ready[1]), 'nobody', connect, 3);
    assert.equal(bad.out.length, 0);
    assert.match(bad.err, /alert/);
  } finally {
    gw.kill();
    mosquitto.kill();
  }
});

test('e2e: bad DTLS flags are refused with exit 1 and a message', { timeout: 30_000 }, async () => {
  const run = async (...args: string[]) => {
    const child = spawn(process.execPath, [bin, 'mqttsn-gateway', '--listen', '127.0.0.1:0', '--broker', 'mqtt://127.0.0.1:1', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const [code] = await once(child, 'exit');
    return { code, err };
  };
  assert.deepEqual(await run('--cert', 'x.pem'), { code: 1, err: '--cert, --key, --ca and --psk need --dtls\n' });
  assert.deepEqual(await run('--dtls'), { code: 1, err: '--dtls needs --cert and --key, or --psk\n' });
  assert.deepEqual(await run('--dtls', '--psk', 'dev:zz'), { code: 1, err: "--psk must be IDENTITY:HEXKEY (1..64 bytes), got 'dev:zz'\n" });
  assert.deepEqual(await run('--dtls', '--cert', '/nonexistent.pem', '--key', '/nonexistent.key'), { code: 1, err: '--cert /nonexistent.pem: ENOENT\n' });
});
