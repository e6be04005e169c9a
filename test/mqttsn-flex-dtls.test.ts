/**
 * MQTT Flex end to end (seed 000 §7): the virtual SARA-R5's MQTT-SN client with a +USECPRF
 * profile holding a root CA, a client certificate and its key → DTLS 1.2 with certificates →
 * modemlab's own gateway (`mqttsn-gateway --dtls --ca`, in process) → mosquitto. Plus the
 * module's profile trusting another CA: the documented failure, nothing sent.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { connectAsync, type MqttClient } from 'mqtt';
import { MqttSnGateway } from '../packages/cli/src/mqttsn-gateway/gateway.js';
import { listenDtls } from '../packages/cli/src/mqttsn-gateway/dtls.js';
import { answer, at, atUntil, cmeError, OK, ublox } from '../packages/module/src/dialects/ublox/ublox.testutil.js';
import type { ModuleHarness } from '../packages/module/src/testing/harness.js';
import { startMosquitto, type Mosquitto } from '../packages/module/src/testing/mosquitto.js';
import { sharedPki } from '../packages/module/src/testing/tls-peers.js';

const pki = sharedPki();
const PSK = '0102030405060708090a0b0c0d0e0f10';
let dir: string;
let broker: Mosquitto;
let gw: MqttSnGateway;
let gwPort: number;
let failures: string[] = [];
let watcher: MqttClient;
const seen: string[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modemlab-flex-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  broker = await startMosquitto();
  const ep = await listenDtls('127.0.0.1', 0, { cert: file('gw.pem', pki.server.cert), key: file('gw.key', pki.server.key), ca: file('ca.pem', pki.ca.cert), psk: new Map([['flex-psk', Buffer.from(PSK, 'hex')]]) });
  ep.server.on('handshakeError', (_peer, err) => failures.push(err.message));
  gwPort = ep.port;
  gw = new MqttSnGateway({ endpoint: ep, broker: `mqtt://127.0.0.1:${broker.port}`, predefined: new Map(), timerPeriodMs: 0 });
  watcher = await connectAsync(`mqtt://127.0.0.1:${broker.port}`);
  await watcher.subscribeAsync('flex/#', { qos: 1 });
  watcher.on('message', (t, p) => seen.push(`${t}=${p.toString()}`));
});

after(async () => {
  await watcher.endAsync();
  await gw.close();
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

const open: ModuleHarness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

async function command(h: ModuleHarness, cmd: string, urcPrefix: string): Promise<string> {
  const out = await atUntil(h, cmd, urcPrefix);
  return out.endsWith('\r\n') ? out : out + (await h.waitFor('\r\n'));
}

/** Imports a credential with +USECMNG (0 CA, 1 client certificate, 2 key). */
async function store(h: ModuleHarness, type: number, name: string, pem: string): Promise<void> {
  assert.equal(await at(h, `AT+USECMNG=0,${type},"${name}",${Buffer.byteLength(pem)}`), '\r\n>');
  assert.match(await h.send(pem), /\r\nOK\r\n$/);
}

/** A SARA-R5 with profile 1 = { root CA `ca`, client certificate and key } and MQTT-SN secure on it. */
async function flexModule(ca: string): Promise<ModuleHarness> {
  const h = await ublox({ hosts: { 'flex.lab': '127.0.0.1' } });
  open.push(h);
  assert.equal(await at(h, 'AT+CMEE=2'), OK);
  await store(h, 0, 'flexCA', ca);
  await store(h, 1, 'flexCert', pki.client.cert);
  await store(h, 2, 'flexKey', pki.client.key);
  for (const op of ['0,1', '3,"flexCA"', '5,"flexCert"', '6,"flexKey"']) assert.equal(await at(h, `AT+USECPRF=1,${op}`), OK);
  assert.equal(await at(h, 'AT+UMQTTSN=0,"flex-dev"'), OK);
  assert.equal(await at(h, 'AT+UMQTTSN=9,1,1'), OK);
  assert.equal(await at(h, `AT+UMQTTSN=1,"flex.lab",${gwPort}`), OK);
  return h;
}

