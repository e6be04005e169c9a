import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '@modemlab/at';
import type { Packet } from 'mqtt-packet';
import type { MqttTable } from '../../models/mqtt-table.js';
import type { NvmStore } from '../../nvm/store.js';
import { ServiceError } from '../errors.js';
import type { Dialer, NetConnection } from '../net/dialer.js';
import { SocketError } from '../net/errors.js';
import { MessageStore, type MqttMessage } from './message-store.js';
import { MqttProfiles, type MqttQos } from './profile.js';

/** mqtt-packet, loaded at the first login: a module that never runs MQTT never loads it (CLI start time). */
type MqttCodec = typeof import('mqtt-packet');
let codec: MqttCodec | undefined;
const loadCodec = async (): Promise<MqttCodec> => (codec ??= await import('mqtt-packet'));

export { MqttConfigError, MqttProfiles, type MqttProfile, type MqttQos } from './profile.js';
export type { MqttMessage } from './message-store.js';

/** The operations whose outcome arrives later as a result event. */
export type MqttOp = 'logout' | 'login' | 'publish' | 'publish-binary' | 'subscribe' | 'unsubscribe' | 'ping';

export interface MqttResult {
  op: MqttOp;
  ok: boolean;
  /** Subscribe: the QoS the broker granted, and the filter. */
  grantedQos?: number;
  topic?: string;
}

/** Why a session ended without a logout. */
export type MqttDrop = 'inactivity' | 'lost' | 'protocol';

/** Why the last operation failed (+UMQTTER). */
export type MqttFailure =
  | { reason: 'no-data-path' | 'dns' | 'connect' | 'tls' | 'timeout' | 'lost' | 'protocol' | 'inactivity' | 'subscribe-refused' }
  | { reason: 'refused'; returnCode: number };

/** A command refused at once, nothing changed: another one is waiting for the broker, or the session state does not allow it. */
export class MqttNotAllowedError extends Error {}

interface Pending {
  op: MqttOp;
  messageId?: number;
  topic?: string;
  timer?: TimerHandle;
}

/**
 * The module's MQTT 3.1.1 client: one profile, one session over a connection from the one
 * dialer (TLS by security profile, PDP byte counters), our own packet handling with
 * mqtt-packet so keep-alive pings run on the module clock and every step is the module's.
 * One operation waits for the broker at a time; each ends with one 'result' event. A
 * session that ends by itself emits 'dropped'; a received message raises 'unread'.
 */
export class MqttService extends EventEmitter<{ result: [MqttResult]; dropped: [MqttDrop]; unread: [number] }> {
  readonly profiles: MqttProfiles;
  private readonly store: MessageStore;
  private conn: NetConnection | undefined;
  private state: 'idle' | 'connecting' | 'connected' | 'closing' = 'idle';
  private pending: Pending | undefined;
  private nextId = 1;
  /** Incoming QoS 2 messages waiting for their PUBREL (delivered once). */
  private readonly inboundQos2 = new Set<number>();
  private pingTimer: TimerHandle | undefined;
  private pingOn = false;
  private awaitingPong = false;
  private failure: MqttFailure | undefined;
  private generation = 0;

