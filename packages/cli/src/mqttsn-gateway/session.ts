/**
 * One MQTT-SN client as the transparent gateway sees it (spec §6): its own MQTT connection to
 * the broker, its topic-id table, the will it asked for, its sleep state and the messages
 * buffered while it sleeps.
 */
import type { MqttClient } from 'mqtt';
import type { mqttsn } from '@modemlab/at';

export type SessionState = 'will-topic' | 'will-msg' | 'connecting' | 'active' | 'asleep' | 'awake';

export interface Will {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
}

export interface BufferedMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
}

export class Session {
  state: SessionState = 'connecting';
  mqtt: MqttClient | null = null;
  will: Will | null = null;
  /** Set when WILLTOPICUPD/WILLMSGUPD changed the will after the broker connection was made. */
  willUpdated = false;
  /** Keep-alive (CONNECT Duration) or sleep duration (DISCONNECT Duration), seconds. */
  duration = 0;
  lastHeard = 0;
  readonly topicsById = new Map<number, string>();
  readonly idsByName = new Map<string, number>();
  /** Names the client subscribed to with a short (2-character) topic name. */
  readonly shortSubscriptions = new Set<string>();
  private nextTopicId = 1;
  private nextMsgId = 1;
  /** Gateway-initiated REGISTERs waiting for REGACK. */
  readonly pendingRegacks = new Map<number, (ok: boolean) => void>();
  /** QoS 2 PUBLISHes from the client held between PUBREC and PUBREL (spec §6.7). */
  readonly qos2Inbound = new Map<number, { topic: string; payload: Buffer; retain: boolean }>();
  /** Messages from the broker while the client sleeps (spec §6.14). */
  readonly sleepBuffer: BufferedMessage[] = [];
  /** SUBSCRIBEs sent to the broker and not yet answered with a SUBACK to the client. */
  subscribing = 0;
  /**
   * Messages from the broker while a SUBACK is outstanding: mqtt.js may emit a retained
   * message before its subscribe callback, and the client must see the SUBACK first.
   */
  readonly heldForSuback: BufferedMessage[] = [];
  /** The CONNECT being completed (will exchange in progress). */
  pendingConnect: Extract<mqttsn.SnMessage, { type: 'CONNECT' }> | null = null;

  constructor(
    public peer: string,
    public readonly clientId: string,
  ) {}

  topicIdFor(name: string): number {
    let id = this.idsByName.get(name);
    if (id === undefined) {
      id = this.nextTopicId++;
      this.idsByName.set(name, id);
      this.topicsById.set(id, name);
    }
    return id;
  }

  msgId(): number {
    const id = this.nextMsgId;
    this.nextMsgId = id >= 0xffff ? 1 : id + 1;
    return id;
  }
}
