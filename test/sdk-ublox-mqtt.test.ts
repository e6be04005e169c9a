import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createModule, connectInProcess } from '@modemlab/module';
import { AtClient, MqttCommandError, UbloxModem } from '@modemlab/sdk';
import mqttjs from 'mqtt';
import { startMosquitto, type Mosquitto } from '../packages/module/src/testing/mosquitto.js';
import { ubloxModemOver, type UbloxOver } from './ublox-modem.testutil.js';

type Transport = 'in-process' | 'tcp' | 'pty';
const SIZE = Number(process.env.MQTT_BIG ?? 1024 * 1024);

/** modem.mqtt (mqtt.js-shaped) against a virtual SARA-R5 and a real mosquitto on loopback. */
for (const transport of ['in-process', 'tcp', 'pty'] as Transport[]) {
  describe(`UbloxModem.mqtt on a virtual SARA-R5 over ${transport}`, () => {
    let dir: string;
    let lab: UbloxOver;
    let client: AtClient;
    let modem: UbloxModem;
    let broker: Mosquitto;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'modemlab-sdk-mqtt-'));
      broker = await startMosquitto();
      lab = await ubloxModemOver(transport, { dir, hosts: { 'broker.lab': '127.0.0.1' } });
      ({ client, modem } = lab);
    });

    after(async () => {
      await lab?.close();
      await broker?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('connect, subscribe, publish QoS 0/1/2 to itself and to mqtt.js, binary payloads, unsubscribe, end', async () => {
      const peer = mqttjs.connect({ host: '127.0.0.1', port: broker.port, reconnectPeriod: 0 });
      await new Promise<void>((resolve, reject) => peer.once('connect', () => resolve()).once('error', reject));
      await peer.subscribeAsync('sdk/#', { qos: 2 });
      try {
        await modem.mqtt.connect({ host: 'broker.lab', port: broker.port, clientId: `sdk-${transport}`, will: { topic: 'sdk/will', payload: 'bye' } });
        assert.equal(await modem.mqtt.subscribe('sdk/loop', { qos: 2 }), 2);
        const received: Array<[string, Buffer, number]> = [];
        const three = new Promise<void>((resolve) => modem.mqtt.on('message', (t, p, { qos }) => received.push([t, p, qos]) === 3 && resolve()));
        const binary = Buffer.from([0, 13, 10, 34, 255, 26]);
        for (const qos of [0, 1, 2] as const) await modem.mqtt.publish('sdk/loop', qos === 2 ? binary : `m${qos}`, { qos });
        await three;
        assert.deepEqual(received.map(([t, p, q]) => [t, p.toString('hex'), q]), [['sdk/loop', Buffer.from('m0').toString('hex'), 0], ['sdk/loop', Buffer.from('m1').toString('hex'), 1], ['sdk/loop', binary.toString('hex'), 2]]);
        // From mqtt.js to the module.
        const fromPeer = new Promise<Buffer>((resolve) => modem.mqtt.once('message', (_t, p) => resolve(p)));
        await peer.publishAsync('sdk/loop', 'from peer', { qos: 1 });
        assert.equal((await fromPeer).toString(), 'from peer');
        // A payload beyond one module message is refused; publishChunked splits it.
        await assert.rejects(modem.mqtt.publish('sdk/big', randomBytes(1025)), RangeError);
        await modem.mqtt.unsubscribe('sdk/loop');
        await modem.mqtt.end();
        assert.equal(modem.mqtt.connected, false);
      } finally {
        await peer.endAsync(true);
      }
    });

    it('a broker refusal is an MqttCommandError with the +UMQTTER codes', async () => {
      await assert.rejects(modem.mqtt.connect({ host: '127.0.0.1', port: 1, timeoutMs: 10_000 }), (err: unknown) => err instanceof MqttCommandError && err.errorCode1 === 11);
    });
  });
}

describe('UbloxModem.mqtt: 1 MB binary publish split in 1024-byte module messages', () => {
  it('arrives whole at mqtt.js, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modemlab-sdk-mqtt-big-'));
    const broker = await startMosquitto();
    const module = await createModule({ model: 'sara-r5', stateDir: join(dir, 'state'), network: { registrationDelayMs: 50 }, log: () => {} });
    const client = new AtClient(connectInProcess(module));
    const peer = mqttjs.connect({ host: '127.0.0.1', port: broker.port, reconnectPeriod: 0 });
    const peerUp = new Promise<void>((resolve, reject) => peer.once('connect', () => resolve()).once('error', reject));
    try {
      const modem = new UbloxModem(client);
      await modem.init();
      await modem.attach({ apn: 'internet', timeoutMs: 10_000 });
      await peerUp;
      await peer.subscribeAsync('sdk/big', { qos: 1 });
      const data = randomBytes(SIZE);
      const parts: Buffer[] = [];
      let got = 0;
      const all = new Promise<void>((resolve) =>
        peer.on('message', (_t, p) => {
          parts.push(p);
          got += p.length;
          if (got >= data.length) resolve();
        }),
      );
      await modem.mqtt.connect({ host: '127.0.0.1', port: broker.port, clientId: 'big' });
      assert.equal(await modem.mqtt.publishChunked('sdk/big', data, { qos: 1 }), SIZE / 1024);
      await all;
      assert.ok(Buffer.concat(parts).equals(data));
      await modem.mqtt.end();
    } finally {
      await peer.endAsync(true);
      await client.close();
      await module.close();
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
