import { EventEmitter } from 'node:events';
import type { AtClient } from '../../at-client.js';
import { UrcError } from '../../errors.js';
import { parseInfoLine, quote } from '../../params.js';

/**
 * modem.mqttsn: the u-blox MQTT-SN client (+UMQTTSN/+UMQTTSNC) with an mqtt.js-like shape
 * (connect, publish, subscribe, unsubscribe, 'message', end) plus `register` and topic types.
 * One operation runs at a time (the module refuses a second one), so calls queue.
 */

/** A topic: a name (normal; registered on first publish), a topic id, a predefined id or a 2-character short name. */
export type SnTopicRef = string | { id: number } | { predefined: number } | { short: string };

export interface MqttSnConnectOptions {
  host: string;
  port?: number;
  clientId?: string;
  /** Keep-alive, seconds. */
  keepalive?: number;
  clean?: boolean;
  will?: { topic: string; payload: string; qos?: 0 | 1 | 2; retain?: boolean };
  /** MQTT-SN over DTLS with this security profile (+USECPRF): MQTT Flex. */
  secure?: { profile: number };
  timeoutMs?: number;
}

export interface MqttSnMessageInfo {
  qos: number;
  /** 0 normal, 1 predefined, 2 short. */
  topicType: 0 | 1 | 2;
}

/** An operation the module reported as failed (+UUMQTTSNC: <op>,0), with +UMQTTSNER. */
export class MqttSnError extends UrcError {
  override name = 'MqttSnError';
  constructor(
    command: string,
    line: string,
    readonly errorClass: number,
    readonly errorCode: number,
  ) {
    super(command, line, errorCode);
    this.message = `${command}: ${line} (+UMQTTSNER ${errorClass},${errorCode})`;
  }
}

interface Events {
  message: [topic: string, payload: Buffer, info: MqttSnMessageInfo];
  close: [];
  error: [Error];
}

const DEFAULT_TIMEOUT = 30_000;

export class UbloxMqttSn extends EventEmitter<Events> {
  private chain: Promise<unknown> = Promise.resolve();
  private readonly ids = new Map<string, number>();
  private timeoutMs = DEFAULT_TIMEOUT;
  private offUrc: (() => void) | null = null;
  connected = false;

  constructor(private readonly client: AtClient) {
    super();
  }

  /** Configures the client and connects to the gateway. */
  connect(opts: MqttSnConnectOptions): Promise<void> {
    return this.queue(async () => {
      this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT;
      const c = this.client;
      await c.send('AT+UMQTTSNNV=0');
      if (opts.clientId) await c.send(`AT+UMQTTSN=0,${quote(opts.clientId)}`);
      const isIp = /^\d+\.\d+\.\d+\.\d+$/.test(opts.host);
      if (opts.secure) await c.send(`AT+UMQTTSN=9,1,${opts.secure.profile}`);
      await c.send(`AT+UMQTTSN=${isIp ? 2 : 1},${quote(opts.host)}${opts.port !== undefined ? `,${opts.port}` : ''}`);
      if (opts.keepalive !== undefined) await c.send(`AT+UMQTTSN=8,${opts.keepalive}`);
      if (opts.clean !== undefined) await c.send(`AT+UMQTTSN=10,${opts.clean ? 1 : 0}`);
      if (opts.will) {
        await c.send(`AT+UMQTTSN=4,${opts.will.qos ?? 0}`);
        await c.send(`AT+UMQTTSN=5,${opts.will.retain ? 1 : 0}`);
        await c.send(`AT+UMQTTSN=6,${quote(opts.will.topic)}`);
        await c.send(`AT+UMQTTSN=7,${quote(opts.will.payload)}`);
      }
      this.listen();
      await this.op('AT+UMQTTSNC=1', 1);
      this.connected = true;
    });
  }

  /** Registers a topic name; resolves with its topic id. */
  register(topic: string): Promise<number> {
    return this.queue(async () => {
      const p = await this.op(`AT+UMQTTSNC=2,${quote(topic)}`, 2);
      const id = Number(p[2]);
      this.ids.set(topic, id);
      return id;
    });
  }

  /** Publishes; a plain name is registered first unless known. QoS -1 needs a predefined id or short name. */
  async publish(topic: SnTopicRef, payload: Buffer | string, opts: { qos?: -1 | 0 | 1 | 2; retain?: boolean } = {}): Promise<void> {
    if (typeof topic === 'string' && !this.ids.has(topic)) await this.register(topic);
    return this.queue(async () => {
      const [type, value] = this.topicField(topic, false);
      const qos = opts.qos === -1 ? 3 : (opts.qos ?? 0);
      const hex = Buffer.from(payload).toString('hex');
      await this.op(`AT+UMQTTSNC=4,${qos},${opts.retain ? 1 : 0},1,${type},${quote(value)},${quote(hex)}`, 4);
    });
  }

