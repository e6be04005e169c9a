import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ublox } from '../../dialects/ublox/ublox.testutil.js';
import type { ModuleHarness } from '../../testing/harness.js';
import { decodeUdp, encodeUdp } from './codec.js';
import { CoapBusyError, CoapConfigError, type CoapEvents, type CoapRequestSpec, type CoapService } from './coap-service.js';
import { bigBody, startLibcoap, startNodeCoap, type Libcoap, type NodeCoap } from './coap-peers.testutil.js';
import { ACK_TIMEOUT_MS } from './exchange.js';
import { codeText } from './message.js';

type Result = CoapEvents['result'][0];
interface Outcome extends Result {
  blocks: { code: string; payload: Buffer; more: boolean }[];
  body: Buffer;
}

const coapOf = (h: ModuleHarness): CoapService => h.module.services.coap;

/** Starts a request and collects its replies up to its result. */
async function run(coap: CoapService, spec: CoapRequestSpec): Promise<Outcome> {
  const blocks: Outcome['blocks'] = [];
  const onReply = ({ reply }: CoapEvents['reply'][0]) => blocks.push({ code: codeText(reply.code), payload: reply.payload, more: reply.more });
  coap.on('reply', onReply);
  const done = once(coap, 'result') as Promise<[Result]>;
  coap.start(spec);
  const [result] = await done;
  coap.off('reply', onReply);
  return { ...result, blocks, body: Buffer.concat(blocks.map((b) => b.payload)) };
}

function configure(coap: CoapService, uri: string, change: (c: ReturnType<CoapService['configure']> extends void ? Parameters<Parameters<CoapService['configure']>[0]>[0] : never) => void = () => {}): void {
  coap.configure((c) => {
    c.uri = uri;
    c.valid = true;
    change(c);
  });
}

describe('CoAP over UDP goes through the dialer: --forward and the lab policy', () => {
  let server: NodeCoap;
  let h: ModuleHarness;
  before(async () => {
    server = await startNodeCoap();
    // A public endpoint on the default CoAP port stands for the loopback peer on its ephemeral port.
    h = await ublox({ forwards: { '192.0.2.7:5683': `127.0.0.1:${server.port}` } });
  });
  after(async () => {
    await h.close();
    await server.close();
  });

  it('a request to the forwarded address reaches the peer behind the forward', async () => {
    const coap = coapOf(h);
    configure(coap, 'coap://192.0.2.7/hello');
    const r = await run(coap, { method: 'GET' });
    assert.equal(r.ok, true);
    assert.deepEqual(r.blocks.map((b) => [b.code, b.payload.toString()]), [['2.05', 'world']]);
    assert.equal(server.seen.at(-1), 'GET /hello');
  });

  it('an address the lab refuses fails at once as a connect failure (no retransmissions into the void)', async () => {
    const coap = coapOf(h);
    configure(coap, 'coap://192.0.2.7:5684/hello');
    const r = await run(coap, { method: 'GET' });
    assert.deepEqual([r.ok, r.error], [false, { kind: 'connect' }]);
  });
});