  constructor(
    private readonly table: MqttTable,
    private readonly deps: { dialer: Dialer; clock: Clock; nvm: NvmStore },
  ) {
    super();
    this.profiles = new MqttProfiles(table, deps.nvm);
    this.store = new MessageStore(table.maxStoredMessages);
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  get unread(): number {
    return this.store.unread;
  }

  lastError(): MqttFailure | undefined {
    return this.failure;
  }

  /** Opens the session: dial, CONNECT, CONNACK. */
  login(): void {
    this.idleRequired();
    const profile = this.profiles.get();
    if (!this.profiles.host()) throw new MqttNotAllowedError('no broker set');
    const generation = ++this.generation;
    this.state = 'connecting';
    this.pending = { op: 'login' };
    const run = async () => {
      await loadCodec();
      const conn = await this.deps.dialer.connect({
        host: this.profiles.host(),
        port: this.profiles.effectivePort(),
        ...(profile.secure ? { secure: { profileId: profile.securityProfile } } : {}),
      });
      await conn.secured;
      if (generation !== this.generation) {
        conn.stream.destroy();
        return;
      }
      this.attach(conn, generation);
      const will = profile.willTopic
        ? { will: { topic: profile.willTopic, payload: profile.willMessage, qos: profile.willQos, retain: profile.willRetain } }
        : {};
      this.send({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clientId: profile.clientId,
        clean: profile.cleanSession,
        keepalive: profile.keepAliveS,
        ...(profile.username ? { username: profile.username } : {}),
        ...(profile.password ? { password: Buffer.from(profile.password, 'utf8') } : {}),
        ...will,
      });
      this.armTimeout();
    };
    run().catch((err: unknown) => {
      if (generation !== this.generation) return;
      this.teardown();
      this.finish(false, dialFailure(err));
    });
  }

  /** Ends the session with DISCONNECT; the result arrives when the connection is closed. */
  logout(): void {
    if (this.state !== 'connected' || this.pending) throw new MqttNotAllowedError('no session to end, or an operation is waiting');
    this.pending = { op: 'logout' };
    this.state = 'closing';
    this.send({ cmd: 'disconnect' });
    this.conn?.stream.end();
  }

  /**
   * `afterAnswer` runs a function once the command's final result code is out (the dialect's
   * ctx.afterResult): a QoS 0 publish succeeds when written, and its result follows the OK at
   * once — before anything the broker sends back, which a later event-loop turn could let in first.
   */
  publish(qos: MqttQos, retain: boolean, topic: string, payload: Buffer, binary = false, afterAnswer: (fn: () => void) => void = setImmediate): void {
    this.connectedRequired();
    const op: MqttOp = binary ? 'publish-binary' : 'publish';
    if (qos === 0) {
      this.send({ cmd: 'publish', topic, payload, qos: 0, retain, dup: false });
      this.failure = undefined;
      afterAnswer(() => this.emit('result', { op, ok: true }));
      return;
    }
    const messageId = this.messageId();
    this.pending = { op, messageId };
    this.send({ cmd: 'publish', topic, payload, qos, retain, dup: false, messageId });
    this.armTimeout();
  }

  subscribe(maxQos: MqttQos, filter: string): void {
    this.connectedRequired();
    const messageId = this.messageId();
    this.pending = { op: 'subscribe', messageId, topic: filter };
    this.send({ cmd: 'subscribe', messageId, subscriptions: [{ topic: filter, qos: maxQos }] });
    this.armTimeout();
  }

  unsubscribe(filter: string): void {
    this.connectedRequired();
    const messageId = this.messageId();
    this.pending = { op: 'unsubscribe', messageId, topic: filter };
    this.send({ cmd: 'unsubscribe', messageId, unsubscriptions: [filter] });
    this.armTimeout();
  }

  /**
   * Keep-alive pings on or off. On: a PINGREQ at once (its PINGRESP is the result), then one
   * every keep-alive period of module time; no PINGRESP by the next one ends the session
   * ('inactivity'). Needs a session and a keep-alive period.
   */
  setPing(on: boolean): void {
    this.connectedRequired();
    if (on && this.profiles.get().keepAliveS === 0) throw new MqttNotAllowedError('no keep-alive period set');
    this.pingOn = on;
    this.pingTimer?.cancel();
    this.pingTimer = undefined;
    if (!on) {
      this.emit('result', { op: 'ping', ok: true });
      return;
    }
    this.pending = { op: 'ping' };
    this.ping();
  }

  /** Takes the oldest unread message, or all of them. */
  read(all: boolean): MqttMessage[] {
    return this.store.take(all);
  }

  /** Power-off: the session and unread messages go silently; the profile returns to NVM's. */
  powerOff(): void {
    this.generation++;
    this.teardown();
    this.pending = undefined;
    this.failure = undefined;
    this.store.clear();
    this.profiles.restoreFactory();
  }

  powerOn(): void {
    this.profiles.load();
  }

  close(): void {
    this.generation++;
    this.teardown();
  }

  private attach(conn: NetConnection, generation: number): void {
    this.conn = conn;
    // One MQTT packet per write: with Nagle on, back-to-back QoS 0 publishes (no answer from the
    // broker to carry the ACK) wait for the broker's delayed ACK, ~40 ms each (bench/mqtt.ts).
    conn.raw.setNoDelay(true);
    const parser = codec!.parser({ protocolVersion: 4 });
    parser.on('packet', (packet: Packet) => {
      if (generation === this.generation) this.onPacket(packet);
    });
    parser.on('error', () => {
      if (generation === this.generation) this.drop('protocol');
    });
    conn.stream.on('data', (chunk: Buffer) => parser.parse(chunk));
    conn.stream.on('close', () => {
      if (generation !== this.generation) return;
      if (this.state === 'closing') {
        this.teardown();
        this.finish(true);
      } else this.drop('lost');
    });
  }

  private onPacket(packet: Packet): void {
    const pending = this.pending;
    switch (packet.cmd) {
      case 'connack':
        if (pending?.op !== 'login') return this.drop('protocol');
        if (packet.returnCode !== 0) {
          this.teardown();
          return this.finish(false, { reason: 'refused', returnCode: packet.returnCode ?? 0 });
        }
        this.state = 'connected';
        return this.finish(true);
      case 'puback':
      case 'pubcomp':
        if (pending?.messageId === packet.messageId) this.finish(true);
        return;
      case 'pubrec':
        this.send({ cmd: 'pubrel', messageId: packet.messageId! });
        return;
      case 'suback': {
        if (pending?.messageId !== packet.messageId) return;
        const granted = packet.granted[0] as number;
        const answer = { grantedQos: granted, topic: pending?.topic ?? '' };
        if (granted === 0x80) return this.finish(false, { reason: 'subscribe-refused' }, answer);
        return this.finish(true, undefined, answer);
      }
      case 'unsuback':
        if (pending?.messageId === packet.messageId) this.finish(true);
        return;
      case 'pingresp':
        this.awaitingPong = false;
        if (pending?.op === 'ping') this.finish(true);
        return;
      case 'publish':
        return this.onPublish(packet.topic, packet.payload, packet.qos, packet.retain, packet.messageId);
      case 'pubrel':
        this.inboundQos2.delete(packet.messageId!);
        this.send({ cmd: 'pubcomp', messageId: packet.messageId! });
        return;
      default:
        return this.drop('protocol');
    }
  }

  private onPublish(topic: string, payload: Buffer | string, qos: MqttQos, retain: boolean, messageId?: number): void {
    const message = { topic, qos, retain, payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload) };
    if (qos === 1) this.send({ cmd: 'puback', messageId: messageId! });
    if (qos === 2) {
      this.send({ cmd: 'pubrec', messageId: messageId! });
      // A resent QoS 2 PUBLISH before its PUBREL is the same message.
      if (this.inboundQos2.has(messageId!)) return;
      this.inboundQos2.add(messageId!);
    }
    this.store.add(message);
    this.emit('unread', this.store.unread);
  }

