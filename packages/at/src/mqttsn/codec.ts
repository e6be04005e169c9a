/**
 * MQTT-SN 1.2 codec (spec §5): one message <-> one datagram. No I/O, so the module's client
 * and the shipped gateway share it. encode() rejects fields that do not fit; decode() rejects
 * anything that is not exactly one well-formed message (length mismatch, unknown type,
 * reserved topic-id type, bad protocol id) with MqttSnDecodeError and never reads past the buffer.
 */
import {
  MsgType,
  MqttSnDecodeError,
  MqttSnEncodeError,
  type SnFlags,
  type SnMessage,
  type SnQos,
  type SnTopic,
  type TopicIdTypeValue,
} from './types.js';

const QOS_BITS: Record<string, number> = { '0': 0b00, '1': 0b01, '2': 0b10, '-1': 0b11 };
const BITS_QOS: SnQos[] = [0, 1, 2, -1];

/** §5.3.4: DUP b7, QoS b6-5, Retain b4, Will b3, CleanSession b2, TopicIdType b1-0. */
export function encodeFlags(f: Partial<SnFlags>): number {
  const qos = f.qos ?? 0;
  const tid = f.topicIdType ?? 0;
  if (QOS_BITS[String(qos)] === undefined) throw new MqttSnEncodeError(`bad QoS ${qos}`);
  if (tid < 0 || tid > 2) throw new MqttSnEncodeError(`bad topic id type ${tid}`);
  return (
    (f.dup ? 0x80 : 0) |
    (QOS_BITS[String(qos)]! << 5) |
    (f.retain ? 0x10 : 0) |
    (f.will ? 0x08 : 0) |
    (f.cleanSession ? 0x04 : 0) |
    tid
  );
}

export function decodeFlags(b: number): SnFlags {
  const tid = b & 0x03;
  if (tid === 3) throw new MqttSnDecodeError('reserved topic id type 3');
  return {
    dup: (b & 0x80) !== 0,
    qos: BITS_QOS[(b >> 5) & 0x03]!,
    retain: (b & 0x10) !== 0,
    will: (b & 0x08) !== 0,
    cleanSession: (b & 0x04) !== 0,
    topicIdType: tid as TopicIdTypeValue,
  };
}

function u16(n: number, what: string): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new MqttSnEncodeError(`${what} ${n} is not 0..65535`);
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
function u8(n: number, what: string): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > 0xff) throw new MqttSnEncodeError(`${what} ${n} is not 0..255`);
  return Buffer.from([n]);
}
function shortName(name: string): Buffer {
  const b = Buffer.from(name, 'utf8');
  if (b.length !== 2) throw new MqttSnEncodeError(`short topic name must be 2 bytes, got "${name}"`);
  return b;
}

/** The topic field and its TopicIdType for PUBLISH / SUBSCRIBE / UNSUBSCRIBE. */
function topicField(t: SnTopic): { tid: TopicIdTypeValue; bytes: Buffer } {
  switch (t.type) {
    case 'id':
      return { tid: 0, bytes: u16(t.id, 'topic id') };
    case 'predefined':
      return { tid: 1, bytes: u16(t.id, 'topic id') };
    case 'short':
      return { tid: 2, bytes: shortName(t.name) };
    case 'name':
      if (t.name.length === 0) throw new MqttSnEncodeError('empty topic name');
      return { tid: 0, bytes: Buffer.from(t.name, 'utf8') };
  }
}

/** Header (§5.2): 1-byte length when the whole message is < 256 bytes, else 0x01 + 2-byte length. */
function frame(type: number, body: Buffer): Buffer {
  const short = 2 + body.length;
  if (short < 256) return Buffer.concat([Buffer.from([short, type]), body]);
  const long = 4 + body.length;
  if (long > 0xffff) throw new MqttSnEncodeError(`message of ${long} bytes exceeds 65535`);
  const h = Buffer.alloc(4);
  h[0] = 0x01;
  h.writeUInt16BE(long, 1);
  h[3] = type;
  return Buffer.concat([h, body]);
}

