/** Byte-by-byte against the MQTT-SN 1.2 message formats (spec §5.2-§5.5). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode, encodeFlags, decodeFlags } from './codec.js';
import { MqttSnDecodeError, MqttSnEncodeError, type SnMessage } from './types.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** [message, its exact bytes per the spec]; each row is checked both ways. */
const vectors: Array<[string, SnMessage, string]> = [
  ['ADVERTISE gw 5, 900 s', { type: 'ADVERTISE', gwId: 5, duration: 900 }, '05 00 05 0384'],
  ['SEARCHGW radius 1', { type: 'SEARCHGW', radius: 1 }, '03 01 01'],
  ['GWINFO with address', { type: 'GWINFO', gwId: 7, gwAdd: hex('7f000001') }, '07 02 07 7f000001'],
  ['GWINFO without address (from the gateway)', { type: 'GWINFO', gwId: 7, gwAdd: Buffer.alloc(0) }, '03 02 07'],
  ['CONNECT will+clean, 60 s, "ab"', { type: 'CONNECT', will: true, cleanSession: true, duration: 60, clientId: 'ab', protocolId: 1 }, '08 04 0c 01 003c 6162'],
  ['CONNECT no flags', { type: 'CONNECT', will: false, cleanSession: false, duration: 10, clientId: 'c', protocolId: 1 }, '07 04 00 01 000a 63'],
  ['CONNACK accepted', { type: 'CONNACK', returnCode: 0 }, '03 05 00'],
  ['CONNACK congestion', { type: 'CONNACK', returnCode: 1 }, '03 05 01'],
  ['WILLTOPICREQ', { type: 'WILLTOPICREQ' }, '02 06'],
  ['WILLTOPIC qos1 retain "w"', { type: 'WILLTOPIC', qos: 1, retain: true, topic: 'w' }, '04 07 30 77'],
  ['WILLTOPIC empty deletes the will', { type: 'WILLTOPIC', qos: 0, retain: false, topic: '' }, '02 07'],
  ['WILLMSGREQ', { type: 'WILLMSGREQ' }, '02 08'],
  ['WILLMSG "bye"', { type: 'WILLMSG', message: Buffer.from('bye') }, '05 09 627965'],
  ['REGISTER client->gw', { type: 'REGISTER', topicId: 0, msgId: 1, topicName: 'a/b' }, '09 0a 0000 0001 612f62'],
  ['REGACK', { type: 'REGACK', topicId: 0x0102, msgId: 1, returnCode: 0 }, '07 0b 0102 0001 00'],
  ['PUBLISH qos0 normal id', { type: 'PUBLISH', dup: false, qos: 0, retain: false, topic: { type: 'id', id: 1 }, msgId: 0, data: Buffer.from('hi') }, '09 0c 00 0001 0000 6869'],
  ['PUBLISH qos1 retain predefined', { type: 'PUBLISH', dup: false, qos: 1, retain: true, topic: { type: 'predefined', id: 0x10 }, msgId: 2, data: Buffer.from('x') }, '08 0c 31 0010 0002 78'],
  ['PUBLISH qos2 dup short name', { type: 'PUBLISH', dup: true, qos: 2, retain: false, topic: { type: 'short', name: 'ab' }, msgId: 3, data: Buffer.alloc(0) }, '07 0c c2 6162 0003'],
  ['PUBLISH qos -1 predefined', { type: 'PUBLISH', dup: false, qos: -1, retain: false, topic: { type: 'predefined', id: 1 }, msgId: 0, data: Buffer.from('z') }, '08 0c 61 0001 0000 7a'],
  ['PUBACK invalid topic id', { type: 'PUBACK', topicId: 9, msgId: 4, returnCode: 2 }, '07 0d 0009 0004 02'],
  ['PUBCOMP', { type: 'PUBCOMP', msgId: 5 }, '04 0e 0005'],
  ['PUBREC', { type: 'PUBREC', msgId: 5 }, '04 0f 0005'],
  ['PUBREL', { type: 'PUBREL', msgId: 5 }, '04 10 0005'],
  ['SUBSCRIBE qos1 by name', { type: 'SUBSCRIBE', dup: false, qos: 1, msgId: 6, topic: { type: 'name', name: 's/#' } }, '08 12 20 0006 732f23'],
  ['SUBSCRIBE predefined', { type: 'SUBSCRIBE', dup: false, qos: 0, msgId: 6, topic: { type: 'predefined', id: 0x22 } }, '07 12 01 0006 0022'],
  ['SUBSCRIBE short', { type: 'SUBSCRIBE', dup: false, qos: 2, msgId: 6, topic: { type: 'short', name: 'st' } }, '07 12 42 0006 7374'],
  ['SUBACK granted qos1', { type: 'SUBACK', qos: 1, topicId: 3, msgId: 6, returnCode: 0 }, '08 13 20 0003 0006 00'],
  ['UNSUBSCRIBE by name', { type: 'UNSUBSCRIBE', msgId: 7, topic: { type: 'name', name: 's' } }, '06 14 00 0007 73'],
  ['UNSUBSCRIBE short', { type: 'UNSUBSCRIBE', msgId: 7, topic: { type: 'short', name: 'st' } }, '07 14 02 0007 7374'],
  ['UNSUBACK', { type: 'UNSUBACK', msgId: 7 }, '04 15 0007'],
  ['PINGREQ', { type: 'PINGREQ' }, '02 16'],
  ['PINGREQ with client id (sleeping client awake)', { type: 'PINGREQ', clientId: 'ab' }, '04 16 6162'],
  ['PINGRESP', { type: 'PINGRESP' }, '02 17'],
  ['DISCONNECT', { type: 'DISCONNECT' }, '02 18'],
  ['DISCONNECT with sleep 300 s', { type: 'DISCONNECT', duration: 300 }, '04 18 012c'],
  ['WILLTOPICUPD', { type: 'WILLTOPICUPD', qos: 2, retain: false, topic: 't' }, '04 1a 40 74'],
  ['WILLTOPICUPD empty', { type: 'WILLTOPICUPD', qos: 0, retain: false, topic: '' }, '02 1a'],
  ['WILLTOPICRESP', { type: 'WILLTOPICRESP', returnCode: 0 }, '03 1b 00'],
  ['WILLMSGUPD', { type: 'WILLMSGUPD', message: Buffer.from('m') }, '03 1c 6d'],
  ['WILLMSGRESP not supported', { type: 'WILLMSGRESP', returnCode: 3 }, '03 1d 03'],
  ['ENCAPSULATED PINGREQ', { type: 'ENCAPSULATED', radius: 1, wirelessNodeId: hex('aabb'), message: { type: 'PINGREQ' } }, '05 fe 01 aabb 02 16'],
];