describe('CoAP service against the coap npm server (UDP)', () => {
  let server: NodeCoap;
  let h: ModuleHarness;
  before(async () => {
    server = await startNodeCoap();
    h = await ublox();
  });
  after(async () => {
    await h.close();
    await server.close();
  });

  it('GET confirmable and non-confirmable', async () => {
    const coap = coapOf(h);
    configure(coap, `coap://127.0.0.1:${server.port}/hello`);
    let r = await run(coap, { method: 'GET' });
    assert.equal(r.ok, true);
    assert.deepEqual(r.blocks.map((b) => [b.code, b.payload.toString(), b.more]), [['2.05', 'world', false]]);
    configure(coap, `coap://127.0.0.1:${server.port}/hello`, (c) => (c.pdu.confirmable = false));
    r = await run(coap, { method: 'GET' });
    assert.equal(r.body.toString(), 'world');
  });

  it('PUT, POST and DELETE carry payload and content format; a 4.04 is a server failure with its code', async () => {
    const coap = coapOf(h);
    configure(coap, `coap://127.0.0.1:${server.port}/store/a?x=1`, (c) => (c.pdu.contentFormat = true));
    let r = await run(coap, { method: 'PUT', payload: Buffer.from('abc'), contentFormat: 0 });
    assert.deepEqual([r.ok, r.blocks[0]!.code, r.body.toString()], [true, '2.04', 'got 3']);
    assert.deepEqual(server.stored.get('/store/a'), Buffer.from('abc'));
    assert.equal(server.seen.at(-1), 'PUT /store/a?x=1');
    r = await run(coap, { method: 'POST', payload: Buffer.from('xyz') });
    assert.equal(r.blocks[0]!.code, '2.01');
    r = await run(coap, { method: 'DELETE' });
    assert.equal(r.blocks[0]!.code, '2.02');
    r = await run(coap, { method: 'DELETE' });
    assert.deepEqual([r.ok, r.error], [false, { kind: 'server', code: 132 }]);
    assert.deepEqual(coap.lastError(), { kind: 'server', code: 132 });
  });

  it('block-wise: Block2 download in 64-byte blocks, Block1 upload of 512 bytes in 16-byte blocks', async () => {
    const coap = coapOf(h);
    configure(coap, `coap://127.0.0.1:${server.port}/big`, (c) => {
      c.pdu.block2 = true;
      c.blockSzx = 2;
    });
    let r = await run(coap, { method: 'GET' });
    assert.equal(r.blocks.length, Math.ceil(3000 / 64));
    assert.ok(r.blocks.slice(0, -1).every((b) => b.more && b.payload.length === 64));
    assert.deepEqual(r.body, bigBody());
    // Without asking, the server still splits a body over 1024 bytes and the client follows.
    configure(coap, `coap://127.0.0.1:${server.port}/big`, (c) => (c.pdu.block2 = false));
    r = await run(coap, { method: 'GET' });
    assert.deepEqual(r.body, bigBody());
    assert.ok(r.blocks.length > 1);
    const upload = Buffer.from(Array.from({ length: 512 }, (_, i) => i & 0xff));
    configure(coap, `coap://127.0.0.1:${server.port}/up`, (c) => {
      c.pdu.block1 = true;
      c.pdu.block2 = false;
      c.blockSzx = 0;
    });
    r = await run(coap, { method: 'PUT', payload: upload });
    assert.equal(r.ok, true, JSON.stringify({ e: r.error, b: r.blocks.map((b) => [b.code, b.payload.toString()]) }));
    assert.deepEqual(server.stored.get('/up'), upload);
  });

  it('refuses a request without a valid profile, a second request while one runs, a bad URI and a long payload; nothing changes', async () => {
    const coap = coapOf(h);
    configure(coap, `coap://127.0.0.1:${server.port}/hello`, (c) => (c.valid = false));
    assert.throws(() => coap.start({ method: 'GET' }), CoapConfigError);
    const before = coap.config;
    assert.throws(() => coap.configure((c) => (c.uri = 'http://x/')), CoapConfigError);
    assert.deepEqual(coap.config, before);
    configure(coap, `coap://127.0.0.1:${server.port}/hello`);
    assert.throws(() => coap.start({ method: 'PUT', payload: Buffer.alloc(513) }), CoapConfigError);
    const done = once(coap, 'result');
    coap.start({ method: 'GET' });
    assert.throws(() => coap.start({ method: 'GET' }), CoapBusyError);
    assert.throws(() => coap.configure((c) => (c.uri = 'coap://a/')), CoapBusyError);
    await done;
  });

  it('a name that does not resolve is a dns failure', async () => {
    const coap = coapOf(h);
    configure(coap, 'coap://no-such-host.invalid/x');
    const r = await run(coap, { method: 'GET' });
    assert.deepEqual(r.error, { kind: 'dns' });
  });

  it('profiles: store to NVM, restore; they survive a reboot while the current configuration does not', async () => {
    const coap = coapOf(h);
    configure(coap, 'coap://10.0.0.1/stored', (c) => (c.blockSzx = 3));
    coap.store(2);
    configure(coap, 'coap://10.0.0.2/other');
    coap.restore(2);
    assert.equal(coap.config.uri, 'coap://10.0.0.1/stored');
    assert.throws(() => coap.store(4), CoapConfigError);
    coap.configure((c) => (c.uri = 'coap://10.0.0.3/ram'));
    await h.send('AT+CFUN=16\r');
    await h.advance(5000);
    const after = coapOf(h);
    assert.equal(after.config.uri, '');
    after.restore(2);
    assert.deepEqual([after.config.uri, after.config.blockSzx], ['coap://10.0.0.1/stored', 3]);
  });
});

