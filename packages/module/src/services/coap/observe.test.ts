import assert from 'node:assert/strict';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { ublox } from '../../dialects/ublox/ublox.testutil.js';
import type { ModuleHarness } from '../../testing/harness.js';
import { decodeUdp, encodeUdp } from './codec.js';
import { CoapBusyError, CoapConfigError, type CoapEvents, type CoapService } from './coap-service.js';
import { startLibcoap, startNodeCoap, type Libcoap, type NodeCoap } from './coap-peers.testutil.js';
import { codeText, Opt, optionOf, readUint, uintOption, type CoapMessage, type CoapOption } from './message.js';
import { isNewer } from './observe.js';

type Note = { code: string; payload: string; seq?: number };
type ObserveEvent = CoapEvents['observe'][0];

/** Everything the service says about its observation, in order, with a way to wait for more. */
function watch(coap: CoapService) {
  const notes: Note[] = [];
  const events: ObserveEvent[] = [];
  let wake = () => {};
  coap.on('notification', ({ reply, seq }) => {
    notes.push({ code: codeText(reply.code), payload: reply.payload.toString(), ...(seq === undefined ? {} : { seq }) });
    wake();
  });
  coap.on('observe', (e) => {
    events.push(e);
    wake();
  });
  const until = async (done: () => boolean) => {
    for (let i = 0; !done(); i++) {
      if (i > 200) throw new Error(`still waiting: ${JSON.stringify({ notes, events })}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
    }
  };
  return { notes, events, until };
}

function configure(coap: CoapService, uri: string): void {
  coap.configure((c) => {
    c.uri = uri;
    c.valid = true;
  });
}

describe('RFC 7641 §3.4 reordering rule', () => {
  it('newer by sequence number within 2^23, across the 24-bit wrap, or 128 s later whatever the number', () => {
    assert.equal(isNewer(5, 0, 6, 0), true);
    assert.equal(isNewer(6, 0, 5, 0), false);
    assert.equal(isNewer(5, 0, 5, 0), false);
    assert.equal(isNewer(0xfffffe, 0, 1, 0), true); // wrapped
    assert.equal(isNewer(1, 0, 0xfffffe, 0), false);
    assert.equal(isNewer(0, 0, 1 << 23, 0), false); // exactly half the space away: not newer
    assert.equal(isNewer(6, 0, 5, 128_000), false);
    assert.equal(isNewer(6, 0, 5, 128_001), true);
  });
});

describe('CoAP Observe against the coap npm server (UDP)', () => {
  let server: NodeCoap;
  let h: ModuleHarness;
  let coap: CoapService;
  before(async () => {
    server = await startNodeCoap();
    h = await ublox();
    coap = h.module.services.coap;
    configure(coap, `coap://127.0.0.1:${server.port}/obs`);
  });
  after(async () => {
    await h.close();
    await server.close();
  });

  it('registers, hears each change with increasing sequence numbers, and a RST ends it (reactive cancel)', async () => {
    const w = watch(coap);
    coap.observe();
    assert.throws(() => coap.start({ method: 'GET' }), CoapBusyError); // not while registering
    await w.until(() => w.events.length === 1);
    assert.deepEqual(w.events, [{ op: 'register', ok: true }]);
    assert.deepEqual(w.notes, [{ code: '2.05', payload: 'v0', seq: 1 }]);
    assert.equal(coap.observing, true);
    assert.throws(() => coap.observe(), CoapBusyError);
    server.notify('v1');
    server.notify('v2');
    await w.until(() => w.notes.length === 3);
    assert.deepEqual(w.notes.slice(1), [{ code: '2.05', payload: 'v1', seq: 2 }, { code: '2.05', payload: 'v2', seq: 3 }]);
    // A request runs beside the observation, on its own transport.
    const result = once(coap, 'result');
    coap.start({ method: 'GET' });
    await result;
    coap.cancelObservation('forget');
    assert.equal(coap.observing, false);
    assert.deepEqual(w.events.at(-1), { op: 'deregister', ok: true });
    const before = w.notes.length;
    server.notify('v3'); // rejected with a RST: the server drops the observer
    await w.until(() => server.observers.size === 0);
    assert.equal(w.notes.length, before); // v3 was not delivered
    assert.throws(() => coap.cancelObservation('forget'), CoapConfigError);
  });

  it('proactive cancel: a GET with Observe: 1 and the same token; its answer is the last message', async () => {
    const w = watch(coap);
    coap.observe();
    await w.until(() => w.events.length === 1);
    assert.equal(server.observers.size, 1);
    coap.cancelObservation('deregister');
    await w.until(() => w.events.length === 2);
    assert.deepEqual(w.events, [{ op: 'register', ok: true }, { op: 'deregister', ok: true }]);
    assert.deepEqual(w.notes.at(-1), { code: '2.05', payload: 'v3' });
    assert.equal(server.observers.size, 0);
    assert.deepEqual(server.seen.slice(-2), ['GET /obs Observe:0', 'GET /obs Observe:1']);
  });
});

