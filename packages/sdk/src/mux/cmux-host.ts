/**
 * The host (initiator) side of a 27.010 basic-option multiplexer over one byte stream.
 * - `start()` opens DLCI 0 (SABM, waits for UA); `openChannel(n)` opens DLCI n, then sends
 *   MSC with RTC/RTR set (host libraries do; some modules hold data until they see it).
 * - Frames from the module: UIH data to its channel; DISC closes a channel (answered UA);
 *   MSC, Test, PSC, FCon and FCoff commands are answered; an unknown control command gets
 *   NSC; CLD from the module closes everything. The module's flow control is obeyed: while
 *   its MSC says FC for a channel, or after FCoff until FCon, that data waits in order.
 * - `close()` sends CLD and waits for its response: the module is back in plain AT mode,
 *   and the transport is handed back untouched (or destroyed with `destroyTransport`).
 * Bad frames are dropped and counted in `stats` (the decoder's counters).
 */
import type { Duplex } from 'node:stream';
import {
  CmuxDecoder,
  crBit,
  decodeControl,
  decodeMsc,
  encodeControl,
  encodeFrame,
  encodeMsc,
  encodeUih,
  CMUX_DEFAULT_N1,
  type CmuxFrame,
  type ControlTypeName,
  type FrameTypeName,
} from '@modemlab/at';
import { AtTimeoutError, ConnectionClosedError } from '../errors.js';
import { MuxChannel, type ChannelOwner } from './mux-channel.js';

export interface CmuxHostOptions {
  /** Largest information field sent and accepted (the N1 given to +CMUX). Default 31. */
  n1?: number;
  /** Timeout of each SABM/UA, MSC and CLD exchange. Default 5 s. */
  timeoutMs?: number;
  /** When the last channel is destroyed: close the mux (CLD) and destroy the transport. */
  closeWhenIdle?: boolean;
}

/** The module refused to open a channel (DM). */
export class CmuxChannelRefusedError extends Error {
  override readonly name = 'CmuxChannelRefusedError';
  constructor(readonly dlci: number) {
    super(`the module refused DLCI ${dlci} (DM)`);
  }
}

interface Waiter {
  resolve: (frame: CmuxFrame | Buffer) => void;
  reject: (error: Error) => void;
}

export class CmuxHost implements ChannelOwner {
  private readonly decoder: CmuxDecoder;
  private readonly channels = new Map<number, MuxChannel>();
  /** Waiting for UA/DM on a DLCI, or for a control response, keyed `dlci:<n>` / `ctl:<type>`. */
  private readonly waiters = new Map<string, Waiter>();
  private readonly n1: number;
  private readonly timeoutMs: number;
  private closed = false;
  private closing: Promise<void> | undefined;
  /** Channels the module stopped with MSC FC=1, and FCoff for all: their data waits. */
  private readonly stopped = new Set<number>();
  private allStopped = false;
  private readonly waiting = new Map<number, Buffer[]>();
  /** Channel writes waiting for the transport's 'drain'. */
  private readonly drainWaiters = new Set<() => void>();
  /** Control-channel messages the module sent that this host could not decode. */
  badControl = 0;

  constructor(
    readonly transport: Duplex,
    private readonly options: CmuxHostOptions = {},
  ) {
    this.n1 = options.n1 ?? CMUX_DEFAULT_N1;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.decoder = new CmuxDecoder((f) => this.onFrame(f), { maxLength: this.n1 });
    transport.on('data', this.onData);
    transport.on('close', this.onTransportClosed);
    transport.on('error', this.onTransportClosed);
  }

  /** The decoder's counters: frames accepted, dropped by reason, noise bytes. */
  get stats(): CmuxDecoder['stats'] {
    return this.decoder.stats;
  }

  /** Feeds bytes that arrived before the host was attached (e.g. right after the OK of +CMUX). */
  receive(bytes: Buffer): void {
    this.decoder.push(bytes);
  }

  /** Opens the control channel. */
  async start(): Promise<void> {
    await this.establish(0);
  }

  /** Opens DLCI `dlci` (1..63) and returns its stream. */
  async openChannel(dlci: number): Promise<MuxChannel> {
    if (!Number.isInteger(dlci) || dlci < 1 || dlci > 61) throw new RangeError(`DLCI out of range: ${dlci}`);
    if (this.channels.has(dlci)) throw new Error(`DLCI ${dlci} is already open`);
    await this.establish(dlci);
    const channel = new MuxChannel(dlci, this);
    this.channels.set(dlci, channel);
    const reply = this.expect(`ctl:MSC`, `MSC DLCI ${dlci}`);
    this.sendControl('MSC', true, encodeMsc({ dlci, signals: { fc: false, rtc: true, rtr: true, ic: false, dv: true } }));
    await reply;
    return channel;
  }

  /**
   * Closes the multiplexer with CLD and waits for the module's CLD response; the open
   * channels end. Resolves even if the module does not answer in time (it may have gone).
   */
  close(opts: { destroyTransport?: boolean } = {}): Promise<void> {
    this.closing ??= (async () => {
      if (!this.closed) {
        const reply = this.expect('ctl:CLD', 'CLD');
        this.sendControl('CLD', true);
        await reply.catch(() => {});
      }
      this.detach();
      if (opts.destroyTransport) {
        this.transport.on('error', () => {}); // a late error of a link we dropped is not the caller's
        this.transport.destroy();
      }
    })();
    return this.closing;
  }

  // ---- ChannelOwner ------------------------------------------------------------------

