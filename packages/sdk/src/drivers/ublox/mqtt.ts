import { EventEmitter } from 'node:events';
import type { AtClient } from '../../at-client.js';
import { UrcError } from '../../errors.js';
import { paramsOf, parseInfoLine, quote } from '../../params.js';

export type MqttQos = 0 | 1 | 2;

/** mqtt.js-shaped connect options; TLS comes from a module security profile. */
export interface ModemMqttConnectOptions {
  host: string;
  port?: number;
  clientId?: string;
  username?: string;
  password?: string;
  /** Keep-alive, seconds (0 = none); pings are turned on when it is set. */
  keepalive?: number;
  clean?: boolean;
  will?: { topic: string; payload: Buffer | string; qos?: MqttQos; retain?: boolean };
  /** TLS by security profile `profile` (+USECPRF). */
  secure?: { profile: number };
  /** How long to wait for each broker answer (+UUMQTTC). Default 30 s. */
  timeoutMs?: number;
}

export interface ModemMqttPublishOptions {
  qos?: MqttQos;
  retain?: boolean;
}

/** A broker answer the module reported as failed, with its +UMQTTER codes. */
export class MqttCommandError extends UrcError {
  override name = 'MqttCommandError';

  constructor(command: string, line: string, readonly errorCode1: number, readonly errorCode2: number) {
    super(command, line, errorCode1);
    this.message = `${command}: ${line} (+UMQTTER ${errorCode1},${errorCode2})`;
  }
}

/** The longest +UMQTTC=9 binary publish (SARA-R5 manual). */
export const MQTT_MAX_MESSAGE = 1024;
/** +UMQTTC op numbers. */
const OP = { logout: 0, login: 1, subscribe: 4, unsubscribe: 5, read: 6, ping: 8, binary: 9 } as const;
const READ_HEADER = /^\+UMQTTC: ?6,\d,\d+,\d+,"[^"]*",(\d+),"$/;

/**
 * The module's MQTT client (+UMQTT/+UMQTTC) with mqtt.js's shape: `connect`, `publish`,
 * `subscribe`, `unsubscribe`, `end`, and 'message' (topic, payload, { qos }) and 'close'
 * events. One operation at a time (the module refuses a second while one waits), so calls
 * are queued here. Messages are read one by one as the unread count URC announces them.
 */
