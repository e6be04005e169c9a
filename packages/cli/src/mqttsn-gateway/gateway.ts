/**
 * A transparent MQTT-SN 1.2 gateway (spec §6, §7.1): every MQTT-SN client gets its own MQTT
 * connection to the broker. It speaks the shared codec over any DatagramEndpoint (UDP, DTLS)
 * and bridges with mqtt.js, so any MQTT 3.1.1 broker works behind it.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { connect as mqttConnect, type IClientOptions, type MqttClient } from 'mqtt';
import { mqttsn } from '@modemlab/at';
import type { DatagramEndpoint } from './datagram.js';
import { Session, type BufferedMessage } from './session.js';

const { encode, decode, ReturnCode, MqttSnDecodeError } = mqttsn;
type SnMessage = mqttsn.SnMessage;
type Qos = 0 | 1 | 2;

export interface GatewayOptions {
  endpoint: DatagramEndpoint;
  /** mqtt://, mqtts://, ws:// ... anything mqtt.js connects to. */
  broker: string;
  /** Extra mqtt.js options for every broker connection (TLS material, credentials). */
  brokerOptions?: IClientOptions;
  predefined?: Map<number, string>;
  gwId?: number;
  /** Milliseconds now; injectable so keep-alive supervision is tested without waiting. */
  now?: () => number;
  /** How often the gateway checks keep-alive and sleep timers; 0 disables (tests call checkTimers). */
  timerPeriodMs?: number;
}

export interface GatewayCounters {
  received: number;
  sent: number;
  malformed: number;
}

/** Emits 'buffered' (clientId, count) when a message is held for a sleeping client. */
export class MqttSnGateway extends EventEmitter {
  readonly counters: GatewayCounters = { received: 0, sent: 0, malformed: 0 };
  private readonly sessions = new Map<string, Session>();
  private readonly predefined: Map<number, string>;
  private readonly predefinedIds = new Map<string, number>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  /** The gateway's own broker connection for QoS -1 publishes (spec §6.8: no client session). */
  private anonymous: MqttClient | null = null;

  constructor(private readonly opts: GatewayOptions) {
    super();
    this.predefined = opts.predefined ?? new Map();
    for (const [id, name] of this.predefined) this.predefinedIds.set(name, id);
    this.now = opts.now ?? Date.now;
    opts.endpoint.onMessage((peer, data) => this.receive(peer, data));
    const period = opts.timerPeriodMs ?? 1000;
    if (period > 0) {
      this.timer = setInterval(() => this.checkTimers(), period);
      this.timer.unref();
    }
  }

  get description(): string {
    return this.opts.endpoint.description;
  }

  /** Client ids of the sessions and their state, for tests and diagnostics. */
  sessionStates(): Record<string, string> {
    return Object.fromEntries([...this.sessions.values()].map((s) => [s.clientId, s.state]));
  }

