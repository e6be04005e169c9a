import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import mqttjs, { type MqttClient } from 'mqtt';
import { makePki, type TestPki } from '../../services/tls/tls.testutil.js';
import type { ModuleHarness } from '../../testing/harness.js';
import { startMosquitto, type Mosquitto, type MosquittoOptions } from '../../testing/mosquitto.js';
import { answer, at, atUntil, cmeError, OK, ublox, urc } from './ublox.testutil.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function broker(opts: MosquittoOptions = {}): Promise<Mosquitto> {
  const b = await startMosquitto(opts);
  cleanups.push(() => b.stop());
  return b;
}

async function module(): Promise<ModuleHarness> {
  const h = await ublox();
  cleanups.push(() => h.close());
  assert.equal(await at(h, 'AT+CMEE=2'), OK);
  return h;
}

/** An mqtt.js client straight to the broker: the other side of every exchange. */
async function observer(port: number, opts: mqttjs.IClientOptions = {}): Promise<MqttClient> {
  const c = mqttjs.connect({ host: '127.0.0.1', port, reconnectPeriod: 0, ...opts });
  cleanups.push(() => c.endAsync(true));
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('error', reject);
  });
  return c;
}

/** Sends a +UMQTTC and collects its OK and the URC that starts with `until`, whole line. */
async function command(h: ModuleHarness, line: string, until: string): Promise<string> {
  const out = await atUntil(h, line, until);
  return out.endsWith('\r\n') ? out : out + (await h.waitFor('\r\n'));
}

async function login(h: ModuleHarness, port: number, clientId = 'sara'): Promise<void> {
  assert.equal(await at(h, `AT+UMQTT=0,"${clientId}"`), OK);
  assert.equal(await at(h, `AT+UMQTT=3,"127.0.0.1",${port}`), OK);
  assert.equal(await command(h, 'AT+UMQTTC=1', '+UUMQTTC: 1,'), OK + urc('+UUMQTTC: 1,1'));
}

/** Sends a command and collects output until every needle has shown. */
async function collect(h: ModuleHarness, line: string, ...needles: string[]): Promise<string> {
  let out = await atUntil(h, line, needles[0]!);
  for (const n of needles.slice(1)) if (!out.includes(n)) out += await h.waitFor(n);
  return out;
}

function nextMessage(c: MqttClient): Promise<{ topic: string; payload: Buffer; retain: boolean; qos: number }> {
  return new Promise((resolve) => c.once('message', (topic, payload, packet) => resolve({ topic, payload, retain: packet.retain, qos: packet.qos })));
}

