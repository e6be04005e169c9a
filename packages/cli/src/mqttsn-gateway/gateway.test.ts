/** The shipped MQTT-SN gateway over UDP in front of a real broker (aedes on loopback). */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { Aedes } from 'aedes';
import { connectAsync, type MqttClient } from 'mqtt';
import { MqttSnGateway } from './gateway.js';
import { listenUdp } from './udp.js';
import { SnTestClient } from './sn-client.testutil.js';

interface Broker {
  url: string;
  close(): Promise<void>;
}

async function startBroker(): Promise<Broker> {
  const aedes = await Aedes.createBroker();
  const server: Server = createServer(aedes.handle as never);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        aedes.close();
      }),
  };
}

/** An ordinary MQTT client on the broker, to see what the gateway bridges. */
async function watcher(url: string, topic: string): Promise<{ client: MqttClient; next(): Promise<{ topic: string; payload: string; retain: boolean; qos: number }> }> {
  const client = await connectAsync(url, { clientId: `watch-${Math.random().toString(16).slice(2)}` });
  await client.subscribeAsync(topic, { qos: 2 });
  const inbox: Array<{ topic: string; payload: string; retain: boolean; qos: number }> = [];
  let waiter: ((m: (typeof inbox)[number]) => void) | null = null;
  client.on('message', (t, p, pk) => {
    const m = { topic: t, payload: p.toString(), retain: pk.retain, qos: pk.qos };
    if (waiter) {
      const w = waiter;
      waiter = null;
      w(m);
    } else inbox.push(m);
  });
  return { client, next: () => (inbox.length ? Promise.resolve(inbox.shift()!) : new Promise((r) => (waiter = r))) };
}

