import { EventEmitter } from 'node:events';
import { AtTimeoutError } from './errors.js';

const NO_CARRIER = Buffer.from('\r\nNO CARRIER\r\n', 'latin1');
const OK = Buffer.from('\r\nOK\r\n', 'latin1');
/**
 * Bytes that might begin NO CARRIER are held back only from this many on ("\r\nN"), so data
 * ending in a line break is never delayed; a held tail that goes nowhere is flushed soon.
 */
const MIN_HELD = 3;
const HOLD_FLUSH_MS = 20;
const GUARD_MARGIN = 1.5;

/** What the link writes to: the module's stream, or the AtClient's traced writer in front of it. */
export interface ByteWriter {
  write(data: Buffer | string, cb?: (err?: Error | null) => void): boolean;
}

export type OnlineEnd = 'escaped' | 'no-carrier' | 'closed';

export interface OnlineLinkEvents {
  data: [Buffer];
  end: [OnlineEnd];
}

/**
 * Online data mode on the host side (after a command answered CONNECT): every byte from
 * the module is data until it says NO CARRIER, or until the host's +++ escape is answered
 * with OK. Like any host of a real module, it cannot tell data that happens to spell
 * "\r\nNO CARRIER\r\n" from the module leaving data mode: it treats it as the end.
 */
export class OnlineLink extends EventEmitter<OnlineLinkEvents> {
  private held = Buffer.alloc(0);
  private holdTimer: NodeJS.Timeout | undefined;
  private pending: Buffer[] = [];
  private inFlight: Promise<void> = Promise.resolve();
  private escaping: { resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | undefined;
  private endReason: OnlineEnd | undefined;

  /** `exit` hands the bytes after the module's final line back to command-mode parsing. */
  constructor(
    private readonly stream: ByteWriter,
    private readonly exit: (rest: Buffer) => void,
  ) {
    super();
  }

  get ended(): OnlineEnd | undefined {
    return this.endReason;
  }

  /** Delivers data; what arrived before the first listener is kept for it. */
  override on<K extends keyof OnlineLinkEvents>(event: K, listener: (...args: OnlineLinkEvents[K]) => void): this {
    super.on(event, listener as never);
    if (event === 'data' && this.pending.length > 0) {
      const early = this.pending.splice(0);
      queueMicrotask(() => {
        for (const d of early) this.emit('data', d);
      });
    }
    const ended = this.endReason;
    if (event === 'end' && ended) queueMicrotask(() => (listener as (reason: OnlineEnd) => void)(ended));
    return this;
  }

  write(data: Buffer): Promise<void> {
    if (this.endReason) return Promise.reject(new Error(`online mode ended (${this.endReason})`));
    const done = new Promise<void>((resolve, reject) => this.stream.write(data, (err) => (err ? reject(err) : resolve())));
    this.inFlight = this.inFlight.then(() => done.catch(() => {}));
    return done;
  }

  /**
   * Back to command mode: silence for the guard time, `+++`, silence again; the module
   * answers OK. Data the peer sends meanwhile is still delivered.
   */
  async escape(guardMs: number, timeoutMs = 10_000): Promise<void> {
    if (this.endReason) return;
    await this.inFlight;
    // The guard time is part of the protocol, not a wait for an answer. It counts from now,
    // not from the last write: the module may take the last bytes well after the link did
    // (a busy module, a serial buffer), and only its own silence counts. A margin on top.
    await new Promise((r) => setTimeout(r, guardMs * GUARD_MARGIN));
    if (this.endReason) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.escaping = undefined;
        reject(new AtTimeoutError('+++', timeoutMs + guardMs));
      }, timeoutMs + guardMs);
      this.escaping = { resolve, reject, timer };
      this.stream.write('+++');
    });
  }

  /** Bytes from the module while online. */
  receive(chunk: Buffer): void {
    if (this.endReason) return;
    clearTimeout(this.holdTimer);
    let buf = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = Buffer.alloc(0);
    const marks: Array<[Buffer, OnlineEnd]> = [[NO_CARRIER, 'no-carrier']];
    if (this.escaping) marks.push([OK, 'escaped']);
    let first: { at: number; mark: Buffer; reason: OnlineEnd } | undefined;
    for (const [mark, reason] of marks) {
      const at = buf.indexOf(mark);
      if (at >= 0 && (!first || at < first.at)) first = { at, mark, reason };
    }
    if (first) {
      this.deliver(buf.subarray(0, first.at));
      this.finish(first.reason, Buffer.from(buf.subarray(first.at + first.mark.length)));
      return;
    }
    const keep = Math.max(...marks.map(([mark]) => heldTail(buf, mark, mark === OK ? 1 : MIN_HELD)));
    if (keep > 0) {
      this.held = Buffer.from(buf.subarray(buf.length - keep));
      buf = buf.subarray(0, buf.length - keep);
      this.holdTimer = setTimeout(() => {
        const h = this.held;
        this.held = Buffer.alloc(0);
        this.deliver(h);
      }, HOLD_FLUSH_MS);
    }
    this.deliver(buf);
  }

  /** The link to the module is gone. */
  close(): void {
    this.finish('closed', Buffer.alloc(0));
  }

  private deliver(data: Buffer): void {
    if (data.length === 0) return;
    const copy = Buffer.from(data);
    if (this.listenerCount('data') === 0) this.pending.push(copy);
    else this.emit('data', copy);
  }

  private finish(reason: OnlineEnd, rest: Buffer): void {
    if (this.endReason) return;
    this.endReason = reason;
    clearTimeout(this.holdTimer);
    const escaping = this.escaping;
    this.escaping = undefined;
    if (escaping) {
      clearTimeout(escaping.timer);
      escaping.resolve();
    }
    if (reason !== 'closed') this.exit(rest);
    this.emit('end', reason);
  }
}

/** Length of the longest tail of `buf` (at least `min` long) that begins `mark`. */
function heldTail(buf: Buffer, mark: Buffer, min: number): number {
  for (let n = Math.min(mark.length - 1, buf.length); n >= min; n--) {
    if (buf.subarray(buf.length - n).equals(mark.subarray(0, n))) return n;
  }
  return 0;
}