export function encode(m: SnMessage): Buffer {
  const c = Buffer.concat;
  switch (m.type) {
    case 'ADVERTISE':
      return frame(MsgType.ADVERTISE, c([u8(m.gwId, 'gwId'), u16(m.duration, 'duration')]));
    case 'SEARCHGW':
      return frame(MsgType.SEARCHGW, u8(m.radius, 'radius'));
    case 'GWINFO':
      return frame(MsgType.GWINFO, c([u8(m.gwId, 'gwId'), m.gwAdd]));
    case 'CONNECT': {
      const id = Buffer.from(m.clientId, 'utf8');
      if (id.length < 1 || id.length > 23) throw new MqttSnEncodeError('client id must be 1..23 bytes');
      const flags = encodeFlags({ will: m.will, cleanSession: m.cleanSession });
      return frame(MsgType.CONNECT, c([Buffer.from([flags, m.protocolId ?? 0x01]), u16(m.duration, 'duration'), id]));
    }
    case 'CONNACK':
      return frame(MsgType.CONNACK, u8(m.returnCode, 'return code'));
    case 'WILLTOPICREQ':
    case 'WILLMSGREQ':
    case 'PINGRESP':
      return frame(MsgType[m.type], Buffer.alloc(0));
    case 'WILLTOPIC':
    case 'WILLTOPICUPD':
      // §5.4.7 / §5.4.22: an empty message (no flags, no topic) deletes the will.
      if (m.topic === '') return frame(MsgType[m.type], Buffer.alloc(0));
      return frame(MsgType[m.type], c([Buffer.from([encodeFlags({ qos: m.qos, retain: m.retain })]), Buffer.from(m.topic, 'utf8')]));
    case 'WILLMSG':
    case 'WILLMSGUPD':
      return frame(MsgType[m.type], m.message);
    case 'REGISTER':
      return frame(MsgType.REGISTER, c([u16(m.topicId, 'topic id'), u16(m.msgId, 'msg id'), Buffer.from(m.topicName, 'utf8')]));
    case 'REGACK':
    case 'PUBACK':
      return frame(MsgType[m.type], c([u16(m.topicId, 'topic id'), u16(m.msgId, 'msg id'), u8(m.returnCode, 'return code')]));
    case 'PUBLISH': {
      const t = topicField(m.topic);
      const flags = encodeFlags({ dup: m.dup, qos: m.qos, retain: m.retain, topicIdType: t.tid });
      return frame(MsgType.PUBLISH, c([Buffer.from([flags]), t.bytes, u16(m.msgId, 'msg id'), m.data]));
    }
    case 'PUBCOMP':
    case 'PUBREC':
    case 'PUBREL':
    case 'UNSUBACK':
      return frame(MsgType[m.type], u16(m.msgId, 'msg id'));
    case 'SUBSCRIBE': {
      const t = topicField(m.topic);
      const flags = encodeFlags({ dup: m.dup, qos: m.qos, topicIdType: t.tid });
      return frame(MsgType.SUBSCRIBE, c([Buffer.from([flags]), u16(m.msgId, 'msg id'), t.bytes]));
    }
    case 'SUBACK':
      return frame(MsgType.SUBACK, c([Buffer.from([encodeFlags({ qos: m.qos })]), u16(m.topicId, 'topic id'), u16(m.msgId, 'msg id'), u8(m.returnCode, 'return code')]));
    case 'UNSUBSCRIBE': {
      const t = topicField(m.topic);
      return frame(MsgType.UNSUBSCRIBE, c([Buffer.from([encodeFlags({ topicIdType: t.tid })]), u16(m.msgId, 'msg id'), t.bytes]));
    }
    case 'PINGREQ':
      return frame(MsgType.PINGREQ, m.clientId ? Buffer.from(m.clientId, 'utf8') : Buffer.alloc(0));
    case 'DISCONNECT':
      return frame(MsgType.DISCONNECT, m.duration === undefined ? Buffer.alloc(0) : u16(m.duration, 'duration'));
    case 'WILLTOPICRESP':
    case 'WILLMSGRESP':
      return frame(MsgType[m.type], u8(m.returnCode, 'return code'));
    case 'ENCAPSULATED': {
      // §5.5: the encapsulation header's length covers only itself; the message follows.
      const head = frame(MsgType.ENCAPSULATED, c([u8(m.radius & 0x03, 'ctrl'), m.wirelessNodeId]));
      return c([head, encode(m.message)]);
    }
  }
}

