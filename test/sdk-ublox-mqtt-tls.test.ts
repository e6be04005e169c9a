/**
 * modem.mqtt with TLS by security profile (issue 12 SDK: "TLS by profile"): certificates imported
 * and a +USECPRF profile configured through the SDK, then `connect({ secure: { profile } })` to
 * mosquitto requiring client certificates; the same profile without the client certificate is
 * refused with the +UMQTTER codes. Virtual SARA-R5 in-process, mosquitto on loopback.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createModule, connectInProcess, type VirtualModule } from '@modemlab/module';
import { AtClient, MqttCommandError, UbloxModem } from '@modemlab/sdk';
import mqttjs from 'mqtt';
import { makePki, type TestPki } from '../packages/module/src/services/tls/tls.testutil.js';
import { startMosquitto, type Mosquitto } from '../packages/module/src/testing/mosquitto.js';

describe('UbloxModem.mqtt over TLS by security profile', () => {
  let dir: string;
  let pki: TestPki;
  let broker: Mosquitto;
  let module: VirtualModule;
  let client: AtClient;
  let modem: UbloxModem;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'modemlab-sdk-mqtt-tls-'));
    pki = makePki();
    broker = await startMosquitto({ tls: { ca: pki.ca.cert, cert: pki.server.cert, key: pki.server.key, requireClientCert: true } });
    module = await createModule({ model: 'sara-r5', stateDir: join(dir, 'state'), network: { registrationDelayMs: 50 }, log: () => {} });
    client = new AtClient(connectInProcess(module));
    modem = new UbloxModem(client);
    await modem.init();
    await modem.attach({ apn: 'internet', timeoutMs: 10_000 });
  });

  after(async () => {
    await client?.close();
    await module?.close();
    await broker?.stop();
    pki?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('mutual TLS: connect({ secure: { profile } }), publish reaches mqtt.js on the plain port of the same broker, end', async () => {
    await modem.certificates.import('ca', 'labCA', pki.ca.cert);
    await modem.certificates.import('client-cert', 'dev', pki.client.cert);
    await modem.certificates.import('private-key', 'devkey', pki.client.key);
    await modem.securityProfiles.reset(2);
    await modem.securityProfiles.configure(2, { validation: 1, rootCa: 'labCA', clientCert: 'dev', clientKey: 'devkey' });
    const peer = mqttjs.connect({ host: '127.0.0.1', port: broker.port, reconnectPeriod: 0 });
    await new Promise<void>((resolve, reject) => peer.once('connect', () => resolve()).once('error', reject));
    try {
      await peer.subscribeAsync('tls/#', { qos: 1 });
      const seen = new Promise<[string, string]>((resolve) => peer.once('message', (t, p) => resolve([t, p.toString()])));
      await modem.mqtt.connect({ host: '127.0.0.1', port: broker.tlsPort!, clientId: 'sdk-tls', secure: { profile: 2 } });
      await modem.mqtt.publish('tls/hello', 'over TLS', { qos: 1 });
      assert.deepEqual(await seen, ['tls/hello', 'over TLS']);
      await modem.mqtt.end();
    } finally {
      await peer.endAsync(true);
    }
  });

  it('without the client certificate the broker refuses the handshake: MqttCommandError with the +UMQTTER codes', async () => {
    await modem.securityProfiles.reset(3);
    await modem.securityProfiles.configure(3, { validation: 1, rootCa: 'labCA' });
    await assert.rejects(
      modem.mqtt.connect({ host: '127.0.0.1', port: broker.tlsPort!, clientId: 'sdk-tls-nocert', secure: { profile: 3 }, timeoutMs: 10_000 }),
      (err: unknown) => err instanceof MqttCommandError && [73, 101].includes(err.errorCode1) && err.errorCode2 === err.errorCode1,
    );
    assert.equal(modem.mqtt.connected, false);
  });
});