describe('u-blox +UMQTT profile', () => {
  it('sets and reads every op code; bad values are refused and change nothing', async () => {
    const h = await module();
    assert.equal(await at(h, 'AT+UMQTT=?'), answer('+UMQTT: (0-4,6-12)'));
    assert.equal(await at(h, 'AT+UMQTT=0'), answer('+UMQTT: 0,""'));
    assert.equal(await at(h, 'AT+UMQTT=1'), answer('+UMQTT: 1,1883'));
    assert.equal(await at(h, 'AT+UMQTT=0,"dev-1"'), OK);
    assert.equal(await at(h, 'AT+UMQTT=0'), answer('+UMQTT: 0,"dev-1"'));
    assert.equal(await at(h, 'AT+UMQTT=2,"broker.test",1884'), OK);
    assert.equal(await at(h, 'AT+UMQTT=2'), answer('+UMQTT: 2,"broker.test",1884'));
    assert.equal(await at(h, 'AT+UMQTT=3,"10.0.0.7"'), OK);
    assert.equal(await at(h, 'AT+UMQTT=2'), answer('+UMQTT: 2,"",1884'));
    assert.equal(await at(h, 'AT+UMQTT=3'), answer('+UMQTT: 3,"10.0.0.7",1884'));
    assert.equal(await at(h, 'AT+UMQTT=1,1900'), OK);
    assert.equal(await at(h, 'AT+UMQTT=1'), answer('+UMQTT: 1,1900'));
    assert.equal(await at(h, 'AT+UMQTT=4,"user","secret"'), OK);
    assert.equal(await at(h, 'AT+UMQTT=4'), answer('+UMQTT: 4,"user"'));
    assert.equal(await at(h, 'AT+UMQTT=6,2'), OK);
    assert.equal(await at(h, 'AT+UMQTT=6'), answer('+UMQTT: 6,2'));
    assert.equal(await at(h, 'AT+UMQTT=7,1'), OK);
    assert.equal(await at(h, 'AT+UMQTT=7'), answer('+UMQTT: 7,1'));
    assert.equal(await at(h, 'AT+UMQTT=8,"will/topic"'), OK);
    assert.equal(await at(h, 'AT+UMQTT=8'), answer('+UMQTT: 8,"will/topic"'));
    assert.equal(await at(h, 'AT+UMQTT=9,"414243",1'), OK);
    assert.equal(await at(h, 'AT+UMQTT=9'), answer('+UMQTT: 9,"ABC"'));
    assert.equal(await at(h, 'AT+UMQTT=10,60'), OK);
    assert.equal(await at(h, 'AT+UMQTT=10'), answer('+UMQTT: 10,60'));
    assert.equal(await at(h, 'AT+UMQTT=11,1,2'), OK);
    assert.equal(await at(h, 'AT+UMQTT=11'), answer('+UMQTT: 11,1,2'));
    assert.equal(await at(h, 'AT+UMQTT=12,0'), OK);
    assert.equal(await at(h, 'AT+UMQTT=12'), answer('+UMQTT: 12,0'));

    for (const bad of ['AT+UMQTT=5,1', 'AT+UMQTT=6,3', 'AT+UMQTT=7,2', 'AT+UMQTT=1,0', 'AT+UMQTT=3,"not-an-ip"', `AT+UMQTT=0,"${'x'.repeat(257)}"`, 'AT+UMQTT=9,"4G",1', 'AT+UMQTT=11,0,1', 'AT+UMQTT=11,1,9']) {
      assert.equal(await at(h, bad), cmeError('Incorrect parameters'), bad);
    }
    // Nothing changed.
    assert.equal(await at(h, 'AT+UMQTT=3'), answer('+UMQTT: 3,"10.0.0.7",1900'));
    assert.equal(await at(h, 'AT+UMQTT=0'), answer('+UMQTT: 0,"dev-1"'));
    assert.equal(await at(h, 'AT+UMQTT=6'), answer('+UMQTT: 6,2'));
    assert.equal(await at(h, 'AT+UMQTT=9'), answer('+UMQTT: 9,"ABC"'));
    assert.equal(await at(h, 'AT+UMQTT=11'), answer('+UMQTT: 11,1,2'));
  });

  it('+UMQTTNV stores the profile in NVM, restores the factory one, loads the stored one; power cycles keep NVM', async () => {
    const h = await module();
    assert.equal(await at(h, 'AT+UMQTT=0,"kept"'), OK);
    assert.equal(await at(h, 'AT+UMQTT=10,30'), OK);
    assert.equal(await at(h, 'AT+UMQTTNV=2'), OK);
    assert.equal(await at(h, 'AT+UMQTTNV=0'), OK);
    assert.equal(await at(h, 'AT+UMQTT=0'), answer('+UMQTT: 0,""'));
    assert.equal(await at(h, 'AT+UMQTT=10'), answer('+UMQTT: 10,0'));
    assert.equal(await at(h, 'AT+UMQTTNV=1'), OK);
    assert.equal(await at(h, 'AT+UMQTT=0'), answer('+UMQTT: 0,"kept"'));
    assert.equal(await at(h, 'AT+UMQTT=10'), answer('+UMQTT: 10,30'));
    assert.equal(await at(h, 'AT+UMQTT=0,"ram-only"'), OK);
    h.module.services.powerOff();
    h.module.services.powerOn();
    assert.equal(await at(h, 'AT+UMQTT=0'), answer('+UMQTT: 0,"kept"'));
    assert.equal(await at(h, 'AT+UMQTTNV=3'), cmeError('Incorrect parameters'));
    assert.equal(await at(h, 'AT+UMQTTNV=?'), answer('+UMQTTNV: (0-2)'));
  });
});

