/** modem.mqttsn over MQTT Flex: a certificate profile, DTLS 1.2 to modemlab's own gateway (--dtls --ca), mosquitto behind it. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectAsync, type MqttClient } from 'mqtt';
import { MqttSnError, type AtClient, type UbloxModem } from '@modemlab/sdk';
import { MqttSnGateway } from '../packages/cli/src/mqttsn-gateway/gateway.js';
import { listenDtls } from '../packages/cli/src/mqttsn-gateway/dtls.js';
import { startMosquitto, type Mosquitto } from '../packages/module/src/testing/mosquitto.js';
import { sharedPki } from '../packages/module/src/testing/tls-peers.js';
import { ubloxModemOver, type UbloxOver } from './ublox-modem.testutil.js';

describe('UbloxModem.mqttsn over certificate DTLS to the shipped gateway (MQTT Flex)', () => {
  const pki = sharedPki();
  let dir: string;
  let broker: Mosquitto;
  let gw: MqttSnGateway;
  let gwPort: number;
  let watcher: MqttClient;
  let lab: UbloxOver;
  let client: AtClient;
  let modem: UbloxModem;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'modemlab-sdk-flex-'));
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    broker = await startMosquitto();
    const ep = await listenDtls('127.0.0.1', 0, { cert: file('gw.pem', pki.server.cert), key: file('gw.key', pki.server.key), ca: file('ca.pem', pki.ca.cert) });
    gwPort = ep.port;
    gw = new MqttSnGateway({ endpoint: ep, broker: `mqtt://127.0.0.1:${broker.port}`, predefined: new Map(), timerPeriodMs: 0 });
    watcher = await connectAsync(`mqtt://127.0.0.1:${broker.port}`);
    lab = await ubloxModemOver('tcp', { dir, hosts: { 'flex.lab': '127.0.0.1' } });
    ({ client, modem } = lab);
  });

  after(async () => {
    await lab?.close();
    await watcher?.endAsync();
    await gw?.close();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects with the client certificate, publishes, subscribes and receives, ends; a profile without the client key is refused', async () => {
    await modem.certificates.import('ca', 'flexCA', pki.ca.cert);
    await modem.certificates.import('client-cert', 'flexCert', pki.client.cert);
    await modem.certificates.import('private-key', 'flexKey', pki.client.key);
    await modem.tls.configure(2, { ca: 'flexCA', clientCert: 'flexCert', clientKey: 'flexKey' });
    await watcher.subscribeAsync('flex/#', { qos: 1 });
    const up = new Promise<string>((resolve) => watcher.once('message', (t, p) => resolve(`${t}=${p.toString()}`)));
    await modem.mqttsn.connect({ host: 'flex.lab', port: gwPort, clientId: 'sdk-flex', keepalive: 60, secure: { profile: 2 } });
    assert.ok(modem.mqttsn.connected);
    await modem.mqttsn.publish('flex/sdk', 'up over dtls', { qos: 1 });
    assert.equal(await up, 'flex/sdk=up over dtls');
    await modem.mqttsn.subscribe('flex/down', { qos: 1 });
    const got = once(modem.mqttsn, 'message');
    await watcher.publishAsync('flex/down', 'down over dtls', { qos: 1 });
    const [t2, p2] = await got;
    assert.equal(`${t2}=${p2.toString()}`, 'flex/down=down over dtls');
    await modem.mqttsn.end();
    assert.equal(modem.mqttsn.connected, false);

    // Profile 3 trusts the CA but has no client certificate: the gateway requires one.
    await modem.tls.configure(3, { ca: 'flexCA' });
    await assert.rejects(
      modem.mqttsn.connect({ host: 'flex.lab', port: gwPort, clientId: 'sdk-flex', keepalive: 60, secure: { profile: 3 } }),
      (e: unknown) => e instanceof MqttSnError && e.errorClass === 36 && e.errorCode === 36,
    );
  });
});
