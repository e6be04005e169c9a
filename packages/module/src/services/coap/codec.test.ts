import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generate } from 'coap-packet';
import { decodeBlock, encodeBlock } from './block.js';
import { decodeUdp, encodeTcp, encodeUdp, TcpFrameReader } from './codec.js';
import { parseCoapUri } from './config.js';
import type { CoapMessage } from './message.js';

const message = (payload: Buffer): CoapMessage => ({
  type: 'CON',
  code: 2,
  messageId: 0x1234,
  token: Buffer.from([1, 2, 3]),
  options: [{ number: 11, value: Buffer.from('a') }, { number: 60, value: Buffer.from([5]) }, { number: 2049, value: Buffer.from('x') }],
  payload,
});

describe('CoAP codec', () => {
  it('UDP: what coap-packet makes, both ways, options by number, types', () => {
    for (const type of ['CON', 'NON', 'ACK', 'RST'] as const) {
      const m = { ...message(Buffer.from('hi')), type };
      assert.deepEqual(decodeUdp(encodeUdp(m)), m);
    }
    const theirs = generate({ code: '0.01', messageId: 7, token: Buffer.from('t'), options: [{ name: 'Uri-Path', value: Buffer.from('p') }], confirmable: true });
    assert.deepEqual(decodeUdp(theirs).options, [{ number: 11, value: Buffer.from('p') }]);
    assert.throws(() => decodeUdp(Buffer.from([0x00, 1, 0, 0])), /not a CoAP datagram/);
  });

  it('TCP (RFC 8323): every length encoding, frames cut anywhere, several in one chunk', () => {
    // Lengths at the edges of the 4-bit, 8-bit and 16-bit length fields.
    for (const size of [0, 1, 5, 6, 250, 255, 262, 263, 3000, 65000]) {
      const m = message(Buffer.alloc(size, 0x41));
      const frame = encodeTcp(m);
      const reader = new TcpFrameReader();
      const got: CoapMessage[] = [];
      for (let i = 0; i < frame.length; i += 7) got.push(...reader.push(frame.subarray(i, i + 7)));
      assert.equal(got.length, 1, `size ${size}`);
      assert.deepEqual([got[0]!.code, got[0]!.token, got[0]!.options, got[0]!.payload], [m.code, m.token, m.options, m.payload]);
    }
    const reader = new TcpFrameReader();
    const two = Buffer.concat([encodeTcp(message(Buffer.from('1'))), encodeTcp(message(Buffer.from('2')))]);
    assert.deepEqual(reader.push(two).map((m) => m.payload.toString()), ['1', '2']);
    // The known shape of an empty CSM: Len 0, TKL 0, code 7.01.
    assert.deepEqual(encodeTcp({ type: 'CON', code: 225, messageId: 0, token: Buffer.alloc(0), options: [], payload: Buffer.alloc(0) }), Buffer.from([0x00, 0xe1]));
    assert.throws(() => new TcpFrameReader().push(Buffer.from([0x09, 0x01])), /token/);
  });

  it('Block options (RFC 7959 §2.2) and CoAP URIs', () => {
    for (const b of [{ num: 0, more: true, szx: 6 }, { num: 1, more: false, szx: 2 }, { num: 4095, more: true, szx: 0 }, { num: 70000, more: false, szx: 4 }]) assert.deepEqual(decodeBlock(encodeBlock(b)), b);
    assert.deepEqual(encodeBlock({ num: 0, more: false, szx: 0 }), Buffer.alloc(0));
    assert.deepEqual(parseCoapUri('coaps+tcp://[::1]:1234/a/b%20c?x=1&y'), { scheme: 'coaps+tcp', host: '::1', port: 1234, path: ['a', 'b c'], query: ['x=1', 'y'] });
    assert.equal(parseCoapUri('coap://h')!.port, 5683);
    assert.equal(parseCoapUri('coaps://h')!.port, 5684);
    for (const bad of ['http://h/', 'coap://', 'coap://h:0/', 'coap://h:70000/', 'coap://h/%zz']) assert.equal(parseCoapUri(bad), undefined, bad);
  });
});