/** Reads the header; returns the declared length, the type and where the body starts. */
function header(buf: Buffer): { length: number; type: number; at: number } {
  if (buf.length < 2) throw new MqttSnDecodeError('datagram shorter than a header');
  if (buf[0] === 0x01) {
    if (buf.length < 4) throw new MqttSnDecodeError('truncated 3-byte length');
    const length = buf.readUInt16BE(1);
    if (length < 256) throw new MqttSnDecodeError('3-byte length used for a message under 256 bytes');
    return { length, type: buf[3]!, at: 4 };
  }
  if (buf[0] === 0x00) throw new MqttSnDecodeError('length 0');
  return { length: buf[0]!, type: buf[1]!, at: 2 };
}

const TYPE_NAMES = new Map<number, string>(Object.entries(MsgType).map(([k, v]) => [v, k]));

/** Decodes exactly one message occupying the whole buffer. */
export function decode(buf: Buffer): SnMessage {
  const h = header(buf);
  if (h.type === MsgType.ENCAPSULATED) {
    if (h.length > buf.length || h.length < h.at + 1) throw new MqttSnDecodeError('bad encapsulation length');
    const ctrl = buf[h.at]!;
    return {
      type: 'ENCAPSULATED',
      radius: ctrl & 0x03,
      wirelessNodeId: Buffer.from(buf.subarray(h.at + 1, h.length)),
      message: decode(buf.subarray(h.length)),
    };
  }
  if (h.length !== buf.length) throw new MqttSnDecodeError(`length field ${h.length} but datagram is ${buf.length} bytes`);
  const b = buf.subarray(h.at);
  const name = TYPE_NAMES.get(h.type);
  if (name === undefined) throw new MqttSnDecodeError(`unknown message type 0x${h.type.toString(16)}`);
  const need = (n: number, exact = true): void => {
    if (exact ? b.length !== n : b.length < n) throw new MqttSnDecodeError(`${name}: body of ${b.length} bytes, expected ${exact ? '' : 'at least '}${n}`);
  };
  const copy = (from: number): Buffer => Buffer.from(b.subarray(from));
  switch (h.type) {
    case MsgType.ADVERTISE:
      need(3);
      return { type: 'ADVERTISE', gwId: b[0]!, duration: b.readUInt16BE(1) };
    case MsgType.SEARCHGW:
      need(1);
      return { type: 'SEARCHGW', radius: b[0]! };
    case MsgType.GWINFO:
      need(1, false);
      return { type: 'GWINFO', gwId: b[0]!, gwAdd: copy(1) };
    case MsgType.CONNECT: {
      need(5, false);
      const f = decodeFlags(b[0]!);
      if (b[1] !== 0x01) throw new MqttSnDecodeError(`CONNECT: protocol id ${b[1]} is not 0x01`);
      return { type: 'CONNECT', will: f.will, cleanSession: f.cleanSession, duration: b.readUInt16BE(2), clientId: b.subarray(4).toString('utf8'), protocolId: 1 };
    }
    case MsgType.CONNACK:
      need(1);
      return { type: 'CONNACK', returnCode: b[0]! };
    case MsgType.WILLTOPICREQ:
    case MsgType.WILLMSGREQ:
    case MsgType.PINGRESP:
      need(0);
      return { type: name } as SnMessage;
    case MsgType.WILLTOPIC:
    case MsgType.WILLTOPICUPD: {
      const t = name as 'WILLTOPIC' | 'WILLTOPICUPD';
      if (b.length === 0) return { type: t, qos: 0, retain: false, topic: '' };
      need(2, false);
      const f = decodeFlags(b[0]!);
      return { type: t, qos: f.qos, retain: f.retain, topic: b.subarray(1).toString('utf8') };
    }
    case MsgType.WILLMSG:
    case MsgType.WILLMSGUPD:
      return { type: name as 'WILLMSG' | 'WILLMSGUPD', message: copy(0) };
    case MsgType.REGISTER:
      need(5, false);
      return { type: 'REGISTER', topicId: b.readUInt16BE(0), msgId: b.readUInt16BE(2), topicName: b.subarray(4).toString('utf8') };
    case MsgType.REGACK:
    case MsgType.PUBACK:
      need(5);
      return { type: name as 'REGACK' | 'PUBACK', topicId: b.readUInt16BE(0), msgId: b.readUInt16BE(2), returnCode: b[4]! };
    case MsgType.PUBLISH: {
      need(5, false);
      const f = decodeFlags(b[0]!);
      const topic: Exclude<SnTopic, { type: 'name' }> =
        f.topicIdType === 2 ? { type: 'short', name: b.subarray(1, 3).toString('utf8') } : { type: f.topicIdType === 1 ? 'predefined' : 'id', id: b.readUInt16BE(1) };
      return { type: 'PUBLISH', dup: f.dup, qos: f.qos, retain: f.retain, topic, msgId: b.readUInt16BE(3), data: copy(5) };
    }
    case MsgType.PUBCOMP:
    case MsgType.PUBREC:
    case MsgType.PUBREL:
    case MsgType.UNSUBACK:
      need(2);
      return { type: name as 'PUBCOMP', msgId: b.readUInt16BE(0) };
    case MsgType.SUBSCRIBE:
    case MsgType.UNSUBSCRIBE: {
      need(4, false);
      const f = decodeFlags(b[0]!);
      const msgId = b.readUInt16BE(1);
      const rest = b.subarray(3);
      let topic: SnTopic;
      if (f.topicIdType === 0) topic = { type: 'name', name: rest.toString('utf8') };
      else {
        if (rest.length !== 2) throw new MqttSnDecodeError(`${name}: topic id field must be 2 bytes`);
        topic = f.topicIdType === 1 ? { type: 'predefined', id: rest.readUInt16BE(0) } : { type: 'short', name: rest.toString('utf8') };
      }
      return h.type === MsgType.SUBSCRIBE ? { type: 'SUBSCRIBE', dup: f.dup, qos: f.qos, msgId, topic } : { type: 'UNSUBSCRIBE', msgId, topic };
    }
    case MsgType.SUBACK: {
      need(6);
      const f = decodeFlags(b[0]!);
      return { type: 'SUBACK', qos: f.qos, topicId: b.readUInt16BE(1), msgId: b.readUInt16BE(3), returnCode: b[5]! };
    }
    case MsgType.PINGREQ:
      return b.length === 0 ? { type: 'PINGREQ' } : { type: 'PINGREQ', clientId: b.toString('utf8') };
    case MsgType.DISCONNECT:
      if (b.length === 0) return { type: 'DISCONNECT' };
      need(2);
      return { type: 'DISCONNECT', duration: b.readUInt16BE(0) };
    case MsgType.WILLTOPICRESP:
    case MsgType.WILLMSGRESP:
      need(1);
      return { type: name as 'WILLTOPICRESP', returnCode: b[0]! };
  }
  throw new MqttSnDecodeError(`unknown message type 0x${h.type.toString(16)}`);
}
