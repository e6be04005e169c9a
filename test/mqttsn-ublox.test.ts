/**
 * u-blox MQTT-SN transcripts (seed 000 §7) through the shipped gateway in front of a real broker
 * (aedes on loopback): configuration, will, NVM profile, connect/disconnect with sleep, subscribe,
 * publish and read, unsubscribe, register then publish, short and predefined topics, will update,
 * +UMQTTSNER, the gateway dying mid-session, bad input. MQTT Anywhere is the gateway reached by
 * name through the lab's host table ("the operator's private network"), predefined topics only.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { Aedes } from 'aedes';
import { mqttsn } from '@modemlab/at';
import { freeUdpPort } from '../packages/module/src/services/sockets/peers.testutil.js';
import { connectAsync, type MqttClient } from 'mqtt';
import { MqttSnGateway } from '../packages/cli/src/mqttsn-gateway/gateway.js';
import { listenUdp } from '../packages/cli/src/mqttsn-gateway/udp.js';
import { answer, at, atUntil, cmeError, OK, ublox } from '../packages/module/src/dialects/ublox/ublox.testutil.js';
import type { ModuleHarness } from '../packages/module/src/testing/harness.js';

let brokerUrl: string;
let brokerServer: Server;
let aedes: Aedes;
let gw: MqttSnGateway;
let gwPort: number;
let watcher: MqttClient;
const seen: Array<{ topic: string; payload: string }> = [];
let seenWaiter: (() => void) | null = null;

/** The next message the broker delivered on `topic` (others are skipped). */
async function nextSeen(topic: string): Promise<{ topic: string; payload: string }> {
  for (;;) {
    const i = seen.findIndex((m) => m.topic === topic);
    if (i >= 0) return seen.splice(i, 1)[0]!;
    await new Promise<void>((r) => (seenWaiter = r));
  }
}

before(async () => {
  aedes = await Aedes.createBroker();
  brokerServer = createServer(aedes.handle as never).listen(0, '127.0.0.1');
  await once(brokerServer, 'listening');
  brokerUrl = `mqtt://127.0.0.1:${(brokerServer.address() as { port: number }).port}`;
  const ep = await listenUdp('127.0.0.1', 0);
  gwPort = ep.port;
  gw = new MqttSnGateway({ endpoint: ep, broker: brokerUrl, predefined: new Map([[1, 'anywhere/telemetry']]), timerPeriodMs: 0 });
  watcher = await connectAsync(brokerUrl);
  await watcher.subscribeAsync('#', { qos: 1 });
  watcher.on('message', (topic, p) => {
    seen.push({ topic, payload: p.toString() });
    seenWaiter?.();
  });
});
after(async () => {
  await watcher.endAsync();
  await gw.close();
  brokerServer.close();
  aedes.close();
});

const open: ModuleHarness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});
async function module(): Promise<ModuleHarness> {
  const h = await ublox({ hosts: { 'gw.lab': '127.0.0.1', 'mqtt-anywhere.operator': '127.0.0.1' } });
  open.push(h);
  assert.equal(await at(h, 'AT+CMEE=2'), OK);
  return h;
}

/** Sends a +UMQTTSNC and returns everything through its +UUMQTTSNC result line. */
async function command(h: ModuleHarness, cmd: string, urcPrefix: string): Promise<string> {
  const out = await atUntil(h, cmd, urcPrefix);
  return out.endsWith('\r\n') ? out : out + (await h.waitFor('\r\n'));
}

async function connect(h: ModuleHarness, id: string): Promise<void> {
  assert.equal(await at(h, `AT+UMQTTSN=0,"${id}"`), OK);
  assert.equal(await at(h, `AT+UMQTTSN=1,"gw.lab",${gwPort}`), OK);
  assert.equal(await command(h, 'AT+UMQTTSNC=1', '+UUMQTTSNC: 1,'), `${OK}\r\n+UUMQTTSNC: 1,1\r\n`);
}