  private ping(): void {
    if (this.awaitingPong) return this.drop('inactivity');
    this.awaitingPong = true;
    this.send({ cmd: 'pingreq' });
    const periodMs = this.profiles.get().keepAliveS * 1000;
    this.pingTimer = this.deps.clock.setTimeout(() => {
      if (this.pingOn && this.state === 'connected') this.ping();
    }, periodMs);
  }

  private send(packet: Packet): void {
    this.conn?.stream.write(codec!.generate(packet));
  }

  private armTimeout(): void {
    const pending = this.pending;
    if (!pending) return;
    pending.timer = this.deps.clock.setTimeout(() => {
      if (this.pending !== pending) return;
      if (pending.op === 'login') {
        this.teardown();
        this.finish(false, { reason: 'timeout' });
      } else this.finish(false, { reason: 'timeout' });
    }, this.table.answerTimeoutMs);
  }

  private finish(ok: boolean, failure?: MqttFailure, extra: { grantedQos?: number; topic?: string } = {}): void {
    const pending = this.pending;
    if (!pending) return;
    pending.timer?.cancel();
    this.pending = undefined;
    this.failure = failure;
    this.conn?.activity();
    this.emit('result', { op: pending.op, ok, ...extra });
  }

  /** The session ended without a logout: the waiting operation fails, then 'dropped'. */
  private drop(why: MqttDrop): void {
    const wasConnecting = this.state === 'connecting';
    this.generation++;
    this.teardown();
    if (this.pending) this.finish(false, { reason: why });
    else this.failure = { reason: why };
    if (!wasConnecting) this.emit('dropped', why);
  }

  private teardown(): void {
    // Events of the connection being torn down are no longer this session's.
    this.generation++;
    this.pingTimer?.cancel();
    this.pingTimer = undefined;
    this.pingOn = false;
    this.awaitingPong = false;
    this.inboundQos2.clear();
    if (this.conn) {
      this.conn.activity();
      this.conn.stream.destroy();
      this.conn = undefined;
    }
    this.state = 'idle';
  }

  private messageId(): number {
    const id = this.nextId;
    this.nextId = id === 0xffff ? 1 : id + 1;
    return id;
  }

  private idleRequired(): void {
    if (this.state !== 'idle' || this.pending) throw new MqttNotAllowedError('a session is open or an operation is waiting');
  }

  private connectedRequired(): void {
    if (this.state !== 'connected' || this.pending) throw new MqttNotAllowedError('no session, or an operation is waiting');
  }
}

function dialFailure(err: unknown): MqttFailure {
  if (err instanceof ServiceError) return { reason: 'no-data-path' };
  if (err instanceof SocketError) {
    if (err.tls) return { reason: 'tls' };
    if (err.errno === 'DNS_NOT_FOUND' || err.errno === 'DNS_FAILURE') return { reason: 'dns' };
    if (err.errno === 'ETIMEDOUT') return { reason: 'timeout' };
  }
  return { reason: 'connect' };
}