  /** Subscribes; resolves with the granted QoS and the topic id the gateway gave (0 for wildcards and short names). */
  subscribe(topic: SnTopicRef, opts: { qos?: 0 | 1 | 2 } = {}): Promise<{ qos: number; topicId: number }> {
    return this.queue(async () => {
      const [type, value] = this.topicField(topic, true);
      const p = await this.op(`AT+UMQTTSNC=5,${opts.qos ?? 0},${type},${quote(value)}`, 5);
      const topicId = Number(p[3]);
      if (typeof topic === 'string' && topicId > 0) this.ids.set(topic, topicId);
      return { qos: Number(p[2]), topicId };
    });
  }

  unsubscribe(topic: SnTopicRef): Promise<void> {
    return this.queue(async () => {
      const [type, value] = this.topicField(topic, true);
      await this.op(`AT+UMQTTSNC=6,${type},${quote(value)}`, 6);
    });
  }

  /** Changes the will on the live session (WILLTOPICUPD / WILLMSGUPD). */
  updateWill(will: { topic?: string; payload?: string; qos?: 0 | 1 | 2; retain?: boolean }): Promise<void> {
    return this.queue(async () => {
      if (will.topic !== undefined) await this.op(`AT+UMQTTSNC=7,${will.qos ?? 0},${will.retain ? 1 : 0},${quote(will.topic)}`, 7);
      if (will.payload !== undefined) await this.op(`AT+UMQTTSNC=8,${quote(will.payload)}`, 8);
    });
  }

  ping(): Promise<void> {
    return this.queue(async () => void (await this.op('AT+UMQTTSNC=10', 10)));
  }

  /** Disconnects; with `sleepS` the client sleeps and the gateway keeps its messages. */
  end(opts: { sleepS?: number } = {}): Promise<void> {
    return this.queue(async () => {
      await this.op(`AT+UMQTTSNC=0${opts.sleepS ? `,${opts.sleepS}` : ''}`, 0);
      this.connected = false;
      if (!opts.sleepS) {
        this.offUrc?.();
        this.offUrc = null;
        this.ids.clear();
        this.emit('close');
      }
    });
  }

  private topicField(t: SnTopicRef, subscribe: boolean): [number, string] {
    if (typeof t === 'string') {
      if (subscribe) return [0, t];
      return [0, String(this.ids.get(t))];
    }
    if ('id' in t) return [0, String(t.id)];
    if ('predefined' in t) return [1, String(t.predefined)];
    return [2, t.short];
  }

  private queue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Sends a +UMQTTSNC and waits for its +UUMQTTSNC result; a result 0 becomes MqttSnError. */
  private async op(command: string, op: number): Promise<string[]> {
    const done = this.client.watchUrcs(['+UUMQTTSNC'], { timeoutMs: this.timeoutMs, description: `${command} result` }, (line) => {
      const p = parseInfoLine(line).params;
      return p[0] === String(op) && p[1] !== '101' ? { line, p } : undefined;
    });
    done.catch(() => undefined);
    await this.client.send(command);
    const { line, p } = await done;
    if (p[1] !== '1') {
      const er = await this.client.send('AT+UMQTTSNER');
      const e = parseInfoLine(er.lines.find((l) => l.startsWith('+UMQTTSNER')) ?? '').params;
      throw new MqttSnError(command, line, Number(e[0] ?? 0), Number(e[1] ?? 0));
    }
    return p;
  }

  /** Unread-count URCs fetch the stored messages; a lost session closes the client. */
  private listen(): void {
    if (this.offUrc) return;
    this.offUrc = this.client.onUrc('+UUMQTTSNC', (line) => {
      const p = parseInfoLine(line).params;
      if (p[0] === '9' && Number(p[1]) > 0) void this.readOne();
      else if (p[0] === '0' && p[1] === '101') {
        this.connected = false;
        this.emit('close');
      }
    });
  }

  private async readOne(): Promise<void> {
    try {
      const r = await this.client.send('AT+UMQTTSNC=9');
      const line = r.lines.find((l) => l.startsWith('+UMQTTSNC:'));
      if (!line) return;
      const p = parseInfoLine(line).params;
      const qos = Number(p[1]);
      this.emit('message', p[3]!, Buffer.from(p[5] ?? '', 'latin1').subarray(0, Number(p[4])), { qos: qos === 3 ? -1 : qos, topicType: Number(p[2]) as 0 | 1 | 2 });
    } catch (err) {
      if (this.listenerCount('error') > 0) this.emit('error', err as Error);
    }
  }
}