describe('CoAP retransmission on the module clock', () => {
  it('resends a CON after 2, 4, 8 s and takes the answer to the third copy; an empty ACK then a separate response', async () => {
    const peer = createSocket('udp4');
    peer.bind(0, '127.0.0.1');
    await once(peer, 'listening');
    const h = await ublox();
    try {
      const coap = coapOf(h);
      configure(coap, `coap://127.0.0.1:${peer.address().port}/slow`);
      const done = once(coap, 'result') as Promise<[Result]>;
      const data: string[] = [];
      coap.on('reply', ({ reply }) => data.push(reply.payload.toString()));
      coap.start({ method: 'GET' });
      const copies: number[] = [];
      let [msg, rinfo] = (await once(peer, 'message')) as [Buffer, { port: number; address: string }];
      const first = decodeUdp(msg);
      copies.push(first.messageId);
      for (const wait of [ACK_TIMEOUT_MS, ACK_TIMEOUT_MS * 2]) {
        const next = once(peer, 'message');
        await h.advance(wait);
        [msg, rinfo] = (await next) as [Buffer, { port: number; address: string }];
        copies.push(decodeUdp(msg).messageId);
      }
      assert.deepEqual(copies, [first.messageId, first.messageId, first.messageId]);
      // Empty ACK: retransmission stops; the response comes later as a CON of its own.
      peer.send(encodeUdp({ type: 'ACK', code: 0, messageId: first.messageId, token: Buffer.alloc(0), options: [], payload: Buffer.alloc(0) }), rinfo.port, rinfo.address);
      await h.advance(ACK_TIMEOUT_MS * 8);
      peer.send(encodeUdp({ type: 'CON', code: 69, messageId: 999, token: first.token, options: [], payload: Buffer.from('late') }), rinfo.port, rinfo.address);
      const [ack] = (await once(peer, 'message')) as [Buffer];
      assert.deepEqual([decodeUdp(ack).type, decodeUdp(ack).messageId], ['ACK', 999]);
      const [result] = await done;
      assert.deepEqual([result.ok, data], [true, ['late']]);
    } finally {
      await h.close();
      peer.close();
    }
  });

  it('gives up after MAX_RETRANSMIT resends (62 s): timeout; a RST is a reset', async () => {
    const peer = createSocket('udp4');
    peer.bind(0, '127.0.0.1');
    await once(peer, 'listening');
    const h = await ublox();
    try {
      const coap = coapOf(h);
      configure(coap, `coap://127.0.0.1:${peer.address().port}/void`);
      let count = 0;
      peer.on('message', () => count++);
      const done = once(coap, 'result') as Promise<[Result]>;
      coap.start({ method: 'GET' });
      await once(peer, 'message');
      for (const wait of [2000, 4000, 8000, 16000]) {
        const next = once(peer, 'message');
        await h.advance(wait);
        await next;
      }
      await h.advance(32000);
      const [result] = await done;
      assert.deepEqual([count, result.error], [5, { kind: 'timeout' }]);
      peer.removeAllListeners('message');
      const reset = once(coap, 'result') as Promise<[Result]>;
      peer.once('message', (msg: Buffer, rinfo) => {
        const m = decodeUdp(msg);
        peer.send(encodeUdp({ type: 'RST', code: 0, messageId: m.messageId, token: Buffer.alloc(0), options: [], payload: Buffer.alloc(0) }), rinfo.port, rinfo.address);
      });
      coap.start({ method: 'GET' });
      assert.deepEqual((await reset)[0].error, { kind: 'reset' });
    } finally {
      await h.close();
      peer.close();
    }
  });
});

describe('CoAP over TCP (RFC 8323) against libcoap', () => {
  let server: Libcoap;
  let h: ModuleHarness;
  before(async () => {
    server = await startLibcoap();
    h = await ublox();
  });
  after(async () => {
    await h.close();
    await server.stop();
  });

  it('PUT 512 bytes with Block1 then GET them back with Block2, over TCP and over UDP', async () => {
    const coap = coapOf(h);
    for (const scheme of ['coap+tcp', 'coap']) {
      const body = Buffer.from(bigBody().subarray(0, 512));
      configure(coap, `${scheme}://127.0.0.1:${server.port}/${scheme.replace('+', '')}-data`, (c) => {
        c.pdu.block1 = true;
        c.pdu.block2 = true;
        c.blockSzx = 1;
      });
      const put = await run(coap, { method: 'PUT', payload: body });
      assert.equal(put.ok, true, JSON.stringify(put));
      const get = await run(coap, { method: 'GET' });
      assert.equal(get.ok, true);
      assert.equal(get.blocks.length, 512 / 32);
      assert.deepEqual(get.body, body);
    }
  });

  it('the server gone: a refused TCP connect is a connect failure; a server dying mid-exchange is closed', async () => {
    const coap = coapOf(h);
    const dying = await startLibcoap();
    configure(coap, `coap+tcp://127.0.0.1:${dying.port}/`);
    assert.equal((await run(coap, { method: 'GET' })).ok, true);
    await dying.stop();
    assert.deepEqual((await run(coap, { method: 'GET' })).error, { kind: 'connect' });
    // A server that reads the CSM and the request, then dies.
    const tcp = createTcpServer((s) => {
      let seen = 0;
      s.on('data', (b) => {
        seen += b.length;
        if (seen > 2) s.destroy();
      });
    });
    tcp.listen(0, '127.0.0.1');
    await once(tcp, 'listening');
    configure(coap, `coap+tcp://127.0.0.1:${(tcp.address() as AddressInfo).port}/x`);
    assert.deepEqual((await run(coap, { method: 'GET' })).error, { kind: 'closed' });
    tcp.close();
  });
});
