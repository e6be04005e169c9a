/**
 * MQTT-SN 1.2 message model (OASIS/IBM "MQTT For Sensor Networks, Protocol Specification
 * Version 1.2", §5). Pure data: the codec in codec.ts turns these into bytes and back.
 */

/** §5.2.2 MsgType values. */
export const MsgType = {
  ADVERTISE: 0x00,
  SEARCHGW: 0x01,
  GWINFO: 0x02,
  CONNECT: 0x04,
  CONNACK: 0x05,
  WILLTOPICREQ: 0x06,
  WILLTOPIC: 0x07,
  WILLMSGREQ: 0x08,
  WILLMSG: 0x09,
  REGISTER: 0x0a,
  REGACK: 0x0b,
  PUBLISH: 0x0c,
  PUBACK: 0x0d,
  PUBCOMP: 0x0e,
  PUBREC: 0x0f,
  PUBREL: 0x10,
  SUBSCRIBE: 0x12,
  SUBACK: 0x13,
  UNSUBSCRIBE: 0x14,
  UNSUBACK: 0x15,
  PINGREQ: 0x16,
  PINGRESP: 0x17,
  DISCONNECT: 0x18,
  WILLTOPICUPD: 0x1a,
  WILLTOPICRESP: 0x1b,
  WILLMSGUPD: 0x1c,
  WILLMSGRESP: 0x1d,
  ENCAPSULATED: 0xfe,
} as const;
export type MsgTypeName = keyof typeof MsgType;

/** §5.3.10 ReturnCode values. */
export const ReturnCode = {
  ACCEPTED: 0x00,
  CONGESTION: 0x01,
  INVALID_TOPIC_ID: 0x02,
  NOT_SUPPORTED: 0x03,
} as const;
export type ReturnCodeValue = (typeof ReturnCode)[keyof typeof ReturnCode];

/** §5.3.4 QoS: -1 is "publish without connection" (flags bits 11). */
export type SnQos = -1 | 0 | 1 | 2;

/** §5.3.4 TopicIdType: 0 normal topic id, 1 predefined topic id, 2 short topic name. */
export const TopicIdType = { NORMAL: 0, PREDEFINED: 1, SHORT: 2 } as const;
export type TopicIdTypeValue = (typeof TopicIdType)[keyof typeof TopicIdType];

/** §5.3.4 Flags, all fields; each message uses the ones the spec names for it. */
export interface SnFlags {
  dup: boolean;
  qos: SnQos;
  retain: boolean;
  will: boolean;
  cleanSession: boolean;
  topicIdType: TopicIdTypeValue;
}

/**
 * A topic as PUBLISH/SUBSCRIBE/UNSUBSCRIBE carry it: a numeric id (normal or predefined),
 * a two-character short name, or (SUBSCRIBE/UNSUBSCRIBE with type normal only) a full name.
 */
export type SnTopic =
  | { type: 'id'; id: number }
  | { type: 'predefined'; id: number }
  | { type: 'short'; name: string }
  | { type: 'name'; name: string };

export type SnMessage =
  | { type: 'ADVERTISE'; gwId: number; duration: number }
  | { type: 'SEARCHGW'; radius: number }
  | { type: 'GWINFO'; gwId: number; gwAdd: Buffer }
  | { type: 'CONNECT'; will: boolean; cleanSession: boolean; duration: number; clientId: string; protocolId?: number }
  | { type: 'CONNACK'; returnCode: number }
  | { type: 'WILLTOPICREQ' }
  | { type: 'WILLTOPIC'; qos: SnQos; retain: boolean; topic: string } // topic '' = empty WILLTOPIC (delete will)
  | { type: 'WILLMSGREQ' }
  | { type: 'WILLMSG'; message: Buffer }
  | { type: 'REGISTER'; topicId: number; msgId: number; topicName: string }
  | { type: 'REGACK'; topicId: number; msgId: number; returnCode: number }
  | { type: 'PUBLISH'; dup: boolean; qos: SnQos; retain: boolean; topic: Exclude<SnTopic, { type: 'name' }>; msgId: number; data: Buffer }
  | { type: 'PUBACK'; topicId: number; msgId: number; returnCode: number }
  | { type: 'PUBCOMP'; msgId: number }
  | { type: 'PUBREC'; msgId: number }
  | { type: 'PUBREL'; msgId: number }
  | { type: 'SUBSCRIBE'; dup: boolean; qos: SnQos; msgId: number; topic: SnTopic }
  | { type: 'SUBACK'; qos: SnQos; topicId: number; msgId: number; returnCode: number }
  | { type: 'UNSUBSCRIBE'; msgId: number; topic: SnTopic }
  | { type: 'UNSUBACK'; msgId: number }
  | { type: 'PINGREQ'; clientId?: string }
  | { type: 'PINGRESP' }
  | { type: 'DISCONNECT'; duration?: number }
  | { type: 'WILLTOPICUPD'; qos: SnQos; retain: boolean; topic: string } // '' = delete will
  | { type: 'WILLTOPICRESP'; returnCode: number }
  | { type: 'WILLMSGUPD'; message: Buffer }
  | { type: 'WILLMSGRESP'; returnCode: number }
  | { type: 'ENCAPSULATED'; radius: number; wirelessNodeId: Buffer; message: SnMessage };

/** Thrown by decode() for bytes that are not a well-formed MQTT-SN 1.2 message. */
export class MqttSnDecodeError extends Error {
  override name = 'MqttSnDecodeError';
}
/** Thrown by encode() for a message whose fields do not fit the format (e.g. id > 65535). */
export class MqttSnEncodeError extends Error {
  override name = 'MqttSnEncodeError';
}