describe('u-blox MQTT-SN through the shipped gateway', () => {
  it('configuration: every op reads back; secure moves the default port; NVM store/restore/factory', async () => {
    const h = await module();
    assert.equal(await at(h, 'AT+UMQTTSN=1'), answer('+UMQTTSN: 1,"",2442'));
    assert.equal(await at(h, 'AT+UMQTTSN=0,"dev1"'), OK);
    assert.equal(await at(h, 'AT+UMQTTSN=0'), answer('+UMQTTSN: 0,"dev1"'));
    assert.equal(await at(h, 'AT+UMQTTSN=2,"10.0.0.1",1884'), OK);
    assert.equal(await at(h, 'AT+UMQTTSN=2'), answer('+UMQTTSN: 2,"10.0.0.1",1884'));
    assert.equal(await at(h, 'AT+UMQTTSN=4,2'), OK);
    assert.equal(await at(h, 'AT+UMQTTSN=4'), answer('+UMQTTSN: 4,2'));
    assert.equal(await at(h, 'AT+UMQTTSN=5,1'), OK);
    assert.equal(await at(h, 'AT+UMQTTSN=5'), answer('+UMQTTSN: 5,1'));
    assert.equal(await at(h, 'AT+UMQTTSN=6,"dev/will"'), OK);
    assert.equal(await at(h, 'AT+UMQTTSN=6'), answer('+UMQTTSN: 6,"dev/will"'));
    assert.equal(await at(h, 'AT+UMQTTSN=7,"bye"'), OK);
    assert.equal(await at(h, 'AT+UMQTTSN=7'), answer('+UMQTTSN: 7,"bye"'));
    assert.equal(await at(h, 'AT+UMQTTSN=8,120'), OK);
    assert.equal(await at(h, 'AT+UMQTTSN=8'), answer('+UMQTTSN: 8,120'));
    assert.equal(await at(h, 'AT+UMQTTSN=10,0'), OK);
    assert.equal(await at(h, 'AT+UMQTTSN=10'), answer('+UMQTTSN: 10,0'));
    assert.equal(await at(h, 'AT+UMQTTSN=1,"flex.lab"'), OK);
    assert.equal(await at(h, 'AT+UMQTTSN=9,1,2'), OK);
    assert.equal(await at(h, 'AT+UMQTTSN=9'), answer('+UMQTTSN: 9,1,2'));
    assert.equal(await at(h, 'AT+UMQTTSN=1'), answer('+UMQTTSN: 1,"flex.lab",1884'));
    assert.equal(await at(h, 'AT+UMQTTSNNV=2'), OK);
    assert.equal(await at(h, 'AT+UMQTTSNNV=0'), OK);
    assert.equal(await at(h, 'AT+UMQTTSN=0'), answer(`+UMQTTSN: 0,"${h.module.services.identity.imei}"`));
    assert.equal(await at(h, 'AT+UMQTTSNNV=1'), OK);
    assert.equal(await at(h, 'AT+UMQTTSN=0'), answer('+UMQTTSN: 0,"dev1"'));
    assert.equal(await at(h, 'AT+UMQTTSN=9'), answer('+UMQTTSN: 9,1,2'));
  });

  it('bad input: documented errors, nothing changes', async () => {
    const h = await module();
    assert.equal(await at(h, 'AT+UMQTTSN=0,"abc"'), OK);
    for (const bad of ['AT+UMQTTSN=3,1', 'AT+UMQTTSN=0,"' + 'x'.repeat(24) + '"', 'AT+UMQTTSN=0,""', 'AT+UMQTTSN=4,3', 'AT+UMQTTSN=8,70000', 'AT+UMQTTSN=2,"host.name"', 'AT+UMQTTSNNV=3', 'AT+UMQTTSNC=11', 'AT+UMQTTSNC=4,1,0,1,0,"1","zz"']) {
      assert.equal(await at(h, bad), cmeError('Incorrect parameters'), bad);
    }
    assert.equal(await at(h, 'AT+UMQTTSN=0'), answer('+UMQTTSN: 0,"abc"'));
    // Commands that need a session are refused before one exists.
    assert.equal(await at(h, 'AT+UMQTTSNC=2,"a/b"'), cmeError('operation not allowed'));
    assert.equal(await at(h, 'AT+UMQTTSNC=9'), cmeError('operation not allowed'));
    assert.equal(await at(h, 'AT+UMQTTSNC=1'), cmeError('operation not allowed')); // no gateway configured
    assert.equal(await at(h, 'AT+UMQTTSNER'), answer('+UMQTTSNER: 0,0'));
  });

  it('connect, register then publish (text and hex), subscribe to a normal topic, read, unsubscribe, disconnect', async () => {
    const h = await module();
    await connect(h, 'ubx1');
    assert.equal(await at(h, 'AT+UMQTTSN=0,"other"'), cmeError('operation not allowed'));
    const reg = await command(h, 'AT+UMQTTSNC=2,"ubx/temp"', '+UUMQTTSNC: 2,');
    const id = Number(/\+UUMQTTSNC: 2,1,(\d+)/.exec(reg)![1]);
    assert.equal(await command(h, `AT+UMQTTSNC=4,1,0,0,0,"${id}","21.5"`, '+UUMQTTSNC: 4,'), `${OK}\r\n+UUMQTTSNC: 4,1\r\n`);
    assert.deepEqual(await nextSeen('ubx/temp'), { topic: 'ubx/temp', payload: '21.5' });
    assert.equal(await command(h, `AT+UMQTTSNC=4,2,0,1,0,"${id}","414243"`, '+UUMQTTSNC: 4,'), `${OK}\r\n+UUMQTTSNC: 4,1\r\n`);
    assert.deepEqual(await nextSeen('ubx/temp'), { topic: 'ubx/temp', payload: 'ABC' });
    const sub = await command(h, 'AT+UMQTTSNC=5,1,0,"ubx/cmd"', '+UUMQTTSNC: 5,');
    assert.match(sub, /\+UUMQTTSNC: 5,1,1,\d+\r\n$/);
    h.take();
    await watcher.publishAsync('ubx/cmd', 'on', { qos: 1 });
    await h.waitFor('+UUMQTTSNC: 9,1\r\n');
    assert.equal(await at(h, 'AT+UMQTTSNC=9'), answer('+UMQTTSNC: 9,1,0,"ubx/cmd",2,"on"'));
    assert.equal(await at(h, 'AT+UMQTTSNC=9'), cmeError('operation not allowed'));
    assert.equal(await command(h, 'AT+UMQTTSNC=6,0,"ubx/cmd"', '+UUMQTTSNC: 6,'), `${OK}\r\n+UUMQTTSNC: 6,1\r\n`);
    assert.equal(await command(h, 'AT+UMQTTSNC=10', '+UUMQTTSNC: 10,'), `${OK}\r\n+UUMQTTSNC: 10,1\r\n`);
    assert.equal(await command(h, 'AT+UMQTTSNC=0', '+UUMQTTSNC: 0,'), `${OK}\r\n+UUMQTTSNC: 0,1\r\n`);
  });

  it('short topic names and predefined topics (MQTT Anywhere: the gateway by name on the operator network, QoS -1 without a session)', async () => {
    const h = await module();
    assert.equal(await at(h, 'AT+UMQTTSN=1,"mqtt-anywhere.operator",' + gwPort), OK);
    assert.equal(await command(h, 'AT+UMQTTSNC=4,3,0,0,1,"1","no session"', '+UUMQTTSNC: 4,'), `${OK}\r\n+UUMQTTSNC: 4,1\r\n`);
    assert.deepEqual(await nextSeen('anywhere/telemetry'), { topic: 'anywhere/telemetry', payload: 'no session' });
    await connect(h, 'ubx2');
    assert.equal(await command(h, 'AT+UMQTTSNC=4,1,0,0,2,"st","short"', '+UUMQTTSNC: 4,'), `${OK}\r\n+UUMQTTSNC: 4,1\r\n`);
    assert.deepEqual(await nextSeen('st'), { topic: 'st', payload: 'short' });
    assert.equal(await command(h, 'AT+UMQTTSNC=4,1,0,0,1,"1","pre"', '+UUMQTTSNC: 4,'), `${OK}\r\n+UUMQTTSNC: 4,1\r\n`);
    assert.deepEqual(await nextSeen('anywhere/telemetry'), { topic: 'anywhere/telemetry', payload: 'pre' });
    assert.equal(await at(h, 'AT+UMQTTSNC=4,1,0,0,2,"abc","x"'), cmeError('Incorrect parameters'));
    // A predefined id the gateway does not know: the gateway answers "invalid topic id".
    assert.equal(await command(h, 'AT+UMQTTSNC=4,1,0,0,1,"77","x"', '+UUMQTTSNC: 4,'), `${OK}\r\n+UUMQTTSNC: 4,0\r\n`);
    assert.equal(await at(h, 'AT+UMQTTSNER'), answer('+UMQTTSNER: 13,2'));
  });

  it('will at connect and will update: the gateway publishes the updated will when the module goes silent', async () => {
    const h = await module();
    assert.equal(await at(h, 'AT+UMQTTSN=6,"ubx3/will"'), OK);
    assert.equal(await at(h, 'AT+UMQTTSN=7,"first"'), OK);
    assert.equal(await at(h, 'AT+UMQTTSN=8,10'), OK);
    await connect(h, 'ubx3');
    assert.equal(await command(h, 'AT+UMQTTSNC=7,1,0,"ubx3/lastwill"', '+UUMQTTSNC: 7,'), `${OK}\r\n+UUMQTTSNC: 7,1\r\n`);
    assert.equal(await command(h, 'AT+UMQTTSNC=8,"gone"', '+UUMQTTSNC: 8,'), `${OK}\r\n+UUMQTTSNC: 8,1\r\n`);
    gw.checkTimers(Date.now() + 60_000);
    assert.deepEqual(await nextSeen('ubx3/lastwill'), { topic: 'ubx3/lastwill', payload: 'gone' });
  });

  it('disconnect with a sleep duration: messages wait in the gateway, a reconnect delivers them', async () => {
    const h = await module();
    assert.equal(await at(h, 'AT+UMQTTSN=10,0'), OK);
    await connect(h, 'ubx4');
    await command(h, 'AT+UMQTTSNC=5,0,2,"zz"', '+UUMQTTSNC: 5,');
    assert.equal(await command(h, 'AT+UMQTTSNC=0,600', '+UUMQTTSNC: 0,'), `${OK}\r\n+UUMQTTSNC: 0,1\r\n`);
    const buffered = new Promise<void>((r) => gw.once('buffered', () => r()));
    await watcher.publishAsync('zz', 'wake up');
    await buffered;
    h.take();
    const woke = await command(h, 'AT+UMQTTSNC=1', '+UUMQTTSNC: 1,');
    assert.ok(woke.startsWith(`${OK}\r\n+UUMQTTSNC: 1,1\r\n`), woke);
    if (!woke.includes('+UUMQTTSNC: 9,1\r\n')) await h.waitFor('+UUMQTTSNC: 9,1\r\n');
    assert.equal(await at(h, 'AT+UMQTTSNC=9'), answer('+UMQTTSNC: 9,0,2,"zz",7,"wake up"'));
  });
});