describe('u-blox +UMQTTC against mosquitto', () => {
  let pki: TestPki;
  before(() => {
    pki = makePki();
  });
  after(() => pki.dispose());

  it('session start and end; subscribe and publish on the same topic; QoS 0/1/2; read one and all', async () => {
    const b = await broker();
    const h = await module();
    const peer = await observer(b.port);
    await peer.subscribeAsync('lab/#', { qos: 2 });
    await login(h, b.port);
    assert.equal(await command(h, 'AT+UMQTTC=4,2,"lab/echo"', '+UUMQTTC: 4,'), OK + urc('+UUMQTTC: 4,1,2,"lab/echo"'));
    for (const qos of [0, 1, 2]) {
      const seen = nextMessage(peer);
      const out = await collect(h, `AT+UMQTTC=2,${qos},0,0,"lab/echo","hello ${qos}"`, '+UUMQTTC: 2,1\r\n', `+UUMQTTC: 6,${qos + 1}\r\n`);
      assert.ok(out.startsWith(OK), out);
      const m = await seen;
      assert.deepEqual([m.topic, m.payload.toString(), m.qos], ['lab/echo', `hello ${qos}`, qos]);
    }
    // Three received on the subscribed topic; the last URC said 3 are waiting.
    assert.equal(await at(h, 'AT+UMQTTC=6,1'), answer('+UMQTTC: 6,0,15,8,"lab/echo",7,"hello 0"'));
    assert.equal(
      await at(h, 'AT+UMQTTC=6'),
      answer('+UMQTTC: 6,1,15,8,"lab/echo",7,"hello 1"', '+UMQTTC: 6,2,15,8,"lab/echo",7,"hello 2"'),
    );
    assert.equal(await at(h, 'AT+UMQTTC=6'), OK);
    // From the broker side, QoS 1 in.
    const waiting = h.waitFor('+UUMQTTC: 6,1');
    await peer.publishAsync('lab/echo', Buffer.from([0x00, 0x41, 0xff]), { qos: 1 });
    await waiting;
    assert.equal(await at(h, 'AT+UMQTTC=6'), answer(`+UMQTTC: 6,1,11,8,"lab/echo",3,"\x00A\xff"`));
    assert.equal(await command(h, 'AT+UMQTTC=5,"lab/echo"', '+UUMQTTC: 5,'), OK + urc('+UUMQTTC: 5,1'));
    assert.equal(await command(h, 'AT+UMQTTC=0', '+UUMQTTC: 0,'), OK + urc('+UUMQTTC: 0,1'));
    assert.equal(await at(h, 'AT+UMQTTER'), answer('+UMQTTER: 0,0'));
    // The bytes went through the PDP context's counters.
    const cid = h.module.services.dialer.dataPath();
    const counters = h.module.services.pdp.countersOf(cid)!;
    assert.ok(counters.sentSession > 100 && counters.receivedSession > 50, JSON.stringify(counters));
  });

  it('retain: a late subscriber gets the retained message; hex mode and binary publish with ">"', async () => {
    const b = await broker();
    const h = await module();
    await login(h, b.port);
    assert.equal(await command(h, 'AT+UMQTTC=2,1,1,1,"lab/hex","48690A"', '+UUMQTTC: 2,'), OK + urc('+UUMQTTC: 2,1'));
    const late = await observer(b.port);
    const seen = nextMessage(late);
    await late.subscribeAsync('lab/hex', { qos: 1 });
    const m = await seen;
    assert.deepEqual([m.payload.toString('hex'), m.retain], ['48690a', true]);

    const bin = nextMessage(late);
    await late.subscribeAsync('lab/bin');
    assert.equal(await at(h, 'AT+UMQTTC=9,1,0,"lab/bin",5'), '\r\n>');
    h.take();
    h.terminal.input(Buffer.from([1, 2, 13, 10, 26]));
    const out = await h.waitFor('+UUMQTTC: 9,');
    assert.equal(out + (out.endsWith('\r\n') ? '' : await h.waitFor('\r\n')), OK + urc('+UUMQTTC: 9,1'));
    assert.deepEqual([...(await bin).payload], [1, 2, 13, 10, 26]);

    // Bad input: no state change, nothing published.
    for (const bad of ['AT+UMQTTC=2,3,0,0,"t","m"', 'AT+UMQTTC=2,0,0,1,"t","4"', `AT+UMQTTC=2,0,0,1,"t","${'00'.repeat(513)}"`, 'AT+UMQTTC=2,0,0,0,"","m"', 'AT+UMQTTC=9,0,0,"t",1025', 'AT+UMQTTC=9,0,0,"t",0', 'AT+UMQTTC=7', 'AT+UMQTTC=4,0,""']) {
      assert.equal(await at(h, bad), cmeError('Incorrect parameters'), bad);
    }
  });

  it('the last will is published by the broker when the module drops, not on a logout; clean session off keeps subscriptions', async () => {
    const b = await broker();
    const h = await module();
    const peer = await observer(b.port);
    await peer.subscribeAsync('lab/will', { qos: 1 });
    assert.equal(await at(h, 'AT+UMQTT=8,"lab/will"'), OK);
    assert.equal(await at(h, 'AT+UMQTT=9,"gone"'), OK);
    assert.equal(await at(h, 'AT+UMQTT=6,1'), OK);
    assert.equal(await at(h, 'AT+UMQTT=12,0'), OK);
    await login(h, b.port, 'persistent');
    assert.equal(await command(h, 'AT+UMQTTC=4,1,"lab/queue"', '+UUMQTTC: 4,'), OK + urc('+UUMQTTC: 4,1,1,"lab/queue"'));
    const will = nextMessage(peer);
    h.module.services.mqtt.close(); // the module's connection drops without DISCONNECT
    const m = await will;
    assert.deepEqual([m.topic, m.payload.toString()], ['lab/will', 'gone']);
    // A message sent while away waits in the persistent session.
    await peer.publishAsync('lab/queue', 'queued', { qos: 1 });
    assert.ok((await collect(h, 'AT+UMQTTC=1', '+UUMQTTC: 1,1\r\n', '+UUMQTTC: 6,1\r\n')).startsWith(OK));
    assert.equal(await at(h, 'AT+UMQTTC=6'), answer('+UMQTTC: 6,1,15,9,"lab/queue",6,"queued"'));
    // A logout publishes no will.
    const seen: string[] = [];
    peer.on('message', (t, p) => seen.push(`${t}:${p.toString()}`));
    assert.equal(await command(h, 'AT+UMQTTC=0', '+UUMQTTC: 0,'), OK + urc('+UUMQTTC: 0,1'));
    // A marker after the logout: the broker delivers in order, so a will would come before it.
    const marker = nextMessage(peer);
    await peer.publishAsync('lab/will', 'marker', { qos: 1 });
    await marker;
    assert.deepEqual(seen, ['lab/will:marker']);
  });

  it('ping and keep-alive: pings on the module clock; a silent client is dropped by the broker (+UUMQTTC: 0,101)', async () => {
    const b = await broker();
    const h = await module();
    assert.equal(await at(h, 'AT+UMQTTC=8,1'), cmeError('operation not allowed'));
    assert.equal(await at(h, 'AT+UMQTT=10,1'), OK);
    await login(h, b.port);
    assert.equal(await command(h, 'AT+UMQTTC=8,1', '+UUMQTTC: 8,'), OK + urc('+UUMQTTC: 8,1'));
    // Pings every keep-alive period of module time keep the session up past 1.5 periods.
    // Each step waits for the broker's PINGRESP (real loopback time) before moving the module clock on:
    // advancing past the next period first would be a lost PINGRESP, and the module rightly ends the session.
    const mqtt = h.module.services.mqtt;
    for (let i = 0; i < 4; i++) {
      h.take();
      for (let waited = 0; mqtt['awaitingPong'] && waited < 5000; waited += 5) await new Promise((r) => setTimeout(r, 5));
      await h.advance(1000);
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(h.module.services.mqtt.connected, true);
    assert.equal(await command(h, 'AT+UMQTTC=8,0', '+UUMQTTC: 8,'), OK + urc('+UUMQTTC: 8,1'));
    // Silent now: mosquitto drops the client after 1.5 keep-alive periods of real time.
    // mosquitto 2.0 looks at keep-alives every few seconds: the drop comes 1.5 periods later or up to ~5 s after.
    assert.equal(await h.waitFor('+UUMQTTC: 0,101', 20_000), urc('+UUMQTTC: 0,101'));
    assert.equal(await at(h, 'AT+UMQTTER'), answer('+UMQTTER: 101,101'));
  });

  it('error reporting: no session, a broker refusing the credentials, a broker going away', async () => {
    const b = await broker({ users: { dev: 'right' } });
    const h = await module();
    assert.equal(await at(h, 'AT+UMQTTC=1'), cmeError('operation not allowed')); // no broker set
    assert.equal(await at(h, 'AT+UMQTTC=2,0,0,0,"t","m"'), cmeError('operation not allowed'));
    assert.equal(await at(h, 'AT+UMQTTC=9,0,0,"t",3'), cmeError('operation not allowed')); // no prompt
    assert.equal(await at(h, 'AT+UMQTTC=0'), cmeError('operation not allowed'));
    assert.equal(await at(h, 'AT+UMQTT=3,"127.0.0.1",' + b.port), OK);
    assert.equal(await at(h, 'AT+UMQTT=4,"dev","wrong"'), OK);
    assert.equal(await command(h, 'AT+UMQTTC=1', '+UUMQTTC: 1,'), OK + urc('+UUMQTTC: 1,0'));
    assert.equal(await at(h, 'AT+UMQTTER'), answer('+UMQTTER: 13,5'));
    assert.equal(await at(h, 'AT+UMQTT=4,"dev","right"'), OK);
    assert.equal(await command(h, 'AT+UMQTTC=1', '+UUMQTTC: 1,'), OK + urc('+UUMQTTC: 1,1'));
    assert.equal(await at(h, 'AT+UMQTTER'), answer('+UMQTTER: 0,0'));
    assert.equal(await at(h, 'AT+UMQTTC=1'), cmeError('operation not allowed'));
    await b.stop();
    assert.equal(await h.waitFor('+UUMQTTC: 0,101'), urc('+UUMQTTC: 0,101'));
    assert.equal(await at(h, 'AT+UMQTTER'), answer('+UMQTTER: 101,101'));
    assert.equal(await command(h, 'AT+UMQTTC=1', '+UUMQTTC: 1,'), OK + urc('+UUMQTTC: 1,0'));
    assert.equal(await at(h, 'AT+UMQTTER'), answer('+UMQTTER: 11,11'));
  });

  it('secure MQTT: the server validated by the profile CA, mutual TLS with the client certificate; an unknown server fails', async () => {
    const b = await broker({ tls: { ca: pki.ca.cert, cert: pki.server.cert, key: pki.server.key, requireClientCert: true } });
    const h = await module();
    for (const [type, name, pem] of [[0, 'labCA', pki.ca.cert], [1, 'dev', pki.client.cert], [2, 'devkey', pki.client.key]] as const) {
      assert.equal(await at(h, `AT+USECMNG=0,${type},"${name}",${Buffer.byteLength(pem)}`), '\r\n>');
      assert.match(await h.send(pem), /\r\nOK\r\n$/);
    }
    assert.equal(await at(h, 'AT+USECPRF=2,0,1'), OK);
    assert.equal(await at(h, 'AT+USECPRF=2,3,"labCA"'), OK);
    assert.equal(await at(h, 'AT+USECPRF=2,5,"dev"'), OK);
    assert.equal(await at(h, 'AT+USECPRF=2,6,"devkey"'), OK);
    assert.equal(await at(h, 'AT+UMQTT=11,1,2'), OK);
    await login(h, b.tlsPort!);
    assert.equal(await command(h, 'AT+UMQTTC=4,0,"s/x"', '+UUMQTTC: 4,'), OK + urc('+UUMQTTC: 4,1,0,"s/x"'));
    assert.equal(await command(h, 'AT+UMQTTC=0', '+UUMQTTC: 0,'), OK + urc('+UUMQTTC: 0,1'));
    // Without the client certificate the broker refuses the handshake.
    assert.equal(await at(h, 'AT+USECPRF=3,0,1'), OK);
    assert.equal(await at(h, 'AT+USECPRF=3,3,"labCA"'), OK);
    assert.equal(await at(h, 'AT+UMQTT=11,1,3'), OK);
    const out = await command(h, 'AT+UMQTTC=1', '+UUMQTTC: 1,');
    assert.equal(out, OK + urc('+UUMQTTC: 1,0'));
    assert.match(await at(h, 'AT+UMQTTER'), /\+UMQTTER: (73,73|101,101)/);
  });
});
