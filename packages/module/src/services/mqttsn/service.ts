/**
 * The module's MQTT-SN client (MQTT-SN 1.2 over the one dialer's UDP or DTLS). Each operation
 * is accepted or refused at once (a refusal changes nothing), then runs in the background and
 * ends in one 'result' event; messages from the gateway are stored until read. The dialect
 * turns results into its URCs and refusals into its errors.
 */
import { EventEmitter } from 'node:events';
import { mqttsn, type Clock, type TimerHandle } from '@modemlab/at';
import type { Dialer } from '../net/dialer.js';
import { openChannel, type SnChannel } from './channel.js';
import { defaultMqttSnConfig, type MqttSnConfig } from './config.js';

type SnMessage = mqttsn.SnMessage;

export type SnTopicType = 0 | 1 | 2; // normal, predefined, short

export type MqttSnOp =
  | { op: 'connect' }
  | { op: 'disconnect'; sleepS?: number }
  | { op: 'register'; topic: string }
  | { op: 'publish'; qos: -1 | 0 | 1 | 2; retain: boolean; topicType: SnTopicType; topic: string; payload: Buffer }
  | { op: 'subscribe'; qos: 0 | 1 | 2; topicType: SnTopicType; topic: string }
  | { op: 'unsubscribe'; topicType: SnTopicType; topic: string }
  | { op: 'will-topic-update'; qos: 0 | 1 | 2; retain: boolean; topic: string }
  | { op: 'will-message-update'; message: string }
  | { op: 'ping' };

export interface MqttSnResult {
  op: MqttSnOp['op'];
  ok: boolean;
  /** register: the topic id; subscribe: granted QoS and topic id. */
  topicId?: number;
  qos?: number;
  /** Connection lost (gateway DISCONNECT or silence), not an answer to an operation. */
  unsolicited?: boolean;
}

export interface MqttSnReceived {
  qos: number;
  topicType: SnTopicType;
  /** The topic name when known, else the topic id in decimal. */
  topic: string;
  payload: Buffer;
}