  /**
   * Ends the gateway. Client sessions lose their broker connections without an MQTT DISCONNECT,
   * as if the gateway had died: the clients did not disconnect, so the broker publishes their wills.
   */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const s of this.sessions.values()) s.mqtt?.end(true);
    this.sessions.clear();
    this.anonymous?.end(true);
    await this.opts.endpoint.close();
  }

  /** Clients silent for 1.5 x their keep-alive or sleep duration are lost (spec §6.13, §6.14). */
  checkTimers(now = this.now()): void {
    for (const s of [...this.sessions.values()]) {
      if (s.duration > 0 && now - s.lastHeard > s.duration * 1500) this.lose(s);
    }
  }

  private send(peer: string, m: SnMessage): void {
    this.counters.sent++;
    this.opts.endpoint.send(peer, encode(m));
  }

  private receive(peer: string, data: Buffer): void {
    let m: SnMessage;
    try {
      m = decode(data);
    } catch (err) {
      if (!(err instanceof MqttSnDecodeError)) throw err;
      this.counters.malformed++; // spec §5: a malformed message is dropped
      return;
    }
    this.counters.received++;
    if (m.type === 'ENCAPSULATED') m = m.message; // forwarder encapsulation (§5.5): answer the node directly
    const s = this.sessions.get(peer);
    if (s) s.lastHeard = this.now();
    switch (m.type) {
      case 'SEARCHGW':
        return this.send(peer, { type: 'GWINFO', gwId: this.opts.gwId ?? 1, gwAdd: Buffer.alloc(0) });
      case 'CONNECT':
        return this.onConnect(peer, m);
      case 'PINGREQ':
        return this.onPing(peer, m.clientId);
      case 'PUBLISH':
        if (m.qos === -1) return this.onPublishQosMinus1(m);
        break;
    }
    if (!s) {
      // Not connected: tell the client so it reconnects (spec §6.2 leaves this to the gateway).
      if (m.type !== 'DISCONNECT') this.send(peer, { type: 'DISCONNECT' });
      return;
    }
    this.onSessionMessage(s, m);
  }

  private onConnect(peer: string, m: Extract<SnMessage, { type: 'CONNECT' }>): void {
    const old = this.sessions.get(peer) ?? this.findByClientId(m.clientId);
    // A sleeping or active client reconnecting without clean session keeps its broker session (§6.14).
    if (old && old.clientId === m.clientId && !m.cleanSession && !m.will && old.mqtt?.connected) {
      this.rebind(old, peer);
      old.duration = m.duration;
      old.lastHeard = this.now();
      old.state = 'active';
      this.send(peer, { type: 'CONNACK', returnCode: ReturnCode.ACCEPTED });
      void this.flushSleepBuffer(old);
      return;
    }
    if (old) this.drop(old, false);
    const s = new Session(peer, m.clientId);
    s.duration = m.duration;
    s.lastHeard = this.now();
    s.pendingConnect = m;
    this.sessions.set(peer, s);
    if (m.will) {
      s.state = 'will-topic';
      this.send(peer, { type: 'WILLTOPICREQ' });
    } else this.connectBroker(s);
  }

  private connectBroker(s: Session): void {
    const m = s.pendingConnect!;
    s.pendingConnect = null;
    s.state = 'connecting';
    const options: IClientOptions = {
      ...this.opts.brokerOptions,
      clientId: m.clientId,
      clean: m.cleanSession,
      keepalive: Math.min(m.duration, 65535),
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      ...(s.will ? { will: { topic: s.will.topic, payload: s.will.payload, qos: s.will.qos, retain: s.will.retain } } : {}),
    };
    const client = mqttConnect(this.opts.broker, options);
    s.mqtt = client;
    client.on('connect', () => {
      if (this.sessions.get(s.peer) !== s || s.state !== 'connecting') return;
      s.state = 'active';
      this.send(s.peer, { type: 'CONNACK', returnCode: ReturnCode.ACCEPTED });
    });
    client.on('error', () => undefined); // 'close' follows and decides
    client.on('close', () => {
      if (this.sessions.get(s.peer) !== s || s.mqtt !== client) return;
      // Broker refused or went away: the client learns it with CONNACK(congestion) or DISCONNECT.
      if (s.state === 'connecting') this.send(s.peer, { type: 'CONNACK', returnCode: ReturnCode.CONGESTION });
      else this.send(s.peer, { type: 'DISCONNECT' });
      this.sessions.delete(s.peer);
      s.mqtt = null;
      client.end(true);
    });
    client.on('message', (topic, payload, packet) => {
      const msg: BufferedMessage = { topic, payload, qos: packet.qos as Qos, retain: packet.retain };
      if (s.subscribing > 0) s.heldForSuback.push(msg);
      else this.forward(s, msg);
    });
  }

  /** A broker message to the client now, or into its sleep buffer (§6.14). */
  private forward(s: Session, msg: BufferedMessage): void {
    if (s.state === 'asleep') {
      s.sleepBuffer.push(msg);
      this.emit('buffered', s.clientId, s.sleepBuffer.length);
    } else void this.deliver(s, msg);
  }

  private onSessionMessage(s: Session, m: SnMessage): void {
    switch (m.type) {
      case 'WILLTOPIC':
        if (s.state !== 'will-topic') return;
        if (m.topic === '') {
          s.pendingConnect = { ...s.pendingConnect!, will: false };
          return this.connectBroker(s);
        }
        s.will = { topic: m.topic, payload: Buffer.alloc(0), qos: m.qos === -1 ? 0 : m.qos, retain: m.retain };
        s.state = 'will-msg';
        return this.send(s.peer, { type: 'WILLMSGREQ' });
      case 'WILLMSG':
        if (s.state !== 'will-msg' || !s.will) return;
        s.will.payload = m.message;
        return this.connectBroker(s);
      case 'REGISTER': {
        if (!this.usable(s)) return;
        const bad = m.topicName === '' || /[#+]/.test(m.topicName);
        const topicId = bad ? 0 : s.topicIdFor(m.topicName);
        return this.send(s.peer, { type: 'REGACK', topicId, msgId: m.msgId, returnCode: bad ? ReturnCode.INVALID_TOPIC_ID : ReturnCode.ACCEPTED });
      }
      case 'REGACK':
        s.pendingRegacks.get(m.msgId)?.(m.returnCode === ReturnCode.ACCEPTED);
        s.pendingRegacks.delete(m.msgId);
        return;
      case 'PUBLISH':
        return this.onPublish(s, m);
      case 'PUBREL': {
        const held = s.qos2Inbound.get(m.msgId);
        s.qos2Inbound.delete(m.msgId);
        if (!held) return this.send(s.peer, { type: 'PUBCOMP', msgId: m.msgId });
        s.mqtt?.publish(held.topic, held.payload, { qos: 2, retain: held.retain }, () => this.send(s.peer, { type: 'PUBCOMP', msgId: m.msgId }));
        return;
      }
      case 'PUBREC':
        return this.send(s.peer, { type: 'PUBREL', msgId: m.msgId });
      case 'PUBACK':
      case 'PUBCOMP':
        return; // the broker side was acknowledged on receipt (transparent gateway, see docs)
      case 'SUBSCRIBE':
        return this.onSubscribe(s, m);
      case 'UNSUBSCRIBE': {
        const name = this.topicName(s, m.topic);
        if (name === undefined || !s.mqtt) return this.send(s.peer, { type: 'UNSUBACK', msgId: m.msgId });
        s.shortSubscriptions.delete(name);
        s.mqtt.unsubscribe(name, () => this.send(s.peer, { type: 'UNSUBACK', msgId: m.msgId }));
        return;
      }
      case 'DISCONNECT':
        if (m.duration !== undefined && m.duration > 0) {
          // Sleeping client (§6.14): keep the broker session, buffer messages until it wakes.
          s.state = 'asleep';
          s.duration = m.duration;
          return this.send(s.peer, { type: 'DISCONNECT' });
        }
        this.send(s.peer, { type: 'DISCONNECT' });
        return this.drop(s, false);
      case 'WILLTOPICUPD':
        s.will = m.topic === '' ? null : { topic: m.topic, payload: s.will?.payload ?? Buffer.alloc(0), qos: m.qos === -1 ? 0 : m.qos, retain: m.retain };
        s.willUpdated = true;
        return this.send(s.peer, { type: 'WILLTOPICRESP', returnCode: ReturnCode.ACCEPTED });
      case 'WILLMSGUPD':
        if (!s.will) return this.send(s.peer, { type: 'WILLMSGRESP', returnCode: ReturnCode.NOT_SUPPORTED });
        s.will.payload = m.message;
        s.willUpdated = true;
        return this.send(s.peer, { type: 'WILLMSGRESP', returnCode: ReturnCode.ACCEPTED });
      default:
        return; // gateway-to-client types arriving from a client are ignored
    }
  }

  private usable(s: Session): boolean {
    return s.state === 'active' || s.state === 'awake';
  }

  private topicName(s: Session, t: mqttsn.SnTopic): string | undefined {
    switch (t.type) {
      case 'id':
        return s.topicsById.get(t.id);
      case 'predefined':
        return this.predefined.get(t.id);
      case 'short':
      case 'name':
        return t.name;
    }
  }

  private onPublish(s: Session, m: Extract<SnMessage, { type: 'PUBLISH' }>): void {
    const name = this.topicName(s, m.topic);
    const topicId = m.topic.type === 'short' ? 0 : m.topic.id;
    if (name === undefined || !s.mqtt || !this.usable(s)) {
      if (m.qos > 0 || name === undefined) this.send(s.peer, { type: 'PUBACK', topicId, msgId: m.msgId, returnCode: ReturnCode.INVALID_TOPIC_ID });
      return;
    }
    if (m.qos === 2) {
      s.qos2Inbound.set(m.msgId, { topic: name, payload: m.data, retain: m.retain });
      return this.send(s.peer, { type: 'PUBREC', msgId: m.msgId });
    }
    const qos = m.qos === 1 ? 1 : 0;
    s.mqtt.publish(name, m.data, { qos, retain: m.retain }, (err) => {
      if (qos === 1) this.send(s.peer, { type: 'PUBACK', topicId, msgId: m.msgId, returnCode: err ? ReturnCode.CONGESTION : ReturnCode.ACCEPTED });
    });
  }

  private onPublishQosMinus1(m: Extract<SnMessage, { type: 'PUBLISH' }>): void {
    const name = m.topic.type === 'predefined' ? this.predefined.get(m.topic.id) : m.topic.type === 'short' ? m.topic.name : undefined;
    if (name === undefined) return; // §6.8: only predefined ids and short names, no answer
    this.anonymous ??= mqttConnect(this.opts.broker, {
      ...this.opts.brokerOptions,
      clientId: `mqttsn-gw-${randomBytes(4).toString('hex')}`,
      reconnectPeriod: 1000,
    });
    this.anonymous.on('error', () => undefined);
    this.anonymous.publish(name, m.data, { qos: 0, retain: m.retain });
  }

  private onSubscribe(s: Session, m: Extract<SnMessage, { type: 'SUBSCRIBE' }>): void {
    const name = this.topicName(s, m.topic);
    const reject = (): void => this.send(s.peer, { type: 'SUBACK', qos: 0, topicId: 0, msgId: m.msgId, returnCode: ReturnCode.INVALID_TOPIC_ID });
    if (name === undefined || !s.mqtt || !this.usable(s)) return reject();
    // §6.9: a wildcard name gets topic id 0 (the gateway REGISTERs each match later); a short
    // name and a predefined id need none; a plain name gets its id now.
    let topicId = 0;
    if (m.topic.type === 'predefined') topicId = m.topic.id;
    else if (m.topic.type === 'name' && !/[#+]/.test(name)) topicId = s.topicIdFor(name);
    if (m.topic.type === 'short') s.shortSubscriptions.add(name);
    const qos: Qos = m.qos === -1 ? 0 : m.qos;
    s.subscribing++;
    s.mqtt.subscribe(name, { qos }, (err, granted) => {
      const g = granted?.[0]?.qos;
      if (err || g === undefined || g === 128) reject();
      else this.send(s.peer, { type: 'SUBACK', qos: g as Qos, topicId, msgId: m.msgId, returnCode: ReturnCode.ACCEPTED });
      if (--s.subscribing === 0) for (const held of s.heldForSuback.splice(0)) this.forward(s, held);
    });
  }

  /** Sends a broker message to the client, REGISTERing its topic first when the client has no id for it (§6.10). */
  private async deliver(s: Session, msg: BufferedMessage): Promise<void> {
    let topic: Extract<SnMessage, { type: 'PUBLISH' }>['topic'];
    const pre = this.predefinedIds.get(msg.topic);
    if (pre !== undefined) topic = { type: 'predefined', id: pre };
    else if (s.shortSubscriptions.has(msg.topic) && Buffer.byteLength(msg.topic) === 2) topic = { type: 'short', name: msg.topic };
    else {
      const known = s.idsByName.get(msg.topic);
      const id = known ?? s.topicIdFor(msg.topic);
      if (known === undefined) {
        const msgId = s.msgId();
        const ok = await new Promise<boolean>((resolve) => {
          s.pendingRegacks.set(msgId, resolve);
          this.send(s.peer, { type: 'REGISTER', topicId: id, msgId, topicName: msg.topic });
        });
        if (!ok) return;
      }
      topic = { type: 'id', id };
    }
    this.send(s.peer, { type: 'PUBLISH', dup: false, qos: msg.qos, retain: msg.retain, topic, msgId: msg.qos === 0 ? 0 : s.msgId(), data: msg.payload });
  }

  private onPing(peer: string, clientId: string | undefined): void {
    const s = this.sessions.get(peer) ?? (clientId ? this.findByClientId(clientId) : undefined);
    if (!s) return this.send(peer, { type: 'DISCONNECT' });
    s.lastHeard = this.now();
    if (clientId && s.state === 'asleep') {
      // §6.14: an awake client gets what was buffered, then PINGRESP sends it back to sleep.
      this.rebind(s, peer);
      s.state = 'awake';
      void this.flushSleepBuffer(s).then(() => {
        if (s.state === 'awake') s.state = 'asleep';
        this.send(s.peer, { type: 'PINGRESP' });
      });
      return;
    }
    this.send(peer, { type: 'PINGRESP' });
  }

  private async flushSleepBuffer(s: Session): Promise<void> {
    while (s.sleepBuffer.length > 0) await this.deliver(s, s.sleepBuffer.shift()!);
  }

  private findByClientId(clientId: string): Session | undefined {
    for (const s of this.sessions.values()) if (s.clientId === clientId) return s;
    return undefined;
  }

  private rebind(s: Session, peer: string): void {
    if (s.peer === peer) return;
    this.sessions.delete(s.peer);
    s.peer = peer;
    this.sessions.set(peer, s);
  }

  /**
   * A lost client (keep-alive or sleep timer ran out): its will goes out. The broker publishes the
   * will given at CONNECT when the connection drops; an updated will (WILLTOPICUPD/WILLMSGUPD) is
   * published by the gateway itself, because MQTT cannot change a will on a live connection.
   */
  private lose(s: Session): void {
    if (s.willUpdated && s.mqtt) {
      const c = s.mqtt;
      s.mqtt = null;
      this.sessions.delete(s.peer);
      if (s.will) c.publish(s.will.topic, s.will.payload, { qos: s.will.qos, retain: s.will.retain }, () => c.end(false));
      else c.end(false); // the client deleted its will
      return;
    }
    this.drop(s, true);
  }

  /** Forgets a session; `abrupt` drops the broker connection without DISCONNECT so the broker sends the will. */
  private drop(s: Session, abrupt: boolean): void {
    this.sessions.delete(s.peer);
    const c = s.mqtt;
    s.mqtt = null;
    c?.end(abrupt);
  }
}
