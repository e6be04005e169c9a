/**
 * +UMQTTER as ubxlib reads it (u_cell_mqtt.c): the second number is the specific code, 33 =
 * timeout and 34 = no radio service mean "retry"; never 0 after a failure. End to end: a broker
 * that accepts TCP and never answers CONNACK times the login out on the module clock.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import type { MqttFailure } from '../../services/mqtt/mqtt-service.js';
import { mqttErrorPair } from './mqtt-errors.js';
import { answer, at, OK, ublox, urc } from './ublox.testutil.js';

describe('+UMQTTER numbering', () => {
  it("the second number is ubxlib's specific code: 33 timeout, 34 no radio service, the return code of a refusal, never 0 after a failure", () => {
    assert.deepEqual(mqttErrorPair(undefined), [0, 0]);
    assert.deepEqual(mqttErrorPair({ reason: 'timeout' }), [33, 33]);
    assert.deepEqual(mqttErrorPair({ reason: 'no-data-path' }), [34, 34]);
    assert.deepEqual(mqttErrorPair({ reason: 'refused', returnCode: 4 }), [13, 4]);
    assert.deepEqual(mqttErrorPair({ reason: 'subscribe-refused' }), [14, 128]);
    const reasons: MqttFailure['reason'][] = ['connect', 'dns', 'tls', 'inactivity', 'lost', 'protocol'];
    for (const reason of reasons) assert.notEqual(mqttErrorPair({ reason } as MqttFailure)[1], 0, reason);
  });

  it('a broker that never answers CONNACK: +UUMQTTC: 1,0 after 30 s of module time, +UMQTTER: 33,33, the connection closed', async () => {
    // The broker's end: it reads the CONNECT and never answers.
    let connectSeen!: () => void;
    const seen = new Promise<void>((r) => (connectSeen = r));
    const sockets: Socket[] = [];
    const silent = createServer((s) => {
      sockets.push(s);
      s.once('data', () => connectSeen());
    }).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const h = await ublox();
    try {
      assert.equal(await at(h, 'AT+UMQTT=3,"127.0.0.1",' + (silent.address() as { port: number }).port), OK);
      assert.equal(await at(h, 'AT+UMQTTC=1'), OK);
      await seen; // the CONNECT is out: the 30 s wait runs from here on the module clock
      const closed = once(sockets[0]!, 'close');
      assert.equal(await h.advance(29_999), '');
      h.clock.advance(1);
      assert.equal(await h.waitFor('+UUMQTTC: 1,0\r\n'), urc('+UUMQTTC: 1,0'));
      assert.equal(await at(h, 'AT+UMQTTER'), answer('+UMQTTER: 33,33'));
      await closed;
    } finally {
      await h.close();
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});