/** Why an operation was refused before it started. */
export class MqttSnRefused extends Error {
  constructor(
    readonly reason: 'busy' | 'not-connected' | 'already-connected' | 'no-server' | 'bad-topic',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The +UMQTTSNER pair: [class, code]. ubxlib (u_cell_mqtt.c) reads the SECOND number and retries
 * on 21 (timeout) and 22 (no radio service) for MQTT-SN; elsewhere the code is the gateway's
 * return code, or the class again (never 0 after a failure). docs/architecture.md ("MQTT-SN").
 */
export const SnError = {
  none: [0, 0],
  timeout: [33, 21],
  noService: [34, 22],
  dns: [35, 35],
  dtls: [36, 36],
  rejected: (rc: number): [number, number] => [13, rc],
  lost: [37, 37],
} as const;

interface Events {
  result: [MqttSnResult];
  unread: [number];
}

export interface MqttSnDeps {
  dialer: Dialer;
  clock: Clock;
  /** How long to wait for the gateway's answer (MQTT-SN Tretry is 10..15 s). */
  answerTimeoutMs?: number;
  /** The client id when none is set (ubxlib uses the IMEI). */
  defaultClientId: () => string;
  /** Where +UMQTTSNNV stores the profile. */
  nvm: { read<T>(namespace: string, fallback: T): T; write<T>(namespace: string, value: T): void };
}
const NVM_KEY = 'mqttsn-profile';

export class MqttSnService extends EventEmitter<Events> {
  config: MqttSnConfig;
  private state: 'idle' | 'connecting' | 'connected' | 'asleep' = 'idle';
  private busy: MqttSnOp['op'] | null = null;
  private channel: SnChannel | null = null;
  private waiter: { match: (m: SnMessage) => boolean; resolve: (m: SnMessage | null) => void; timer: TimerHandle } | null = null;
  private msgId = 1;
  private readonly ids = new Map<string, number>();
  private readonly names = new Map<number, string>();
  private readonly inbox: MqttSnReceived[] = [];
  private readonly qos2Held = new Map<number, MqttSnReceived>();
  error: readonly [number, number] = SnError.none;

  constructor(private readonly deps: MqttSnDeps) {
    super();
    this.config = defaultMqttSnConfig('');
  }

  /** Power on: the profile stored in NVM is the current one (as +UMQTTSNNV=1). */
  powerOn(): void {
    this.close();
    this.nvm(1);
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  unread(): number {
    return this.inbox.length;
  }

  /** The oldest stored message, removed; undefined when none. */
  read(): MqttSnReceived | undefined {
    const m = this.inbox.shift();
    return m;
  }

  /** NVM: 0 factory defaults, 1 load the stored profile, 2 store the current one. */
  nvm(action: 0 | 1 | 2): void {
    if (action === 0) this.config = defaultMqttSnConfig(this.deps.defaultClientId());
    else if (action === 1) this.config = this.deps.nvm.read<MqttSnConfig>(NVM_KEY, defaultMqttSnConfig(this.deps.defaultClientId()));
    else this.deps.nvm.write(NVM_KEY, { ...this.config });
  }

  /** Validates and starts an operation; throws MqttSnRefused (nothing changed) or returns at once. */
  start(req: MqttSnOp): void {
    if (this.busy) throw new MqttSnRefused('busy', `${this.busy} in progress`);
    if (req.op === 'connect') {
      if (this.state === 'connected' || this.state === 'connecting') throw new MqttSnRefused('already-connected', 'already connected');
      if (!this.config.server) throw new MqttSnRefused('no-server', 'no gateway configured');
    } else if (req.op !== 'disconnect' || this.state !== 'asleep') {
      if (req.op === 'publish' && req.qos === -1) {
        if (req.topicType === 0) throw new MqttSnRefused('bad-topic', 'QoS -1 needs a predefined id or short name');
        if (!this.config.server) throw new MqttSnRefused('no-server', 'no gateway configured');
      } else if (this.state !== 'connected') throw new MqttSnRefused('not-connected', 'not connected');
    }
    if ((req.op === 'publish' || req.op === 'subscribe' || req.op === 'unsubscribe') && req.topicType === 2 && Buffer.byteLength(req.topic) !== 2) {
      throw new MqttSnRefused('bad-topic', 'a short topic name has 2 characters');
    }
    if (req.op === 'publish' && req.topicType !== 2 && !/^\d+$/.test(req.topic)) throw new MqttSnRefused('bad-topic', 'publish needs a topic id');
    this.busy = req.op;
    void this.run(req).then(
      (r) => this.finish(r),
      () => this.finish({ op: req.op, ok: false }),
    );
  }

  private finish(r: MqttSnResult): void {
    this.busy = null;
    if (r.ok) this.error = SnError.none;
    this.emit('result', r);
  }

  private fail(op: MqttSnOp['op'], err: readonly [number, number]): MqttSnResult {
    this.error = err;
    return { op, ok: false };
  }

  private async run(req: MqttSnOp): Promise<MqttSnResult> {
    switch (req.op) {
      case 'connect':
        return this.connect();
      case 'disconnect': {
        const answer = await this.request({ type: 'DISCONNECT', ...(req.sleepS ? { duration: req.sleepS } : {}) }, (m) => m.type === 'DISCONNECT');
        if (req.sleepS) this.state = 'asleep';
        else this.teardown();
        return answer ? { op: 'disconnect', ok: true } : this.fail('disconnect', SnError.timeout);
      }
      case 'register': {
        const msgId = this.nextId();
        const a = await this.request({ type: 'REGISTER', topicId: 0, msgId, topicName: req.topic }, (m) => m.type === 'REGACK' && m.msgId === msgId);
        if (!a || a.type !== 'REGACK') return this.fail('register', SnError.timeout);
        if (a.returnCode !== 0) return this.fail('register', SnError.rejected(a.returnCode));
        this.remember(req.topic, a.topicId);
        return { op: 'register', ok: true, topicId: a.topicId };
      }
      case 'publish':
        return this.publish(req);
      case 'subscribe': {
        const msgId = this.nextId();
        const a = await this.request({ type: 'SUBSCRIBE', dup: false, qos: req.qos, msgId, topic: this.topicOf(req.topicType, req.topic, true) }, (m) => m.type === 'SUBACK' && m.msgId === msgId);
        if (!a || a.type !== 'SUBACK') return this.fail('subscribe', SnError.timeout);
        if (a.returnCode !== 0) return this.fail('subscribe', SnError.rejected(a.returnCode));
        if (req.topicType === 0 && a.topicId !== 0) this.remember(req.topic, a.topicId);
        return { op: 'subscribe', ok: true, qos: a.qos, topicId: a.topicId };
      }
      case 'unsubscribe': {
        const msgId = this.nextId();
        const a = await this.request({ type: 'UNSUBSCRIBE', msgId, topic: this.topicOf(req.topicType, req.topic, true) }, (m) => m.type === 'UNSUBACK' && m.msgId === msgId);
        return a ? { op: 'unsubscribe', ok: true } : this.fail('unsubscribe', SnError.timeout);
      }
      case 'will-topic-update': {
        const a = await this.request({ type: 'WILLTOPICUPD', qos: req.qos, retain: req.retain, topic: req.topic }, (m) => m.type === 'WILLTOPICRESP');
        if (!a || a.type !== 'WILLTOPICRESP') return this.fail(req.op, SnError.timeout);
        if (a.returnCode !== 0) return this.fail(req.op, SnError.rejected(a.returnCode));
        Object.assign(this.config, { willTopic: req.topic, willQos: req.qos, willRetain: req.retain });
        return { op: req.op, ok: true };
      }
      case 'will-message-update': {
        const a = await this.request({ type: 'WILLMSGUPD', message: Buffer.from(req.message) }, (m) => m.type === 'WILLMSGRESP');
        if (!a || a.type !== 'WILLMSGRESP') return this.fail(req.op, SnError.timeout);
        if (a.returnCode !== 0) return this.fail(req.op, SnError.rejected(a.returnCode));
        this.config.willMessage = req.message;
        return { op: req.op, ok: true };
      }
      case 'ping': {
        const a = await this.request({ type: 'PINGREQ' }, (m) => m.type === 'PINGRESP');
        return a ? { op: 'ping', ok: true } : this.fail('ping', SnError.timeout);
      }
    }
  }

  private async connect(): Promise<MqttSnResult> {
    const c = this.config;
    this.state = 'connecting';
    try {
      let address: string;
      try {
        address = await this.deps.dialer.resolve(c.server);
      } catch {
        this.state = 'idle';
        return this.fail('connect', SnError.dns);
      }
      // A channel left by a QoS -1 publish or a sleep is replaced (a new source port is a new client to the gateway anyway).
      this.channel?.close();
      this.channel = null;
      try {
        this.channel = await openChannel(this.deps.dialer, address, c.port, c.secure ? c.securityProfile : undefined);
      } catch {
        this.state = 'idle';
        return this.fail('connect', c.secure ? SnError.dtls : SnError.noService);
      }
      this.channel.onMessage((d) => this.receive(d));
      const will = c.willTopic !== '';
      const isAnswer = (m: SnMessage): boolean => m.type === 'CONNACK' || (will && (m.type === 'WILLTOPICREQ' || m.type === 'WILLMSGREQ'));
      let a = await this.request({ type: 'CONNECT', will, cleanSession: c.cleanSession, duration: c.duration, clientId: c.clientId }, isAnswer);
      while (a && a.type !== 'CONNACK') {
        const next: SnMessage = a.type === 'WILLTOPICREQ' ? { type: 'WILLTOPIC', qos: c.willQos, retain: c.willRetain, topic: c.willTopic } : { type: 'WILLMSG', message: Buffer.from(c.willMessage) };
        a = await this.request(next, isAnswer);
      }
      if (!a) {
        this.teardown();
        return this.fail('connect', SnError.timeout);
      }
      if (a.returnCode !== 0) {
        this.teardown();
        return this.fail('connect', SnError.rejected(a.returnCode));
      }
      this.state = 'connected';
      return { op: 'connect', ok: true };
    } catch (err) {
      this.teardown();
      throw err;
    }
  }

  private async publish(req: Extract<MqttSnOp, { op: 'publish' }>): Promise<MqttSnResult> {
    if (req.qos === -1 && !this.channel) {
      const address = await this.deps.dialer.resolve(this.config.server);
      this.channel = await openChannel(this.deps.dialer, address, this.config.port, this.config.secure ? this.config.securityProfile : undefined);
      this.channel.onMessage((d) => this.receive(d));
    }
    const topic = this.topicOf(req.topicType, req.topic, false) as Extract<SnMessage, { type: 'PUBLISH' }>['topic'];
    const msgId = req.qos > 0 ? this.nextId() : 0;
    const msg: SnMessage = { type: 'PUBLISH', dup: false, qos: req.qos, retain: req.retain, topic, msgId, data: req.payload };
    if (req.qos <= 0) {
      this.send(msg);
      return { op: 'publish', ok: true };
    }
    const a = await this.request(msg, (m) => (m.type === 'PUBACK' || m.type === 'PUBREC') && m.msgId === msgId);
    if (!a) return this.fail('publish', SnError.timeout);
    if (a.type === 'PUBACK' && a.returnCode !== 0) return this.fail('publish', SnError.rejected(a.returnCode));
    if (a.type === 'PUBREC') {
      const c = await this.request({ type: 'PUBREL', msgId }, (m) => m.type === 'PUBCOMP' && m.msgId === msgId);
      if (!c) return this.fail('publish', SnError.timeout);
    }
    return { op: 'publish', ok: true };
  }

  private topicOf(type: SnTopicType, topic: string, forSubscribe: boolean): mqttsn.SnTopic {
    if (type === 2) return { type: 'short', name: topic };
    if (type === 1) return { type: 'predefined', id: Number(topic) };
    if (forSubscribe) return { type: 'name', name: topic };
    return { type: 'id', id: Number(topic) };
  }

  private remember(name: string, id: number): void {
    this.ids.set(name, id);
    this.names.set(id, name);
  }

  private nextId(): number {
    const id = this.msgId;
    this.msgId = id >= 0xffff ? 1 : id + 1;
    return id;
  }

  private send(m: SnMessage): void {
    this.channel?.send(mqttsn.encode(m));
  }

  /** Sends `m` and waits for the first message `match` accepts, or null on the module clock's timeout. */
  private request(m: SnMessage, match: (m: SnMessage) => boolean): Promise<SnMessage | null> {
    return new Promise((resolve) => {
      const timer = this.deps.clock.setTimeout(() => {
        this.waiter = null;
        resolve(null);
      }, this.deps.answerTimeoutMs ?? 10_000);
      this.waiter = { match, resolve, timer };
      this.send(m);
    });
  }

  private receive(data: Buffer): void {
    let m: SnMessage;
    try {
      m = mqttsn.decode(data);
    } catch {
      return; // malformed datagrams are dropped (spec §5)
    }
    const w = this.waiter;
    if (w && w.match(m)) {
      this.waiter = null;
      w.timer.cancel();
      w.resolve(m);
      return;
    }
    switch (m.type) {
      case 'REGISTER':
        this.remember(m.topicName, m.topicId);
        return this.send({ type: 'REGACK', topicId: m.topicId, msgId: m.msgId, returnCode: 0 });
      case 'PUBLISH': {
        const topicType: SnTopicType = m.topic.type === 'short' ? 2 : m.topic.type === 'predefined' ? 1 : 0;
        const topic = m.topic.type === 'short' ? m.topic.name : m.topic.type === 'id' ? (this.names.get(m.topic.id) ?? String(m.topic.id)) : String(m.topic.id);
        const rx: MqttSnReceived = { qos: m.qos, topicType, topic, payload: m.data };
        if (m.qos === 2) {
          this.qos2Held.set(m.msgId, rx);
          return this.send({ type: 'PUBREC', msgId: m.msgId });
        }
        if (m.qos === 1) this.send({ type: 'PUBACK', topicId: m.topic.type === 'short' ? 0 : m.topic.id, msgId: m.msgId, returnCode: 0 });
        return this.store(rx);
      }
      case 'PUBREL': {
        const rx = this.qos2Held.get(m.msgId);
        this.qos2Held.delete(m.msgId);
        this.send({ type: 'PUBCOMP', msgId: m.msgId });
        if (rx) this.store(rx);
        return;
      }
      case 'DISCONNECT':
        // The gateway ended the session (its broker went away, or it forgot us).
        if (this.state === 'connected' || this.state === 'asleep') {
          this.teardown();
          this.error = SnError.lost;
          this.emit('result', { op: 'disconnect', ok: true, unsolicited: true });
        }
        return;
      default:
        return;
    }
  }

  private store(rx: MqttSnReceived): void {
    this.inbox.push(rx);
    this.emit('unread', this.inbox.length);
  }

  private teardown(): void {
    this.state = 'idle';
    this.channel?.close();
    this.channel = null;
    this.ids.clear();
    this.names.clear();
  }

  /** Module reset/power off. */
  close(): void {
    if (this.waiter) {
      this.waiter.timer.cancel();
      this.waiter.resolve(null);
      this.waiter = null;
    }
    this.teardown();
  }
}