export class UbloxMqtt extends EventEmitter<{
  message: [string, Buffer, { qos: MqttQos; retain: boolean }];
  close: [];
  error: [Error];
}> {
  private queue: Promise<unknown> = Promise.resolve();
  private offUrc: (() => void) | undefined;
  private reading = false;
  private timeoutMs = 30_000;
  connected = false;

  constructor(private readonly client: AtClient) {
    super();
  }

  /** Sets the profile from `opts` (factory profile first) and logs in. */
  connect(opts: ModemMqttConnectOptions): Promise<void> {
    return this.serial(async () => {
      this.timeoutMs = opts.timeoutMs ?? 30_000;
      const c = this.client;
      await c.send('AT+UMQTTNV=0');
      if (opts.clientId !== undefined) await c.send(`AT+UMQTT=0,${quote(opts.clientId)}`);
      const isIp = /^\d{1,3}(\.\d{1,3}){3}$/.test(opts.host);
      await c.send(`AT+UMQTT=${isIp ? 3 : 2},${quote(opts.host)}`);
      if (opts.secure) await c.send(`AT+UMQTT=11,1,${opts.secure.profile}`);
      if (opts.port !== undefined) await c.send(`AT+UMQTT=1,${opts.port}`);
      if (opts.username !== undefined) await c.send(`AT+UMQTT=4,${quote(opts.username)}${opts.password !== undefined ? `,${quote(opts.password)}` : ''}`);
      if (opts.keepalive) await c.send(`AT+UMQTT=10,${opts.keepalive}`);
      if (opts.clean === false) await c.send('AT+UMQTT=12,0');
      if (opts.will) {
        const payload = Buffer.isBuffer(opts.will.payload) ? opts.will.payload : Buffer.from(opts.will.payload, 'utf8');
        await c.send(`AT+UMQTT=8,${quote(opts.will.topic)}`);
        await c.send(`AT+UMQTT=9,"${payload.toString('hex')}",1`);
        await c.send(`AT+UMQTT=6,${opts.will.qos ?? 0}`);
        await c.send(`AT+UMQTT=7,${opts.will.retain ? 1 : 0}`);
      }
      this.listen();
      await this.operation('AT+UMQTTC=1', OP.login);
      this.connected = true;
      if (opts.keepalive) await this.operation('AT+UMQTTC=8,1', OP.ping);
    });
  }

  /** Publishes through the binary publish ('>' prompt, raw bytes): at most 1024 bytes a message. */
  publish(topic: string, payload: Buffer | string, opts: ModemMqttPublishOptions = {}): Promise<void> {
    const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8');
    if (data.length === 0 || data.length > MQTT_MAX_MESSAGE) return Promise.reject(new RangeError(`an MQTT message through the module is 1-${MQTT_MAX_MESSAGE} bytes`));
    return this.serial(async () => {
      await this.operation(`AT+UMQTTC=9,${opts.qos ?? 0},${opts.retain ? 1 : 0},${quote(topic)},${data.length}`, OP.binary, data);
    });
  }

  /**
   * Sends data larger than one module message as consecutive messages of at most 1024
   * bytes on `topic` (the module's limit; the receiver joins them).
   */
  async publishChunked(topic: string, payload: Buffer, opts: ModemMqttPublishOptions = {}): Promise<number> {
    let count = 0;
    for (let at = 0; at < payload.length; at += MQTT_MAX_MESSAGE) {
      await this.publish(topic, payload.subarray(at, at + MQTT_MAX_MESSAGE), opts);
      count++;
    }
    return count;
  }

  /** Subscribes; resolves with the QoS the broker granted. */
  subscribe(filter: string, opts: { qos?: MqttQos } = {}): Promise<number> {
    return this.serial(async () => {
      const line = await this.operation(`AT+UMQTTC=4,${opts.qos ?? 0},${quote(filter)}`, OP.subscribe);
      return Number(parseInfoLine(line).params[2]);
    });
  }

  unsubscribe(filter: string): Promise<void> {
    return this.serial(async () => {
      await this.operation(`AT+UMQTTC=5,${quote(filter)}`, OP.unsubscribe);
    });
  }

  /** Logs out (DISCONNECT: no will). */
  end(): Promise<void> {
    return this.serial(async () => {
      if (this.connected) await this.operation('AT+UMQTTC=0', OP.logout);
      this.connected = false;
      this.offUrc?.();
      this.offUrc = undefined;
      this.emit('close');
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  /** Sends one +UMQTTC and waits for its +UUMQTTC; a failure reads +UMQTTER. */
  private async operation(command: string, op: number, data?: Buffer): Promise<string> {
    const stop = new AbortController();
    const done = this.client.watchUrcs(['+UUMQTTC'], { timeoutMs: this.timeoutMs, signal: stop.signal, description: `${command} result` }, (line) => {
      const p = parseInfoLine(line).params;
      return Number(p[0]) === op ? { line, ok: Number(p[1]) === 1 } : undefined;
    });
    done.catch(() => {});
    try {
      await this.client.send(command, data ? { prompt: { data, char: '>' } } : {});
      const outcome = await done;
      if (!outcome.ok) {
        const er = await this.client.send('AT+UMQTTER');
        const [a, b] = (paramsOf(er.lines, '+UMQTTER') ?? []).map(Number);
        throw new MqttCommandError(command, outcome.line, a ?? -1, b ?? -1);
      }
      return outcome.line;
    } finally {
      stop.abort();
    }
  }

  /** Unread-count and drop URCs. */
  private listen(): void {
    if (this.offUrc) return;
    this.offUrc = this.client.onUrc('+UUMQTTC', (line) => {
      const [op, value] = parseInfoLine(line).params.map(Number);
      if (op === OP.read && (value ?? 0) > 0) void this.drain();
      if (op === OP.logout && (value ?? 0) >= 100 && this.connected) {
        this.connected = false;
        this.emit('close');
      }
    });
  }

  /** Reads unread messages one at a time (binary-safe) until none is left. */
  private async drain(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      for (;;) {
        const r = await this.serial(() => this.client.send('AT+UMQTTC=6,1', { binaryHeader: READ_HEADER }));
        const header = r.lines.find((l) => l.startsWith('+UMQTTC'));
        const m = header ? /^\+UMQTTC: ?6,(\d),\d+,\d+,"([^"]*)",/.exec(header) : null;
        if (!m) break;
        this.emit('message', m[2]!, Buffer.concat(r.binary), { qos: Number(m[1]) as MqttQos, retain: false });
      }
    } catch (err) {
      this.emit('error', err as Error);
    } finally {
      this.reading = false;
    }
  }
}
