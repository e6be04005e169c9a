/**
 * MQTT 3.1.1 §3.8.4 lets a broker send the retained PUBLISHes of a subscription before its
 * SUBACK. An MQTT-SN client must still see its SUBACK first (it learns the topic id there),
 * so the gateway holds broker messages while a SUBACK is outstanding. A scripted broker on
 * loopback (mqtt-packet) sends the retained PUBLISH and the SUBACK in that order, in one write.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import mqttPacket from 'mqtt-packet';
import { MqttSnGateway } from './gateway.js';
import { listenUdp } from './udp.js';
import { SnTestClient } from './sn-client.testutil.js';

let broker: Server;
let gw: MqttSnGateway;
let port: number;
const sockets = new Set<Socket>();

before(async () => {
  broker = createServer((sock) => {
    sockets.add(sock);
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const gen = (p: object): Buffer => mqttPacket.generate(p as mqttPacket.Packet);
    parser.on('packet', (p) => {
      if (p.cmd === 'connect') sock.write(gen({ cmd: 'connack', returnCode: 0, sessionPresent: false }));
      else if (p.cmd === 'subscribe') {
        const topic = p.subscriptions[0]!.topic;
        const retained = gen({ cmd: 'publish', topic, payload: Buffer.from('kept'), qos: 0, retain: true, dup: false });
        sock.write(Buffer.concat([retained, gen({ cmd: 'suback', messageId: p.messageId, granted: [0] })]));
      } else if (p.cmd === 'pingreq') sock.write(gen({ cmd: 'pingresp' }));
    });
    sock.on('data', (d) => parser.parse(d));
    sock.on('error', () => undefined);
  });
  broker.listen(0, '127.0.0.1');
  await once(broker, 'listening');
  const ep = await listenUdp('127.0.0.1', 0);
  port = ep.port;
  gw = new MqttSnGateway({ endpoint: ep, broker: `mqtt://127.0.0.1:${(broker.address() as { port: number }).port}`, predefined: new Map(), timerPeriodMs: 0 });
});

after(async () => {
  await gw.close();
  for (const s of sockets) s.destroy();
  await new Promise((r) => broker.close(r));
});

it('a retained PUBLISH the broker sends before its SUBACK reaches the client after the SUBACK', async () => {
  const c = await SnTestClient.open(port);
  try {
    assert.deepEqual(await c.request({ type: 'CONNECT', will: false, cleanSession: true, duration: 60, clientId: 'order' }), { type: 'CONNACK', returnCode: 0 });
    const suback = await c.request({ type: 'SUBSCRIBE', dup: false, qos: 0, msgId: 1, topic: { type: 'name', name: 'kept/topic' } });
    assert.equal(suback.type, 'SUBACK');
    const topicId = suback.type === 'SUBACK' ? suback.topicId : -1;
    assert.ok(topicId > 0);
    const publish = await c.next();
    assert.equal(publish.type, 'PUBLISH');
    assert.ok(publish.type === 'PUBLISH' && publish.retain && publish.data.toString() === 'kept');
    assert.deepEqual(publish.type === 'PUBLISH' ? publish.topic : undefined, { type: 'id', id: topicId });
  } finally {
    c.close();
  }
});