/** The next message the broker delivered on `topic` (others are skipped). */
async function nextSeen(topic: string): Promise<string> {
  for (;;) {
    const i = seen.findIndex((m) => m.startsWith(`${topic}=`));
    if (i >= 0) return seen.splice(i, 1)[0]!;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('MQTT Flex: u-blox MQTT-SN over certificate DTLS to modemlab\'s gateway', () => {
  it('connect, register, publish, subscribe and receive, disconnect', async () => {
    const h = await flexModule(pki.ca.cert);
    assert.equal(await command(h, 'AT+UMQTTSNC=1', '+UUMQTTSNC: 1,'), `${OK}\r\n+UUMQTTSNC: 1,1\r\n`);
    const reg = await command(h, 'AT+UMQTTSNC=2,"flex/temp"', '+UUMQTTSNC: 2,');
    const id = Number(/\+UUMQTTSNC: 2,1,(\d+)\r\n$/.exec(reg)![1]);
    assert.equal(await command(h, `AT+UMQTTSNC=4,1,0,0,0,"${id}","21.5"`, '+UUMQTTSNC: 4,'), `${OK}\r\n+UUMQTTSNC: 4,1\r\n`);
    assert.equal(await nextSeen('flex/temp'), 'flex/temp=21.5');
    assert.match(await command(h, 'AT+UMQTTSNC=5,1,0,"flex/cmd"', '+UUMQTTSNC: 5,'), /^\r\nOK\r\n\r\n\+UUMQTTSNC: 5,1,1,\d+\r\n$/);
    h.take();
    await watcher.publishAsync('flex/cmd', 'on', { qos: 1 });
    await h.waitFor('+UUMQTTSNC: 9,1\r\n');
    assert.equal(await at(h, 'AT+UMQTTSNC=9'), answer('+UMQTTSNC: 9,1,0,"flex/cmd",2,"on"'));
    assert.equal(await command(h, 'AT+UMQTTSNC=0', '+UUMQTTSNC: 0,'), `${OK}\r\n+UUMQTTSNC: 0,1\r\n`);
    assert.deepEqual(failures, []);
  });

  it('the profile trusts another CA: the handshake fails on the module side, +UUMQTTSNC: 1,0 and the documented error', async () => {
    const h = await flexModule(pki.otherCa.cert);
    assert.equal(await command(h, 'AT+UMQTTSNC=1', '+UUMQTTSNC: 1,'), `${OK}\r\n+UUMQTTSNC: 1,0\r\n`);
    // 36,36: the DTLS handshake failed (docs/architecture.md, "MQTT-SN"); the module told the gateway why.
    assert.equal(await at(h, 'AT+UMQTTSNER'), answer('+UMQTTSNER: 36,36'));
    assert.deepEqual(failures, ['fatal alert 48 from the client']);
    // Nothing reached the broker, and the module can still be reconfigured.
    assert.equal(await at(h, 'AT+UMQTTSNC=2,"flex/x"'), cmeError('operation not allowed'));
  });
});

describe('MQTT Flex with a pre-shared key: the same gateway, PSK suites (--psk)', () => {
  it('profile with op 8/9: connect, register, publish reaches the broker; a wrong key fails with 36,36 after the handshake timer', async () => {
    const h = await ublox({ hosts: { 'flex.lab': '127.0.0.1' } });
    open.push(h);
    assert.equal(await at(h, 'AT+CMEE=2'), OK);
    assert.equal(await at(h, `AT+USECPRF=2,8,"${PSK}",1`), OK);
    assert.equal(await at(h, 'AT+USECPRF=2,9,"flex-psk"'), OK);
    assert.equal(await at(h, 'AT+UMQTTSN=0,"flex-psk-dev"'), OK);
    assert.equal(await at(h, 'AT+UMQTTSN=9,1,2'), OK);
    assert.equal(await at(h, `AT+UMQTTSN=1,"flex.lab",${gwPort}`), OK);
    assert.equal(await command(h, 'AT+UMQTTSNC=1', '+UUMQTTSNC: 1,'), `${OK}\r\n+UUMQTTSNC: 1,1\r\n`);
    const reg = await command(h, 'AT+UMQTTSNC=2,"flex/psk"', '+UUMQTTSNC: 2,');
    const id = Number(/\+UUMQTTSNC: 2,1,(\d+)\r\n$/.exec(reg)![1]);
    assert.equal(await command(h, `AT+UMQTTSNC=4,1,0,0,0,"${id}","psk up"`, '+UUMQTTSNC: 4,'), `${OK}\r\n+UUMQTTSNC: 4,1\r\n`);
    assert.equal(await nextSeen('flex/psk'), 'flex/psk=psk up');
    assert.equal(await command(h, 'AT+UMQTTSNC=0', '+UUMQTTSNC: 0,'), `${OK}\r\n+UUMQTTSNC: 0,1\r\n`);

    failures = [];
    assert.equal(await at(h, `AT+USECPRF=2,8,"${'ff'.repeat(16)}",1`), OK);
    // Keys differ, so the client's Finished does not authenticate at the gateway and is dropped
    // (DTLS drops bad records silently): the module's handshake timer (60 s) ends it.
    assert.equal(await at(h, 'AT+UMQTTSNC=1'), OK);
    assert.equal(await h.advance(60_000), '\r\n+UUMQTTSNC: 1,0\r\n');
    assert.equal(await at(h, 'AT+UMQTTSNER'), answer('+UMQTTSNER: 36,36'));
    assert.deepEqual(failures, []);
  });
});
