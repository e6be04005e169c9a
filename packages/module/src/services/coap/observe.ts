import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '@modemlab/at';
import { CoapFailure, type CoapExchanger, type CoapReply, type CoapRequest } from './exchange.js';
import { codeClass, Opt, readUint, uintOption, type CoapOption } from './message.js';

/** RFC 7641 §3.4: sequence numbers are 24-bit; a notification 128 s newer is fresh whatever its number. */
const SEQ_HALF = 1 << 23;
export const REORDER_WINDOW_MS = 128_000;
/** RFC 7252 §5.10.5: Max-Age when the option is absent. */
export const DEFAULT_MAX_AGE_S = 60;

/**
 * RFC 7641 §3.4: is a notification (V2 received at T2) newer than the last one kept
 * (V1 received at T1)? Times in ms.
 */
export function isNewer(v1: number, t1: number, v2: number, t2: number): boolean {
  return (v1 < v2 && v2 - v1 < SEQ_HALF) || (v1 > v2 && v1 - v2 > SEQ_HALF) || t2 > t1 + REORDER_WINDOW_MS;
}

export type ObservationEnd = { kind: 'observe' } | { kind: 'server'; code: number } | { kind: CoapFailure['reason'] };

export interface ObservationEvents {
  /** One message of the observation: the registration's response, each fresh notification, the deregistration's response. */
  notification: [{ reply: CoapReply; seq?: number }];
  /** The server or the transport ended the observation (not the host's cancel). */
  end: [ObservationEnd];
}

/**
 * One observation (RFC 7641) on its own exchanger: registration (GET with Observe: 0),
 * notifications filtered by the §3.4 reordering rule, re-registration when the last fresh
 * notification's Max-Age runs out (§3.3.1, on the module clock), and cancellation either
 * proactive (GET with Observe: 1, §3.6) or reactive (forget; the next notification gets a RST).
 */
export class Observation extends EventEmitter<ObservationEvents> {
  readonly token = randomBytes(4);
  private last?: { seq: number; at: number };
  private timer?: TimerHandle;
  private ended = false;

  constructor(private readonly exchanger: CoapExchanger, private readonly clock: Clock, private readonly request: CoapRequest) {
    super();
  }

  /** Registers; true when the server keeps the client as an observer (a 2.xx with Observe). */
  async register(): Promise<boolean> {
    const first = await this.exchange(0);
    if (!accepts(first)) return false;
    this.exchanger.observers.set(this.token.toString('hex'), (m) => this.consider({ code: m.code, options: m.options, payload: m.payload, more: false }));
    return true;
  }

  /** Proactive cancellation: GET with Observe: 1; resolves with the server's answer (or rejects). */
  async deregister(): Promise<void> {
    this.stop();
    try {
      await this.exchanger.request(this.message(1), (reply) => this.emit('notification', { reply }));
    } finally {
      this.exchanger.close();
    }
  }

  /**
   * Reactive cancellation: forget the observation; the transport stays open until the next
   * notification has been rejected with a RST (a datagram transport) or closes at once (TCP).
   */
  forget(reliable: boolean): void {
    this.stop();
    if (reliable) return this.exchanger.close();
    this.exchanger.onRejected = () => this.exchanger.close();
  }

  /** Power-off, or the transport lost: nothing more is sent. */
  close(): void {
    this.stop();
    this.exchanger.close();
  }

  /** The transport closed under the observation. */
  lost(): void {
    this.finish({ kind: 'closed' });
  }

  private stop(): void {
    this.ended = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.exchanger.observers.delete(this.token.toString('hex'));
  }

  private finish(end: ObservationEnd): void {
    if (this.ended) return;
    this.close();
    this.emit('end', end);
  }

  private message(observe: 0 | 1): CoapRequest {
    const options: CoapOption[] = [...this.request.options.filter((o) => o.number !== Opt.observe), { number: Opt.observe, value: uintOption(observe) }];
    return { ...this.request, method: 'GET', payload: Buffer.alloc(0), options, token: this.token };
  }

  /** One registration request; its first response message is considered like a notification. */
  private async exchange(observe: 0 | 1): Promise<CoapReply> {
    let first: CoapReply | undefined;
    const last = await this.exchanger.request(this.message(observe), (reply) => {
      if (first) return this.emit('notification', { reply });
      first = reply;
      this.consider(reply, !accepts(reply), true);
    });
    return first ?? last;
  }

  /**
   * A notification: stale ones are dropped (a response to our own (re-)registration is current
   * by definition); an error or one without Observe ends the observation.
   */
  private consider(reply: CoapReply, final = false, response = false): void {
    const value = optionIn(reply, Opt.observe);
    const now = this.clock.now();
    if (final || value === undefined || codeClass(reply.code) !== 2) {
      this.emit('notification', { reply });
      if (!final) this.finish(codeClass(reply.code) === 2 ? { kind: 'observe' } : { kind: 'server', code: reply.code });
      return;
    }
    const seq = readUint(value);
    if (!response && this.last && !isNewer(this.last.seq, this.last.at, seq, now)) return;
    this.last = { seq, at: now };
    this.emit('notification', { reply, seq });
    this.freshFor(readMaxAge(reply));
  }

  /** When the representation goes stale without a newer notification, register again (§3.3.1). */
  private freshFor(seconds: number): void {
    this.timer?.cancel();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.exchange(0).then(
        (first) => {
          if (!accepts(first)) this.finish(codeClass(first.code) === 2 ? { kind: 'observe' } : { kind: 'server', code: first.code });
        },
        (err: unknown) => this.finish({ kind: err instanceof CoapFailure ? err.reason : 'protocol' }),
      );
    }, seconds * 1000);
  }
}

const optionIn = (reply: CoapReply, number: number): Buffer | undefined => reply.options.find((o) => o.number === number)?.value;

/** The server keeps the client on its list: a 2.xx carrying Observe (§3.1). */
const accepts = (reply: CoapReply): boolean => codeClass(reply.code) === 2 && optionIn(reply, Opt.observe) !== undefined;

function readMaxAge(reply: CoapReply): number {
  const v = optionIn(reply, Opt.maxAge);
  return v === undefined ? DEFAULT_MAX_AGE_S : readUint(v);
}
