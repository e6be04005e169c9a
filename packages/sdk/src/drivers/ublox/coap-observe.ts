import { EventEmitter } from 'node:events';
import type { AtClient } from '../../at-client.js';
import { paramsOf, parseInfoLine } from '../../params.js';

/** One representation of an observed resource (RFC 7641). */
export interface CoapNotification {
  /** "2.05"... */
  code: string;
  payload: Buffer;
  /** The Observe sequence number; absent on the deregistration's answer. */
  seq?: number;
}

export interface CoapObservationEvents {
  notification: [CoapNotification];
  /** The observation is over: undefined after cancel(), the error when the server or the link ended it. */
  end: [Error | undefined];
}

export const codeOf = (n: number): string => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;

/**
 * An observation held by the module (+UCOAPC=5): 'notification' events, or `for await` over
 * the notifications, until cancel() or the end. The registration's answer is the first one.
 */
export class CoapObservation extends EventEmitter<CoapObservationEvents> implements AsyncIterable<CoapNotification> {
  private readonly queue: CoapNotification[] = [];
  private wake: (() => void) | undefined;
  private done = false;
  private failure: Error | undefined;
  private cancelling: ((ok: boolean) => void) | undefined;
  private readonly unsubscribe: (() => void)[] = [];
  /** @internal Registered: a later +UCOAPCR: 5,0 is the end of it. */
  registered = false;

  /** @internal Built by UbloxCoap.observe(). */
  constructor(private readonly client: AtClient, private readonly ended: (line: string) => Promise<Error>) {
    super();
    this.unsubscribe.push(
      client.onUrc('+UCOAPCD', (line) => {
        const p = parseInfoLine(line).params;
        // Only the observation's lines: a sequence number, or the deregistration's answer.
        if (p.length < 4 && !this.cancelling) return;
        this.deliver({ code: codeOf(Number(p[0])), payload: Buffer.from(String(p[1] ?? ''), 'hex'), ...(p.length >= 4 ? { seq: Number(p[3]) } : {}) });
      }),
      client.onUrc('+UCOAPCR', (line) => {
        const [op, ok] = parseInfoLine(line).params.map(Number);
        if (op === 6) this.cancelling?.(ok === 1);
        if (op === 5 && ok === 0 && this.registered) void this.ended(line).then((err) => this.finish(err));
      }),
    );
  }

  get active(): boolean {
    return !this.done;
  }

  /**
   * Ends the observation: by default a GET with Observe: 1 (its answer is the last
   * notification); `{ forget: true }` drops it here and rejects the next notification with a RST.
   */
  async cancel(opts: { forget?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (this.done) return;
    const result = new Promise<boolean>((resolve) => (this.cancelling = resolve));
    await this.client.send(opts.forget ? 'AT+UCOAPC=6,1' : 'AT+UCOAPC=6');
    let timer: NodeJS.Timeout | undefined;
    const ok = await Promise.race([result, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), opts.timeoutMs ?? 100_000)))]);
    clearTimeout(timer);
    this.finish(ok ? undefined : new Error('the deregistration got no answer'));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<CoapNotification> {
    for (;;) {
      const next = this.queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.done) {
        if (this.failure) throw this.failure;
        return;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** @internal */
  deliver(n: CoapNotification): void {
    if (this.done) return;
    this.queue.push(n);
    this.emit('notification', n);
    this.wake?.();
  }

  /** @internal */
  finish(err: Error | undefined): void {
    if (this.done) return;
    this.done = true;
    this.failure = err;
    for (const stop of this.unsubscribe) stop();
    this.emit('end', err);
    this.wake?.();
  }
}

/** The +UCOAPER pair after a failed observation. */
export async function coapErrorOf(client: AtClient): Promise<[number, number]> {
  const er = await client.send('AT+UCOAPER');
  const [cls, code] = (paramsOf(er.lines, '+UCOAPER') ?? []).map(Number);
  return [cls ?? -1, code ?? -1];
}
