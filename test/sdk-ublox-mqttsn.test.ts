/** modem.mqttsn against a virtual SARA-R5 over TCP and a PTY, through the shipped gateway in front of aedes. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Aedes } from 'aedes';
import { connectAsync, type MqttClient } from 'mqtt';
import { MqttSnError, type AtClient, type UbloxModem } from '@modemlab/sdk';
import { MqttSnGateway } from '../packages/cli/src/mqttsn-gateway/gateway.js';
import { listenUdp } from '../packages/cli/src/mqttsn-gateway/udp.js';
import { ubloxModemOver, type UbloxOver } from './ublox-modem.testutil.js';

for (const transport of ['tcp', 'pty'] as const) {
  describe(`UbloxModem.mqttsn on a virtual SARA-R5 over ${transport}`, () => {
    let dir: string;
    let aedes: Aedes;
    let server: Server;
    let gw: MqttSnGateway;
    let gwPort: number;
    let watcher: MqttClient;
    let lab: UbloxOver;
    let client: AtClient;
    let modem: UbloxModem;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'modemlab-sdk-mqttsn-'));
      aedes = await Aedes.createBroker();
      server = createServer(aedes.handle as never).listen(0, '127.0.0.1');
      await once(server, 'listening');
      const brokerUrl = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
      const ep = await listenUdp('127.0.0.1', 0);
      gwPort = ep.port;
      gw = new MqttSnGateway({ endpoint: ep, broker: brokerUrl, predefined: new Map([[3, 'fleet/alarm']]), timerPeriodMs: 0 });
      watcher = await connectAsync(brokerUrl);
      lab = await ubloxModemOver(transport, { dir, hosts: { 'gw.lab': '127.0.0.1' } });
      ({ client, modem } = lab);
    });

    after(async () => {
      await lab?.close();
      await watcher?.endAsync();
      await gw?.close();
      server?.close();
      aedes?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('connects, publishes by name (registered), predefined id and short name, subscribes and receives, ends', async () => {
      await watcher.subscribeAsync('#', { qos: 1 });
      const seen: string[] = [];
      const arrived = new Promise<void>((resolve) =>
        watcher.on('message', (t, p) => {
          seen.push(`${t}=${p.toString()}`);
          if (seen.length === 3) resolve();
        }),
      );
      await modem.mqttsn.connect({ host: 'gw.lab', port: gwPort, clientId: `sdk-${transport}`, keepalive: 60 });
      assert.ok(modem.mqttsn.connected);
      const id = await modem.mqttsn.register('fleet/pos');
      assert.ok(id > 0);
      await modem.mqttsn.publish('fleet/pos', Buffer.from([0x01, 0x22, 0xff]), { qos: 1 });
      await modem.mqttsn.publish({ predefined: 3 }, 'fire', { qos: 2 });
      await modem.mqttsn.publish({ short: 'hb' }, 'ok');
      await arrived;
      assert.deepEqual(seen.slice().sort(), ['fleet/alarm=fire', `fleet/pos=${Buffer.from([0x01, 0x22, 0xff]).toString()}`, 'hb=ok'].sort());
      const sub = await modem.mqttsn.subscribe('fleet/cmd', { qos: 1 });
      assert.equal(sub.qos, 1);
      const got = once(modem.mqttsn, 'message');
      await watcher.publishAsync('fleet/cmd', 'reboot', { qos: 1 });
      const [topic, payload, info] = await got;
      assert.equal(topic, 'fleet/cmd');
      assert.equal(payload.toString(), 'reboot');
      assert.deepEqual(info, { qos: 1, topicType: 0 });
      await modem.mqttsn.unsubscribe('fleet/cmd');
      await modem.mqttsn.ping();
      await modem.mqttsn.updateWill({ topic: 'fleet/gone', payload: 'bye', qos: 1 });
      await assert.rejects(modem.mqttsn.publish({ predefined: 99 }, 'x', { qos: 1 }), (e: unknown) => e instanceof MqttSnError && e.errorClass === 13 && e.errorCode === 2);
      await modem.mqttsn.end();
      assert.equal(modem.mqttsn.connected, false);
    });
  });
}
