/**
 * The CMUX host against a scripted 27.010 responder, for what the virtual modules never do
 * on their own: flow control from the module (MSC FC, FCoff/FCon), a module-initiated
 * DISC and CLD, and an unknown control command. Everything else is tested against the
 * virtual modules (test/sdk-cmux*.test.ts).
 */
import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { describe, it } from 'node:test';
import { CmuxDecoder, decodeControl, encodeControl, encodeFrame, encodeMsc, type CmuxFrame, type FrameTypeName } from '@modemlab/at';
import { duplexPair } from '../testing/scripted-module.js';
import { CmuxHost } from './cmux-host.js';

/** The module end: answers SABM with UA and the host's MSC with its response; records frames. */
function responder() {
  const [host, module] = duplexPair();
  const frames: CmuxFrame[] = [];
  const send = (dlci: number, type: FrameTypeName, data: Buffer = Buffer.alloc(0)): void => {
    module.write(encodeFrame({ dlci, type, cr: type === 'UA' || type === 'DM', pf: type !== 'UIH', data }));
  };
  const control = (payload: Buffer): void => send(0, 'UIH', payload);
  const seen: Array<() => void> = [];
  const decoder = new CmuxDecoder((f) => {
    frames.push(f);
    if (f.type === 'SABM') send(f.dlci, 'UA');
    if (f.type === 'UIH' && f.dlci === 0) {
      for (const m of decodeControl(f.data)) if (m.command && m.type === 'MSC') control(encodeControl('MSC', false, m.value));
    }
    for (const fn of seen.splice(0)) fn();
  });
  module.on('data', (b: Buffer) => decoder.push(b));
  /** Resolves once a frame matching `match` has arrived. */
  const next = (match: (f: CmuxFrame) => boolean): Promise<CmuxFrame> =>
    new Promise((resolve) => {
      const check = (): void => {
        const f = frames.find(match);
        if (f) resolve(f);
        else seen.push(check);
      };
      check();
    });
  return { host, frames, control, send, next };
}

const msc = (dlci: number, fc: boolean): Buffer => encodeMsc({ dlci, signals: { fc, rtc: true, rtr: true, ic: false, dv: true } });
const dataOn = (frames: CmuxFrame[], dlci: number): string =>
  Buffer.concat(frames.filter((f) => f.type === 'UIH' && f.dlci === dlci).map((f) => f.data)).toString();

describe('CmuxHost', () => {
  it('holds a channel’s data while the module’s MSC says FC, and after FCoff until FCon', async () => {
    const r = responder();
    const mux = new CmuxHost(r.host, { timeoutMs: 2_000 });
    await mux.start();
    const ch = await mux.openChannel(1);
    r.control(encodeControl('MSC', true, msc(1, true)));
    await r.next((f) => f.dlci === 0 && decodeControl(f.data).some((m) => m.type === 'MSC' && !m.command && m.value[1] === msc(1, true)[1]));
    ch.write('held ');
    ch.write('in order');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(dataOn(r.frames, 1), '');
    r.control(encodeControl('MSC', true, msc(1, false)));
    await r.next((f) => f.dlci === 1 && f.type === 'UIH');
    await r.next(() => dataOn(r.frames, 1) === 'held in order');

    r.control(encodeControl('FCOFF', true));
    await r.next((f) => f.dlci === 0 && decodeControl(f.data).some((m) => m.type === 'FCOFF' && !m.command));
    ch.write(' more');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(dataOn(r.frames, 1), 'held in order');
    r.control(encodeControl('FCON', true));
    await r.next(() => dataOn(r.frames, 1) === 'held in order more');
    await mux.close({ destroyTransport: true }).catch(() => {});
  });

  it('passes the transport’s backpressure to the channel writer', async () => {
    const r = responder();
    // A transport that finishes each write a turn later, as a socket does: it can fill up.
    const slow = new Duplex({
      read() {},
      write(chunk: Buffer, _e, cb) {
        r.host.write(chunk);
        setImmediate(cb);
      },
    });
    r.host.on('data', (d: Buffer) => slow.push(d));
    const mux = new CmuxHost(slow, { timeoutMs: 2_000, n1: 1500 });
    await mux.start();
    const ch = await mux.openChannel(1);
    const order: string[] = [];
    slow.on('drain', () => order.push('transport drain'));
    // 20 000 bytes of frames exceed the transport's 16 KiB high-water mark in one write.
    await new Promise<void>((resolve) => ch.write(Buffer.alloc(20_000, 0x41), () => (order.push('channel write done'), resolve())));
    assert.deepEqual(order, ['transport drain', 'channel write done']);
    await r.next(() => dataOn(r.frames, 1).length === 20_000);
    await mux.close({ destroyTransport: true }).catch(() => {});
  });

  it('answers an unknown control command with NSC, and ends a channel the module DISCs', async () => {
    const r = responder();
    const mux = new CmuxHost(r.host, { timeoutMs: 2_000 });
    await mux.start();
    const ch = await mux.openChannel(2);
    r.control(Buffer.from([0x07, 0x01])); // type 0x04 (unknown), command, no value
    const nsc = await r.next((f) => f.dlci === 0 && decodeControl(f.data).some((m) => m.type === 'NSC'));
    assert.deepEqual(decodeControl(nsc.data).find((m) => m.type === 'NSC')!.value, Buffer.from([0x07]));
    const ended = new Promise<void>((resolve) => ch.once('close', () => resolve()));
    r.send(2, 'DISC');
    await r.next((f) => f.dlci === 2 && f.type === 'UA');
    await ended;
    await mux.close({ destroyTransport: true }).catch(() => {});
  });

  it('answers the module’s CLD and ends every channel', async () => {
    const r = responder();
    const mux = new CmuxHost(r.host, { timeoutMs: 2_000 });
    await mux.start();
    const ch = await mux.openChannel(1);
    const ended = new Promise<void>((resolve) => ch.once('close', () => resolve()));
    r.control(encodeControl('CLD', true));
    await r.next((f) => f.dlci === 0 && decodeControl(f.data).some((m) => m.type === 'CLD' && !m.command));
    await ended;
    await mux.openChannel(2).then(
      () => assert.fail('a closed mux opens nothing'),
      (e: Error) => assert.equal(e.name, 'ConnectionClosedError'),
    );
  });
});