describe('mqttsn codec: every message type byte by byte', () => {
  for (const [name, msg, bytes] of vectors) {
    it(`${name}: encode`, () => assert.equal(encode(msg).toString('hex'), hex(bytes).toString('hex')));
    it(`${name}: decode`, () => assert.deepEqual(decode(hex(bytes)), msg));
  }
});

describe('mqttsn codec: length field', () => {
  it('uses 1 byte up to 255 and 0x01 + 2 bytes from 256 (§5.2.1)', () => {
    const mk = (n: number): SnMessage => ({ type: 'PUBLISH', dup: false, qos: 0, retain: false, topic: { type: 'id', id: 1 }, msgId: 0, data: Buffer.alloc(n, 0x41) });
    const at255 = encode(mk(255 - 7));
    assert.equal(at255.length, 255);
    assert.equal(at255[0], 255);
    assert.equal(at255[1], 0x0c);
    const at256 = encode(mk(256 - 7)); // body 254 + 2 would be 256: goes long, so 258 bytes
    assert.equal(at256[0], 0x01);
    assert.equal(at256.readUInt16BE(1), at256.length);
    assert.equal(at256.length, 4 + 5 + 249);
    assert.equal(at256[3], 0x0c);
    assert.deepEqual(decode(at256), mk(249));
    assert.deepEqual(decode(at255), mk(248));
  });
  it('rejects a message over 65535 bytes', () => {
    assert.throws(() => encode({ type: 'WILLMSG', message: Buffer.alloc(70000) }), MqttSnEncodeError);
  });
});

describe('mqttsn codec: flags (§5.3.4)', () => {
  it('packs every bit where the spec puts it', () => {
    assert.equal(encodeFlags({ dup: true }), 0x80);
    assert.equal(encodeFlags({ qos: 1 }), 0x20);
    assert.equal(encodeFlags({ qos: 2 }), 0x40);
    assert.equal(encodeFlags({ qos: -1 }), 0x60);
    assert.equal(encodeFlags({ retain: true }), 0x10);
    assert.equal(encodeFlags({ will: true }), 0x08);
    assert.equal(encodeFlags({ cleanSession: true }), 0x04);
    assert.equal(encodeFlags({ topicIdType: 1 }), 0x01);
    assert.equal(encodeFlags({ topicIdType: 2 }), 0x02);
    assert.deepEqual(decodeFlags(0xff & ~0x01), { dup: true, qos: -1, retain: true, will: true, cleanSession: true, topicIdType: 2 });
  });
});

describe('mqttsn codec: bad input', () => {
  const bad: Array<[string, string]> = [
    ['empty', ''],
    ['one byte', '02'],
    ['length 0', '00 04'],
    ['length larger than the datagram', '05 05 00'],
    ['length smaller than the datagram', '02 05 00'],
    ['unknown type 0x03', '02 03'],
    ['unknown type 0x11', '02 11'],
    ['CONNACK without return code', '02 05'],
    ['CONNECT with protocol id 2', '07 04 00 02 000a 63'],
    ['PUBLISH with reserved topic id type 3', '08 0c 03 0001 0000 78'],
    ['PUBLISH too short', '06 0c 00 0001 00'],
    ['SUBSCRIBE predefined with 3-byte id', '08 12 01 0006 002200'],
    ['3-byte length under 256', '01 0004 17'],
    ['truncated 3-byte length', '01 01'],
    ['DISCONNECT with one duration byte', '03 18 01'],
    ['PUBCOMP with 3 bytes', '05 0e 000500'],
  ];
  for (const [name, bytes] of bad) {
    it(`rejects ${name}`, () => assert.throws(() => decode(hex(bytes)), MqttSnDecodeError));
  }
  it('refuses to encode fields that do not fit', () => {
    assert.throws(() => encode({ type: 'PUBCOMP', msgId: 70000 }), MqttSnEncodeError);
    assert.throws(() => encode({ type: 'CONNECT', will: false, cleanSession: true, duration: 1, clientId: '' }), MqttSnEncodeError);
    assert.throws(() => encode({ type: 'CONNECT', will: false, cleanSession: true, duration: 1, clientId: 'x'.repeat(24) }), MqttSnEncodeError);
    assert.throws(() => encode({ type: 'SUBSCRIBE', dup: false, qos: 0, msgId: 1, topic: { type: 'short', name: 'abc' } }), MqttSnEncodeError);
  });
});
