import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { CoapRequestError, type AtClient, type UbloxModem } from '@modemlab/sdk';
import { bigBody, startLibcoap, startNodeCoap, type Libcoap, type NodeCoap } from '../packages/module/src/services/coap/coap-peers.testutil.js';
import { ubloxModemOver, type UbloxOver } from './ublox-modem.testutil.js';

async function collect(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** modem.coap against a virtual SARA-R5 and real CoAP servers on loopback, on the system clock. */
for (const transport of ['tcp', 'pty'] as const) {
  describe(`UbloxModem.coap on a virtual SARA-R5 over ${transport}`, () => {
    let dir: string;
    let lab: UbloxOver;
    let client: AtClient;
    let modem: UbloxModem;
    let npm: NodeCoap;
    let libcoap: Libcoap;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'modemlab-sdk-coap-'));
      npm = await startNodeCoap();
      libcoap = await startLibcoap();
      lab = await ubloxModemOver(transport, { dir, hosts: { 'coap.test': '127.0.0.1' } });
      ({ client, modem } = lab);
    });

    after(async () => {
      await lab?.close();
      await npm?.close();
      await libcoap?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('GET, confirmable or not: code and payload stream', async () => {
      await modem.coap.configure({ uri: `coap://coap.test:${npm.port}/` });
      for (const confirmable of [true, false]) {
        const res = await modem.coap.request({ method: 'GET', path: '/hello', confirmable });
        assert.equal(res.code, '2.05');
        assert.equal((await collect(res.payload)).toString(), 'world');
      }
    });

    it('PUT and POST with a content format; a 4.04 is a response, not an error', async () => {
      const put = await modem.coap.request({ method: 'PUT', path: '/sdk/box', payload: 'from the sdk', contentFormat: 0 });
      assert.deepEqual([put.code, (await collect(put.payload)).toString()], ['2.04', 'got 12']);
      assert.deepEqual(npm.stored.get('/sdk/box'), Buffer.from('from the sdk'));
      const post = await modem.coap.request({ method: 'POST', path: '/sdk/box', payload: Buffer.from([0, 1, 2]) });
      assert.equal(post.code, '2.01');
      await collect(post.payload);
      const missing = await modem.coap.request({ method: 'GET', path: '/missing' });
      assert.deepEqual([missing.code, (await collect(missing.payload)).toString()], ['4.04', 'not found']);
    });

    it('block-wise: a 3000-byte body arrives block by block; 512 bytes go up in 32-byte blocks (libcoap over TCP too)', async () => {
      const res = await modem.coap.request({ method: 'GET', path: '/big', block: { size: 256 } });
      assert.deepEqual(await collect(res.payload), bigBody());
      assert.equal(res.options.blocks, Math.ceil(3000 / 256));
      const up = Buffer.from(Array.from({ length: 512 }, (_, i) => i & 0xff));
      for (const scheme of ['coap', 'coap+tcp']) {
        await modem.coap.configure({ uri: `${scheme}://127.0.0.1:${libcoap.port}/` });
        const put = await modem.coap.request({ method: 'PUT', path: `/sdk-${transport}`, payload: up, block: { size: 32 } });
        assert.match(put.code, /^2\.0[14]$/);
        await collect(put.payload);
        const get = await modem.coap.request({ method: 'GET', path: `/sdk-${transport}`, block: { size: 32 } });
        assert.deepEqual(await collect(get.payload), up);
        assert.equal(get.options.blocks, 16);
      }
    });

    it('observe: notifications as events and as an async iterator, a request beside them; cancel by deregistering or forgetting', async () => {
      await modem.coap.configure({ uri: `coap://coap.test:${npm.port}/` });
      const obs = await modem.coap.observe('/obs');
      const heard: string[] = [];
      obs.on('notification', (n) => heard.push(n.payload.toString()));
      npm.notify(`${transport}-a`);
      npm.notify(`${transport}-b`);
      const got: [string, string, number | undefined][] = [];
      for await (const n of obs) {
        got.push([n.code, n.payload.toString(), n.seq]);
        if (got.length === 3) break;
      }
      assert.deepEqual(got.slice(1), [['2.05', `${transport}-a`, 2], ['2.05', `${transport}-b`, 3]]);
      assert.equal(got[0]![2], 1);
      const hello = await modem.coap.request({ method: 'GET', path: '/hello' });
      assert.equal((await collect(hello.payload)).toString(), 'world');
      await obs.cancel();
      assert.equal(obs.active, false);
      assert.equal(npm.observers.size, 0);
      assert.deepEqual(heard, [`${transport}-a`, `${transport}-b`, `${transport}-b`]); // the last: the deregistration's answer
      const again = await modem.coap.observe('/obs');
      await again.cancel({ forget: true });
      npm.notify(`${transport}-c`); // rejected with a RST
      for (let i = 0; npm.observers.size > 0 && i < 100; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(npm.observers.size, 0);
      // libcoap: /example_data is notified on PUT; the observation's end is the iterator's end.
      await modem.coap.configure({ uri: `coap+tcp://coap.test:${libcoap.port}/` });
      await modem.coap.request({ method: 'PUT', path: '/example_data', payload: 'one' });
      const data = await modem.coap.observe('/example_data');
      await modem.coap.request({ method: 'PUT', path: '/example_data', payload: 'two' });
      const values: string[] = [];
      for await (const n of data) {
        values.push(n.payload.toString());
        if (values.length === 2) await data.cancel();
      }
      assert.deepEqual(values.slice(0, 2), ['one', 'two']);
    });

    it('no response: CoapRequestError with the +UCOAPER class and code; bad options throw before any command', async () => {
      await modem.coap.configure({ uri: 'coap://nowhere.invalid/' });
      await assert.rejects(modem.coap.request({ method: 'GET' }), (e: unknown) => e instanceof CoapRequestError && e.errorClass === 2 && e.errorCode === 1);
      await assert.rejects(modem.coap.request({ method: 'GET', payload: 'x' }), TypeError);
      await assert.rejects(modem.coap.request({ method: 'PUT', payload: Buffer.alloc(513) }), RangeError);
      await assert.rejects(modem.coap.request({ method: 'GET', block: { size: 100 } }), RangeError);
    });
  });
}