describe('u-blox MQTT-SN: the gateway dies mid-session', () => {
  it('no answer: the publish fails on the module clock and +UMQTTSNER says timeout', async () => {
    const ep = await listenUdp('127.0.0.1', 0);
    const dying = new MqttSnGateway({ endpoint: ep, broker: brokerUrl, timerPeriodMs: 0 });
    const h = await module();
    assert.equal(await at(h, 'AT+UMQTTSN=1,"gw.lab",' + ep.port), OK);
    assert.equal(await command(h, 'AT+UMQTTSNC=1', '+UUMQTTSNC: 1,'), `${OK}\r\n+UUMQTTSNC: 1,1\r\n`);
    await dying.close();
    assert.equal(await at(h, 'AT+UMQTTSNC=4,1,0,0,2,"dd","lost"'), OK);
    assert.equal(await h.advance(10_000), '\r\n+UUMQTTSNC: 4,0\r\n');
    assert.equal(await at(h, 'AT+UMQTTSNER'), answer('+UMQTTSNER: 33,21'));
  });
});

describe('u-blox MQTT-SN over DTLS (MQTT Flex: +USECPRF profile, gateway over the internet)', () => {
  it('connects through a DTLS 1.2 PSK session from the dialer; the gateway end (openssl s_server) sees CONNECT and answers CONNACK', async () => {
    const PSK = '0102030405060708090a0b0c0d0e0f10';
    const port = await freeUdpPort();
    // openssl plays the DTLS terminator of the gateway: it prints what it decrypts, sends what stdin gets.
    const server = spawn('openssl', ['s_server', '-dtls1_2', '-accept', String(port), '-nocert', '-psk', PSK, '-psk_identity', 'flex'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = Buffer.alloc(0);
    const grew: Array<() => void> = [];
    const collect = (d: Buffer): void => {
      output = Buffer.concat([output, d]);
      for (const g of grew.splice(0)) g();
    };
    server.stdout!.on('data', collect);
    server.stderr!.on('data', collect);
    const seenBytes = async (needle: Buffer): Promise<void> => {
      while (!output.includes(needle)) await new Promise<void>((r) => grew.push(r));
    };
    try {
      await seenBytes(Buffer.from('ACCEPT'));
      const h = await module();
      assert.equal(await at(h, `AT+USECPRF=1,8,"${PSK}",1`), OK);
      assert.equal(await at(h, 'AT+USECPRF=1,9,"flex"'), OK);
      assert.equal(await at(h, 'AT+UMQTTSN=0,"flex1"'), OK);
      assert.equal(await at(h, 'AT+UMQTTSN=9,1,1'), OK);
      assert.equal(await at(h, `AT+UMQTTSN=1,"gw.lab",${port}`), OK);
      h.take();
      h.terminal.input(Buffer.from('AT+UMQTTSNC=1\r', 'latin1'));
      const connect = mqttsn.encode({ type: 'CONNECT', will: false, cleanSession: true, duration: 600, clientId: 'flex1' });
      await seenBytes(connect);
      server.stdin!.write(mqttsn.encode({ type: 'CONNACK', returnCode: 0 }));
      const out = await h.waitFor('+UUMQTTSNC: 1,');
      const rest = out.endsWith('\r\n') ? out : out + (await h.waitFor('\r\n'));
      assert.equal(rest, `${OK}\r\n+UUMQTTSNC: 1,1\r\n`);
    } finally {
      server.kill();
    }
  });
});