  sendData(dlci: number, data: Buffer): boolean {
    if (this.closed) return true;
    if (this.allStopped || this.stopped.has(dlci)) {
      const queue = this.waiting.get(dlci) ?? [];
      queue.push(Buffer.from(data));
      this.waiting.set(dlci, queue);
      return true;
    }
    return this.transport.write(encodeUih(dlci, data, { cr: crBit('initiator', 'UIH'), n1: this.n1 }));
  }

  whenDrained(fn: () => void): void {
    if (this.closed) return fn();
    this.drainWaiters.add(fn);
    if (this.drainWaiters.size === 1) this.transport.once('drain', this.onDrain);
  }

  channelDestroyed(dlci: number): Promise<void> | undefined {
    if (!this.channels.delete(dlci)) return undefined;
    if (!this.closed) this.sendFrame(dlci, 'DISC', true);
    if (this.options.closeWhenIdle && this.channels.size === 0) return this.close({ destroyTransport: true });
    return undefined;
  }

  // ---- internals ---------------------------------------------------------------------

  private async establish(dlci: number): Promise<void> {
    if (this.closed) throw new ConnectionClosedError('CMUX is closed', { command: `SABM DLCI ${dlci}` });
    const reply = this.expect(`dlci:${dlci}`, `SABM DLCI ${dlci}`);
    this.sendFrame(dlci, 'SABM', true);
    const frame = (await reply) as CmuxFrame;
    if (frame.type === 'DM') throw new CmuxChannelRefusedError(dlci);
  }

  private expect(key: string, what: string): Promise<CmuxFrame | Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        reject(new AtTimeoutError(what, this.timeoutMs));
      }, this.timeoutMs);
      this.waiters.set(key, {
        resolve: (v) => {
          clearTimeout(timer);
          this.waiters.delete(key);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          this.waiters.delete(key);
          reject(e);
        },
      });
    });
  }

  private sendFrame(dlci: number, type: FrameTypeName, pf: boolean, data: Buffer = Buffer.alloc(0)): void {
    this.transport.write(encodeFrame({ dlci, type, cr: crBit('initiator', type), pf, data }));
  }

  private sendControl(type: ControlTypeName, command: boolean, value?: Buffer): void {
    this.sendFrame(0, 'UIH', false, encodeControl(type, command, value));
  }

  private readonly onData = (chunk: Buffer): void => {
    this.decoder.push(chunk);
  };

  private readonly onTransportClosed = (): void => {
    this.detach();
  };

  private readonly onDrain = (): void => {
    const waiters = [...this.drainWaiters];
    this.drainWaiters.clear();
    for (const fn of waiters) fn();
  };

  private onFrame(frame: CmuxFrame): void {
    switch (frame.type) {
      case 'UA':
      case 'DM':
        this.waiters.get(`dlci:${frame.dlci}`)?.resolve(frame);
        if (frame.type === 'DM') this.channels.get(frame.dlci)?.remoteClosed();
        return;
      case 'DISC':
        this.sendFrame(frame.dlci, 'UA', true);
        if (frame.dlci === 0) this.detach();
        else this.takeChannel(frame.dlci)?.remoteClosed();
        return;
      case 'SABM':
        // The module does not open channels; refuse.
        this.sendFrame(frame.dlci, 'DM', true);
        return;
      case 'UIH':
      case 'UI':
        if (frame.dlci === 0) this.onControl(frame.data);
        else this.channels.get(frame.dlci)?.receive(frame.data);
        return;
    }
  }

  private onControl(payload: Buffer): void {
    let messages;
    try {
      messages = decodeControl(payload);
    } catch {
      this.badControl++;
      return;
    }
    for (const m of messages) {
      if (!m.command) {
        if (m.type) this.waiters.get(`ctl:${m.type}`)?.resolve(m.value);
        continue;
      }
      switch (m.type) {
        case 'MSC': {
          let fc: boolean;
          let dlci: number;
          try {
            ({ dlci, signals: { fc } } = decodeMsc(m.value));
          } catch {
            this.badControl++;
            continue;
          }
          this.sendControl('MSC', false, m.value);
          if (fc) this.stopped.add(dlci);
          else if (this.stopped.delete(dlci)) this.resume();
          break;
        }
        case 'FCOFF':
          this.sendControl('FCOFF', false);
          this.allStopped = true;
          break;
        case 'FCON':
          this.sendControl('FCON', false);
          this.allStopped = false;
          this.resume();
          break;
        case 'TEST':
        case 'PSC':
          this.sendControl(m.type, false, m.value);
          break;
        case 'CLD':
          this.sendControl('CLD', false);
          this.detach();
          break;
        default:
          this.sendFrame(0, 'UIH', false, encodeControl('NSC', false, Buffer.from([m.typeOctet])));
      }
    }
  }

  /** Sends what waited for flow control on every channel that may send again. */
  private resume(): void {
    for (const [dlci, queue] of [...this.waiting]) {
      if (this.allStopped || this.stopped.has(dlci)) continue;
      this.waiting.delete(dlci);
      for (const data of queue) this.sendData(dlci, data);
    }
  }

  private takeChannel(dlci: number): MuxChannel | undefined {
    const c = this.channels.get(dlci);
    this.channels.delete(dlci);
    return c;
  }

  /** Stops using the transport: channels end, waits fail. */
  private detach(): void {
    if (this.closed) return;
    this.closed = true;
    this.transport.off('data', this.onData);
    this.transport.off('close', this.onTransportClosed);
    this.transport.off('error', this.onTransportClosed);
    this.transport.off('drain', this.onDrain);
    this.onDrain(); // writes waiting for a drain end now: their channel is closing
    for (const w of [...this.waiters.values()]) w.reject(new ConnectionClosedError('CMUX closed'));
    const channels = [...this.channels.values()];
    this.channels.clear();
    for (const c of channels) c.remoteClosed();
    this.decoder.reset();
  }
}