describe('mqttsn-gateway', () => {
  let broker: Broker;
  let gw: MqttSnGateway;
  let port: number;
  let clock = 1_000_000;

  before(async () => {
    broker = await startBroker();
    const ep = await listenUdp('127.0.0.1', 0);
    port = ep.port;
    gw = new MqttSnGateway({ endpoint: ep, broker: broker.url, predefined: new Map([[7, 'pre/seven']]), now: () => clock, timerPeriodMs: 0 });
  });
  after(async () => {
    await gw.close();
    await broker.close();
  });

  async function connected(clientId: string, duration = 60): Promise<SnTestClient> {
    const c = await SnTestClient.open(port);
    assert.deepEqual(await c.request({ type: 'CONNECT', will: false, cleanSession: true, duration, clientId }), { type: 'CONNACK', returnCode: 0 });
    return c;
  }

  it('answers SEARCHGW with GWINFO', async () => {
    const c = await SnTestClient.open(port);
    assert.deepEqual(await c.request({ type: 'SEARCHGW', radius: 0 }), { type: 'GWINFO', gwId: 1, gwAdd: Buffer.alloc(0) });
    c.close();
  });

  it('CONNECT, REGISTER, PUBLISH QoS 1 reaches the broker; PINGREQ; DISCONNECT', async () => {
    const w = await watcher(broker.url, 'reg/#');
    const c = await connected('reg1');
    const ack = await c.request({ type: 'REGISTER', topicId: 0, msgId: 1, topicName: 'reg/a' });
    assert.equal(ack.type, 'REGACK');
    assert.ok(ack.type === 'REGACK' && ack.returnCode === 0 && ack.topicId > 0);
    const id = ack.type === 'REGACK' ? ack.topicId : 0;
    const puback = await c.request({ type: 'PUBLISH', dup: false, qos: 1, retain: false, topic: { type: 'id', id }, msgId: 2, data: Buffer.from('hello') });
    assert.deepEqual(puback, { type: 'PUBACK', topicId: id, msgId: 2, returnCode: 0 });
    assert.deepEqual(await w.next(), { topic: 'reg/a', payload: 'hello', retain: false, qos: 1 });
    assert.deepEqual(await c.request({ type: 'PINGREQ' }), { type: 'PINGRESP' });
    assert.deepEqual(await c.request({ type: 'DISCONNECT' }), { type: 'DISCONNECT' });
    assert.equal(gw.sessionStates()['reg1'], undefined);
    c.close();
    w.client.end();
  });

  it('PUBLISH to an unknown topic id gets PUBACK invalid topic id and reaches nobody', async () => {
    const c = await connected('bad1');
    assert.deepEqual(await c.request({ type: 'PUBLISH', dup: false, qos: 1, retain: false, topic: { type: 'id', id: 999 }, msgId: 3, data: Buffer.from('x') }), { type: 'PUBACK', topicId: 999, msgId: 3, returnCode: 2 });
    assert.deepEqual(await c.request({ type: 'SUBSCRIBE', dup: false, qos: 0, msgId: 4, topic: { type: 'predefined', id: 99 } }), { type: 'SUBACK', qos: 0, topicId: 0, msgId: 4, returnCode: 2 });
    c.close();
  });

  it('SUBSCRIBE by name gets a topic id; broker messages arrive with it; UNSUBSCRIBE', async () => {
    const c = await connected('sub1');
    const suback = await c.request({ type: 'SUBSCRIBE', dup: false, qos: 1, msgId: 5, topic: { type: 'name', name: 'sub/t' } });
    assert.ok(suback.type === 'SUBACK' && suback.returnCode === 0 && suback.topicId > 0 && suback.qos === 1);
    const id = suback.type === 'SUBACK' ? suback.topicId : 0;
    const pub = await connectAsync(broker.url);
    await pub.publishAsync('sub/t', 'from broker', { qos: 1 });
    const got = await c.next();
    assert.ok(got.type === 'PUBLISH');
    assert.deepEqual(got.topic, { type: 'id', id });
    assert.equal(got.data.toString(), 'from broker');
    assert.equal(got.qos, 1);
    c.send({ type: 'PUBACK', topicId: id, msgId: got.msgId, returnCode: 0 });
    assert.deepEqual(await c.request({ type: 'UNSUBSCRIBE', msgId: 6, topic: { type: 'name', name: 'sub/t' } }), { type: 'UNSUBACK', msgId: 6 });
    pub.end();
    c.close();
  });

  it('a wildcard subscription REGISTERs each new topic before its first PUBLISH', async () => {
    const c = await connected('wild1');
    const suback = await c.request({ type: 'SUBSCRIBE', dup: false, qos: 0, msgId: 1, topic: { type: 'name', name: 'wild/+' } });
    assert.ok(suback.type === 'SUBACK' && suback.topicId === 0 && suback.returnCode === 0);
    const pub = await connectAsync(broker.url);
    await pub.publishAsync('wild/x', 'one');
    const reg = await c.next();
    assert.ok(reg.type === 'REGISTER' && reg.topicName === 'wild/x' && reg.topicId > 0);
    if (reg.type !== 'REGISTER') return;
    c.send({ type: 'REGACK', topicId: reg.topicId, msgId: reg.msgId, returnCode: 0 });
    const got = await c.next();
    assert.ok(got.type === 'PUBLISH' && got.topic.type === 'id' && got.topic.id === reg.topicId && got.data.toString() === 'one');
    pub.end();
    c.close();
  });

  it('predefined topics and short topic names both ways', async () => {
    const w = await watcher(broker.url, 'pre/seven');
    const ws = await watcher(broker.url, 'ab');
    const c = await connected('pre1');
    c.send({ type: 'PUBLISH', dup: false, qos: 0, retain: false, topic: { type: 'predefined', id: 7 }, msgId: 0, data: Buffer.from('p') });
    assert.deepEqual(await w.next(), { topic: 'pre/seven', payload: 'p', retain: false, qos: 0 });
    c.send({ type: 'PUBLISH', dup: false, qos: 0, retain: false, topic: { type: 'short', name: 'ab' }, msgId: 0, data: Buffer.from('s') });
    assert.deepEqual(await ws.next(), { topic: 'ab', payload: 's', retain: false, qos: 0 });
    assert.deepEqual(await c.request({ type: 'SUBSCRIBE', dup: false, qos: 0, msgId: 2, topic: { type: 'predefined', id: 7 } }), { type: 'SUBACK', qos: 0, topicId: 7, msgId: 2, returnCode: 0 });
    assert.deepEqual(await c.request({ type: 'SUBSCRIBE', dup: false, qos: 0, msgId: 3, topic: { type: 'short', name: 'ab' } }), { type: 'SUBACK', qos: 0, topicId: 0, msgId: 3, returnCode: 0 });
    w.client.publish('pre/seven', 'to pre');
    const a = await c.next();
    assert.ok(a.type === 'PUBLISH' && a.topic.type === 'predefined' && a.topic.id === 7 && a.data.toString() === 'to pre');
    w.client.publish('ab', 'to short');
    const b = await c.next();
    assert.ok(b.type === 'PUBLISH' && b.topic.type === 'short' && b.topic.name === 'ab' && b.data.toString() === 'to short');
    w.client.end();
    ws.client.end();
    c.close();
  });

  it('QoS 2 both ways: PUBREC/PUBREL/PUBCOMP', async () => {
    const w = await watcher(broker.url, 'q2/t');
    const c = await connected('q2c');
    const reg = await c.request({ type: 'REGISTER', topicId: 0, msgId: 1, topicName: 'q2/t' });
    const id = reg.type === 'REGACK' ? reg.topicId : 0;
    assert.deepEqual(await c.request({ type: 'PUBLISH', dup: false, qos: 2, retain: false, topic: { type: 'id', id }, msgId: 9, data: Buffer.from('two') }), { type: 'PUBREC', msgId: 9 });
    assert.deepEqual(await c.request({ type: 'PUBREL', msgId: 9 }), { type: 'PUBCOMP', msgId: 9 });
    assert.deepEqual(await w.next(), { topic: 'q2/t', payload: 'two', retain: false, qos: 2 });
    await c.request({ type: 'SUBSCRIBE', dup: false, qos: 2, msgId: 10, topic: { type: 'name', name: 'q2/t' } });
    w.client.publish('q2/t', 'back', { qos: 2 });
    const got = await c.next();
    assert.ok(got.type === 'PUBLISH' && got.qos === 2);
    if (got.type !== 'PUBLISH') return;
    assert.deepEqual(await c.request({ type: 'PUBREC', msgId: got.msgId }), { type: 'PUBREL', msgId: got.msgId });
    c.send({ type: 'PUBCOMP', msgId: got.msgId });
    w.client.end();
    c.close();
  });

  it('QoS -1 publishes to a predefined topic without a connection', async () => {
    const w = await watcher(broker.url, 'pre/seven');
    const c = await SnTestClient.open(port);
    c.send({ type: 'PUBLISH', dup: false, qos: -1, retain: false, topic: { type: 'predefined', id: 7 }, msgId: 0, data: Buffer.from('anon') });
    assert.deepEqual(await w.next(), { topic: 'pre/seven', payload: 'anon', retain: false, qos: 0 });
    w.client.end();
    c.close();
  });

  it('will: WILLTOPICREQ/WILLMSGREQ at CONNECT; a client silent past 1.5 x keep-alive is lost and the broker publishes the will', async () => {
    const w = await watcher(broker.url, 'will/#');
    const c = await SnTestClient.open(port);
    assert.deepEqual(await c.request({ type: 'CONNECT', will: true, cleanSession: true, duration: 10, clientId: 'will1' }), { type: 'WILLTOPICREQ' });
    assert.deepEqual(await c.request({ type: 'WILLTOPIC', qos: 1, retain: false, topic: 'will/one' }), { type: 'WILLMSGREQ' });
    assert.deepEqual(await c.request({ type: 'WILLMSG', message: Buffer.from('gone') }), { type: 'CONNACK', returnCode: 0 });
    gw.checkTimers(clock + 14_000); // within 1.5 x 10 s: still there
    assert.equal(gw.sessionStates()['will1'], 'active');
    gw.checkTimers(clock + 16_000);
    assert.equal(gw.sessionStates()['will1'], undefined);
    assert.deepEqual(await w.next(), { topic: 'will/one', payload: 'gone', retain: false, qos: 1 });
    w.client.end();
    c.close();
  });

  it('WILLTOPICUPD/WILLMSGUPD: the updated will is the one published when the client is lost', async () => {
    const w = await watcher(broker.url, 'upd/#');
    const c = await SnTestClient.open(port);
    await c.request({ type: 'CONNECT', will: true, cleanSession: true, duration: 10, clientId: 'upd1' });
    await c.request({ type: 'WILLTOPIC', qos: 0, retain: false, topic: 'upd/old' });
    await c.request({ type: 'WILLMSG', message: Buffer.from('old') });
    assert.deepEqual(await c.request({ type: 'WILLTOPICUPD', qos: 1, retain: false, topic: 'upd/new' }), { type: 'WILLTOPICRESP', returnCode: 0 });
    assert.deepEqual(await c.request({ type: 'WILLMSGUPD', message: Buffer.from('new') }), { type: 'WILLMSGRESP', returnCode: 0 });
    gw.checkTimers(clock + 16_000);
    assert.deepEqual(await w.next(), { topic: 'upd/new', payload: 'new', retain: false, qos: 1 });
    w.client.end();
    c.close();
  });

  it('sleeping client: DISCONNECT(duration) buffers, PINGREQ(clientId) delivers then PINGRESP, CONNECT wakes it', async () => {
    const c = await connected('sleep1');
    await c.request({ type: 'SUBSCRIBE', dup: false, qos: 0, msgId: 1, topic: { type: 'short', name: 'zz' } });
    assert.deepEqual(await c.request({ type: 'DISCONNECT', duration: 300 }), { type: 'DISCONNECT' });
    assert.equal(gw.sessionStates()['sleep1'], 'asleep');
    const pub = await connectAsync(broker.url);
    const buffered = new Promise<void>((resolve) => gw.on('buffered', (id: string, n: number) => id === 'sleep1' && n === 2 && resolve()));
    await pub.publishAsync('zz', 'while asleep 1', { qos: 1 });
    await pub.publishAsync('zz', 'while asleep 2', { qos: 1 });
    await buffered;
    c.send({ type: 'PINGREQ', clientId: 'sleep1' });
    const m1 = await c.next();
    const m2 = await c.next();
    assert.deepEqual([m1.type === 'PUBLISH' && m1.data.toString(), m2.type === 'PUBLISH' && m2.data.toString()], ['while asleep 1', 'while asleep 2']);
    assert.deepEqual(await c.next(), { type: 'PINGRESP' });
    assert.equal(gw.sessionStates()['sleep1'], 'asleep');
    gw.checkTimers(clock + 400_000); // 1.5 x 300 s not yet over
    assert.equal(gw.sessionStates()['sleep1'], 'asleep');
    assert.deepEqual(await c.request({ type: 'CONNECT', will: false, cleanSession: false, duration: 60, clientId: 'sleep1' }), { type: 'CONNACK', returnCode: 0 });
    assert.equal(gw.sessionStates()['sleep1'], 'active');
    pub.end();
    c.close();
  });

  it('bad input: malformed datagrams are dropped, messages from an unconnected client get DISCONNECT', async () => {
    const c = await SnTestClient.open(port);
    const before = gw.counters.malformed;
    c.send(Buffer.from('0503', 'hex'));
    c.send(Buffer.from([0xff]));
    assert.deepEqual(await c.request({ type: 'REGISTER', topicId: 0, msgId: 1, topicName: 'x' }), { type: 'DISCONNECT' });
    assert.equal(gw.counters.malformed, before + 2);
    c.close();
  });
});

describe('mqttsn-gateway: the broker goes away', () => {
  it('CONNECT with no broker gets CONNACK congestion; a broker dying mid-session gives DISCONNECT', async () => {
    const broker = await startBroker();
    const ep = await listenUdp('127.0.0.1', 0);
    const gw = new MqttSnGateway({ endpoint: ep, broker: broker.url, timerPeriodMs: 0 });
    const c = await SnTestClient.open(ep.port);
    assert.deepEqual(await c.request({ type: 'CONNECT', will: false, cleanSession: true, duration: 60, clientId: 'die1' }), { type: 'CONNACK', returnCode: 0 });
    await broker.close();
    assert.deepEqual(await c.next(), { type: 'DISCONNECT' });
    assert.deepEqual(await c.request({ type: 'CONNECT', will: false, cleanSession: true, duration: 60, clientId: 'die1' }), { type: 'CONNACK', returnCode: 1 });
    c.close();
    await gw.close();
  });
});