/** A hand-driven CoAP server: the test decides every notification's number, type and age. */
async function scriptedPeer() {
  const peer = createSocket('udp4');
  peer.bind(0, '127.0.0.1');
  await once(peer, 'listening');
  const inbox: CoapMessage[] = [];
  let from: RemoteInfo | undefined;
  let wake = () => {};
  peer.on('message', (msg, rinfo) => {
    from = rinfo;
    inbox.push(decodeUdp(msg));
    wake();
  });
  const next = async (): Promise<CoapMessage> => {
    while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return inbox.shift()!;
  };
  let mid = 100;
  const notify = (token: Buffer, seq: number, body: string, opts: { type?: 'CON' | 'NON'; maxAge?: number; code?: number } = {}) => {
    const options: CoapOption[] = [{ number: Opt.observe, value: uintOption(seq) }];
    if (opts.maxAge !== undefined) options.push({ number: Opt.maxAge, value: uintOption(opts.maxAge) });
    const m: CoapMessage = { type: opts.type ?? 'NON', code: opts.code ?? 69, messageId: mid++, token, options, payload: Buffer.from(body) };
    peer.send(encodeUdp(m), from!.port, from!.address);
    return m.messageId;
  };
  const reply = (req: CoapMessage, seq: number | undefined, body: string, maxAge?: number) => {
    const options: CoapOption[] = seq === undefined ? [] : [{ number: Opt.observe, value: uintOption(seq) }];
    if (maxAge !== undefined) options.push({ number: Opt.maxAge, value: uintOption(maxAge) });
    peer.send(encodeUdp({ type: 'ACK', code: 69, messageId: req.messageId, token: req.token, options, payload: Buffer.from(body) }), from!.port, from!.address);
  };
  return { port: peer.address().port, next, notify, reply, inbox, close: () => peer.close() };
}

describe('CoAP Observe on the module clock (a scripted server)', () => {
  it('drops a stale notification, takes one across the wrap and one 128 s late; ACKs a CON one; re-registers when Max-Age runs out', async () => {
    const peer = await scriptedPeer();
    const h = await ublox();
    try {
      const coap = h.module.services.coap;
      configure(coap, `coap://127.0.0.1:${peer.port}/temp`);
      const w = watch(coap);
      coap.observe();
      const reg = await peer.next();
      assert.equal(readUint(optionOf(reg, Opt.observe)!), 0);
      peer.reply(reg, 0xfffffd, '20', 300);
      await w.until(() => w.events.length === 1);
      peer.notify(reg.token, 0xfffffe, '21', { maxAge: 300 });
      peer.notify(reg.token, 0xfffffc, 'stale', { maxAge: 300 });
      peer.notify(reg.token, 2, '22', { maxAge: 300 }); // past the wrap: newer
      const con = peer.notify(reg.token, 3, '23', { type: 'CON', maxAge: 300 });
      const ack = await peer.next();
      assert.deepEqual([ack.type, ack.messageId], ['ACK', con]);
      await w.until(() => w.notes.length === 4);
      // 129 s later an older number is newer anyway (§3.4's time rule).
      await h.advance(129_000);
      peer.notify(reg.token, 1, '24', { maxAge: 30 });
      await w.until(() => w.notes.length === 5);
      assert.deepEqual(w.notes.map((n) => [n.payload, n.seq]), [['20', 0xfffffd], ['21', 0xfffffe], ['22', 2], ['23', 3], ['24', 1]]);
      // Max-Age 30 s without a newer notification: the client registers again, same token.
      assert.equal(peer.inbox.length, 0);
      await h.advance(30_000);
      const again = await peer.next();
      assert.deepEqual([codeText(again.code), readUint(optionOf(again, Opt.observe)!), again.token.equals(reg.token)], ['0.01', 0, true]);
      peer.reply(again, 1, '25', 60);
      await w.until(() => w.notes.length === 6);
      assert.deepEqual(w.notes.at(-1), { code: '2.05', payload: '25', seq: 1 });
      // An error notification ends the observation with the server's code.
      peer.notify(reg.token, 2, 'gone', { code: 132 });
      await w.until(() => w.events.length === 2);
      assert.deepEqual(w.events.at(-1), { op: 'end', ok: false, error: { kind: 'server', code: 132 } });
      assert.equal(coap.observing, false);
      // Forgotten (reactive cancel): the next notification, CON or NON, gets a RST.
      for (const type of ['CON', 'NON'] as const) {
        coap.observe();
        const second = await peer.next();
        peer.reply(second, 9, 'again', 300);
        await w.until(() => w.events.at(-1)?.op === 'register');
        coap.cancelObservation('forget');
        const late = peer.notify(second.token, 10, 'late', { type });
        const rst = await peer.next();
        assert.deepEqual([rst.type, rst.messageId], ['RST', late]);
      }
      assert.equal(w.notes.some((n) => n.payload === 'late'), false);
    } finally {
      await h.close();
      peer.close();
    }
  });

  it('a resource that is not observable (a 2.05 without Observe): the answer comes, the registration fails', async () => {
    const peer = await scriptedPeer();
    const h = await ublox();
    try {
      const coap = h.module.services.coap;
      configure(coap, `coap://127.0.0.1:${peer.port}/plain`);
      const w = watch(coap);
      coap.observe();
      peer.reply(await peer.next(), undefined, 'plain');
      await w.until(() => w.events.length === 1);
      assert.deepEqual(w.notes, [{ code: '2.05', payload: 'plain' }]);
      assert.deepEqual(w.events, [{ op: 'register', ok: false, error: { kind: 'observe' } }]);
      assert.equal(coap.observing, false);
    } finally {
      await h.close();
      peer.close();
    }
  });

  it('a server that stops answering the re-registration: the observation ends with a timeout', async () => {
    const peer = await scriptedPeer();
    const h = await ublox();
    try {
      const coap = h.module.services.coap;
      configure(coap, `coap://127.0.0.1:${peer.port}/temp`);
      const w = watch(coap);
      coap.observe();
      const reg = await peer.next();
      peer.reply(reg, 7, 'x', 10);
      await w.until(() => w.events.length === 1);
      await h.advance(10_000);
      await peer.next();
      for (const wait of [2000, 4000, 8000, 16000]) {
        await h.advance(wait);
        await peer.next();
      }
      await h.advance(32_000);
      await w.until(() => w.events.length === 2);
      assert.deepEqual(w.events.at(-1), { op: 'end', ok: false, error: { kind: 'timeout' } });
      assert.deepEqual(coap.lastError(), { kind: 'timeout' });
    } finally {
      await h.close();
      peer.close();
    }
  });
});

