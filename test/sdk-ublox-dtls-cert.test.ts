import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { AtClient, CoapRequestError, UbloxModem, openTransport } from '@modemlab/sdk';
// The module of this checkout (certificate DTLS), not the installed one.
import { createModule, serveTcp, type VirtualModule } from '../packages/module/src/index.js';
import { startLibcoap, type Libcoap } from '../packages/module/src/services/coap/coap-peers.testutil.js';
import { sharedPki } from '../packages/module/src/testing/tls-peers.js';

async function collect(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** modem.coap over coaps:// with a certificate profile (certificate DTLS 1.2) against libcoap on loopback. */
describe('UbloxModem.coap over certificate DTLS on a virtual SARA-R5', () => {
  let dir: string;
  let module: VirtualModule;
  let client: AtClient;
  let modem: UbloxModem;
  let libcoap: Libcoap;
  let stop: () => Promise<void> = async () => {};
  const pki = sharedPki();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'modemlab-sdk-dtls-'));
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    libcoap = await startLibcoap({ cert: { cert: file('server.pem', pki.server.cert), key: file('server.key', pki.server.key), ca: file('ca.pem', pki.ca.cert) } });
    module = await createModule({ model: 'sara-r5', stateDir: join(dir, 'state'), network: { registrationDelayMs: 50 }, log: () => {} });
    const l = await serveTcp(module, { host: '127.0.0.1', port: 0 });
    stop = () => l.close();
    client = new AtClient(await openTransport({ url: `tcp://127.0.0.1:${l.address.port}` }));
    modem = new UbloxModem(client);
    await modem.init();
    await modem.attach({ apn: 'internet', timeoutMs: 10_000 });
  });

  after(async () => {
    await client?.close();
    await stop();
    await module?.close();
    await libcoap?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('validates the server against the profile CA, with the client certificate configured; an unknown CA fails', async () => {
    await modem.certificates.import('ca', 'labCA', pki.ca.cert);
    await modem.certificates.import('client-cert', 'me', pki.client.cert);
    await modem.certificates.import('private-key', 'mykey', pki.client.key);
    await modem.tls.configure(2, { ca: 'labCA', clientCert: 'me', clientKey: 'mykey' });
    await modem.coap.configure({ uri: `coaps://127.0.0.1:${libcoap.securePort}/`, secure: { profile: 2 } });
    const up = Buffer.from('over certificate DTLS');
    const put = await modem.coap.request({ method: 'PUT', path: '/sdk-dtls', payload: up });
    assert.match(put.code, /^2\.0[14]$/);
    await collect(put.payload);
    const get = await modem.coap.request({ method: 'GET', path: '/sdk-dtls' });
    assert.deepEqual(await collect(get.payload), up);

    await modem.certificates.import('ca', 'otherCA', pki.otherCa.cert);
    await modem.tls.configure(3, { ca: 'otherCA' });
    await modem.coap.configure({ uri: `coaps://127.0.0.1:${libcoap.securePort}/`, secure: { profile: 3 } });
    await assert.rejects(modem.coap.request({ method: 'GET', path: '/sdk-dtls' }), (e: unknown) => e instanceof CoapRequestError && e.errorClass === 2 && e.errorCode === 4);
  });
});