describe('CoAP Observe against libcoap (/example_data, notified on PUT)', () => {
  let server: Libcoap;
  before(async () => {
    server = await startLibcoap();
  });
  after(async () => {
    await server?.stop();
  });

  for (const scheme of ['coap', 'coap+tcp'] as const) {
    it(`${scheme}: a PUT beside the observation is notified; deregistration ends it`, async () => {
      const h = await ublox();
      try {
        const coap = h.module.services.coap;
        configure(coap, `${scheme}://127.0.0.1:${server.port}/example_data`);
        const put = once(coap, 'result');
        coap.start({ method: 'PUT', payload: Buffer.from('first') });
        assert.equal((await put)[0].ok, true);
        const w = watch(coap);
        coap.observe();
        await w.until(() => w.events.length === 1);
        assert.deepEqual([w.events[0], w.notes[0]?.payload, typeof w.notes[0]?.seq], [{ op: 'register', ok: true }, 'first', 'number']);
        const put2 = once(coap, 'result');
        coap.start({ method: 'PUT', payload: Buffer.from('second') });
        await put2;
        await w.until(() => w.notes.some((n) => n.payload === 'second'));
        const note = w.notes.find((n) => n.payload === 'second')!;
        assert.ok(note.seq !== undefined && note.seq !== w.notes[0]!.seq);
        coap.cancelObservation('deregister');
        await w.until(() => w.events.length === 2);
        assert.deepEqual(w.events[1], { op: 'deregister', ok: true });
      } finally {
        await h.close();
      }
    });
  }
});

describe('CoAP Observe: the server going away mid-observation', () => {
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    const how = signal === 'SIGKILL' ? 'killed: connection closed (+UCOAPER 2,7)' : 'shut down: its 4.04 notification ends it (+UCOAPER 3,404)';
    it(`over TCP, libcoap ${how}`, async () => {
      const server = await startLibcoap();
      const h = await ublox();
      try {
        const coap = h.module.services.coap;
        configure(coap, `coap+tcp://127.0.0.1:${server.port}/example_data`);
        const w = watch(coap);
        coap.observe();
        await w.until(() => w.events.length === 1);
        assert.deepEqual(w.events[0], { op: 'register', ok: true });
        const exited = once(server.process, 'exit');
        server.process.kill(signal);
        await exited;
        await w.until(() => w.events.length === 2);
        const error = signal === 'SIGKILL' ? { kind: 'closed' } : { kind: 'server', code: 132 };
        assert.deepEqual(w.events[1], { op: 'end', ok: false, error });
        assert.equal(coap.observing, false);
        assert.deepEqual(coap.lastError(), error);
      } finally {
        await h.close();
        await server.stop();
      }
    });
  }
});
