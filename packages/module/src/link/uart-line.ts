import type { Clock, TimerHandle } from '@modemlab/at';
import { PipeBase, type BytePipe } from './byte-pipe.js';
import { PortFlow } from './port-flow.js';

/** 8N1: a start bit, eight data bits and a stop bit carry one byte. */
export const BITS_PER_BYTE = 10;
/** Module output waiting for the line beyond which the port counts as blocked (the UART's transmit FIFO). */
export const TX_FIFO_BYTES = 1024;
/** Host input waiting for the line beyond which the transport stops reading (the host cannot send faster than the line). */
export const RX_WIRE_BYTES = 4096;
/** Largest piece handed up at once, so a terminal that drops CTS stops the line within it. */
const RX_PIECE_BYTES = 256;

/** What the line asks of the module's UART settings. */
export interface LineSettings {
  /** The rate in bit/s, read when bytes are queued (a change applies to what is written after it). */
  baud(): number;
  /** RTS/CTS hardware flow control (AT&K3) is on. */
  rtsCts(): boolean;
  /** UART power saving: after this long without a byte either way the UART sleeps (undefined: never). */
  idleSleepMs?(): number | undefined;
}

/** The transport pipe under the line: a StreamPipe can stop reading its stream. */
export type LineTransport = BytePipe & { pauseInput?(paused: boolean): void };

interface Segment {
  bytes: Buffer;
  /** Bytes per millisecond at the rate the segment was queued with. */
  perMs: number;
}

/** Slack for float rounding in byte times (ms). */
const EPS = 1e-6;

/**
 * One direction of the line: a queue that lets bytes out when their last bit would have
 * crossed. Times count from the start of the current run (`t0`) and the bytes let out since
 * (`n`), so a long transfer accumulates no rounding and late timers only delay, never slow.
 */
class Lane {
  private queue: Segment[] = [];
  queued = 0;
  /** Start of the current run and bytes let out in it, at the head segment's rate. */
  private t0 = 0;
  private n = 0;
  private perMs = 1;

  constructor(private readonly clock: Clock) {}

  push(bytes: Buffer, baud: number): void {
    const perMs = baud / BITS_PER_BYTE / 1000;
    if (this.queued === 0) this.begin(Math.max(this.freeAt, this.clock.now()), perMs);
    this.queue.push({ bytes: Buffer.from(bytes), perMs });
    this.queued += bytes.length;
  }

  /** When the line is free again: the end of the last byte let out. */
  private get freeAt(): number {
    return this.t0 + this.n / this.perMs;
  }

  private begin(at: number, perMs: number): void {
    this.t0 = at;
    this.n = 0;
    this.perMs = perMs;
  }

  /** The line was held (RTS or CTS off): it restarts from now, not from when it stopped. */
  restart(): void {
    const now = this.clock.now();
    if (this.freeAt < now) this.begin(now, this.perMs);
  }

  /** Takes the bytes whose time on the line is over by now, at most `max`. */
  take(max = Infinity): Buffer[] {
    const now = this.clock.now();
    const out: Buffer[] = [];
    let budget = max;
    while (this.queue.length > 0 && budget > 0) {
      const seg = this.queue[0]!;
      // A rate change starts a new run where the old one ended.
      if (seg.perMs !== this.perMs) this.begin(this.freeAt, seg.perMs);
      const fit = Math.floor((now - this.t0) * this.perMs + EPS) - this.n;
      const k = Math.min(fit, seg.bytes.length, budget);
      if (k <= 0) break;
      out.push(seg.bytes.subarray(0, k));
      this.n += k;
      this.queued -= k;
      budget -= k;
      if (k === seg.bytes.length) this.queue.shift();
      else {
        seg.bytes = seg.bytes.subarray(k);
        break;
      }
    }
    return out;
  }

  /** Milliseconds until the next byte is out (at least 1: the clock's resolution). */
  nextIn(): number {
    const seg = this.queue[0];
    if (!seg) return 1;
    const perMs = seg.perMs;
    const [t0, n] = perMs === this.perMs ? [this.t0, this.n] : [this.freeAt, 0];
    return Math.max(1, Math.ceil(t0 + (n + 1) / perMs - this.clock.now() - EPS));
  }

  clear(): void {
    this.queue = [];
    this.queued = 0;
  }
}

/**
 * The serial line at the bottom of a physical port's link stack (opt-in: `baud`): bytes
 * cross in both directions at the line rate, 8N1 (ten bits a byte), on the module clock.
 * A byte is handed on when its last bit would have arrived.
 *
 * Flow control, as RTS/CTS on a UART: the transport's own backpressure is the host's RTS
 * (a host that stops reading). With AT&K3 the line then stops sending; with AT&K0 it keeps
 * sending and the bytes are lost at the host, counted and logged. The terminal's full input
 * buffer is the module's CTS (`flow.holdInput`): with AT&K3 the line stops handing host bytes
 * up (the transport stops reading, so the host waits); with AT&K0 it hands them on and the
 * terminal's input buffer drops what does not fit, as documented.
 *
 * UART power saving (`idleSleepMs`, u-blox +UPSV 1 and 4): after that long without a byte
 * either way the UART sleeps; the next host byte wakes it and is lost (the wake-up
 * character: a host sends "AT" until it gets OK, as ubxlib does). Module output (a URC)
 * counts as activity.
 */
export class UartLine extends PipeBase {
  readonly flow: PortFlow;
  /** Module output lost at a host that stopped reading while flow control was off. */
  lostOutputBytes = 0;
  private readonly tx: Lane;
  private readonly rx: Lane;
  private txTimer?: TimerHandle;
  private rxTimer?: TimerHandle;
  private inputPaused = false;
  private lostUnlogged = 0;
  /** The last byte either way (UART power saving counts idle time from it). */
  private lastActivity: number;
  /** Host bytes lost as wake-up characters of a sleeping UART. */
  wakeUpBytes = 0;

  constructor(
    private readonly inner: LineTransport,
    private readonly clock: Clock,
    private readonly settings: LineSettings,
    private readonly log: (message: string) => void = () => {},
  ) {
    super(inner.name);
    this.lastActivity = clock.now();
    this.tx = new Lane(clock);
    this.rx = new Lane(clock);
    this.flow = new PortFlow(
      () => this.tx.queued + (inner.flow?.queuedBytes ?? 0),
      () => inner.flow?.drop(),
    );
    inner.attach({ data: (b) => this.fromHost(b), close: () => this.close() });
    inner.flow?.on('drain', this.onHostDrain);
    this.flow.on('input', this.onCts);
  }

  /** The rate bytes queued now go at. */
  get baud(): number {
    return this.settings.baud();
  }

  write(bytes: Buffer): void {
    if (!this.isOpen || bytes.length === 0) return;
    this.tx.push(bytes, this.settings.baud());
    if (this.tx.queued >= TX_FIFO_BYTES) this.flow.block();
    this.pumpTx();
  }

  override close(): void {
    if (!this.isOpen) return;
    this.txTimer?.cancel();
    this.rxTimer?.cancel();
    this.tx.clear();
    this.rx.clear();
    this.inner.flow?.off('drain', this.onHostDrain);
    this.flow.off('input', this.onCts);
    this.logLost();
    this.inner.close();
    this.shut();
  }

  /** The host stopped reading (its transport refuses more: RTS off). */
  get hostStopped(): boolean {
    return this.inner.flow?.blocked === true;
  }

  private pumpTx(): void {
    this.txTimer?.cancel();
    this.txTimer = undefined;
    if (!this.isOpen) return;
    if (this.hostStopped && this.settings.rtsCts()) {
      // RTS off: nothing leaves until the host reads again (onHostDrain).
      this.flow.block();
      return;
    }
    const pieces = this.tx.take();
    if (pieces.length > 0 && !this.hostStopped) this.flow.progressed();
    for (const piece of pieces) {
      if (this.hostStopped && !this.settings.rtsCts()) {
        this.lostOutputBytes += piece.length;
        if (this.lostUnlogged === 0) this.log(`port ${this.name}: host not reading and flow control off (AT&K0): output bytes lost`);
        this.lostUnlogged += piece.length;
      } else {
        this.logLost();
        this.inner.write(piece);
      }
      this.lastActivity = this.clock.now();
    }
    if (this.tx.queued < TX_FIFO_BYTES && !(this.hostStopped && this.settings.rtsCts())) this.flow.release();
    if (this.tx.queued > 0) this.txTimer = this.clock.setTimeout(() => this.pumpTx(), this.tx.nextIn());
  }

  private logLost(): void {
    if (this.lostUnlogged === 0) return;
    this.log(`port ${this.name}: ${this.lostUnlogged} output bytes lost at the host (${this.lostOutputBytes} in all)`);
    this.lostUnlogged = 0;
  }

  private readonly onHostDrain = (): void => {
    this.tx.restart();
    this.pumpTx();
  };

  private fromHost(bytes: Buffer): void {
    if (!this.isOpen) return;
    this.rx.push(bytes, this.settings.baud());
    if (this.rx.queued >= RX_WIRE_BYTES) this.pauseInput(true);
    this.pumpRx();
  }

  private asleep(): boolean {
    const after = this.settings.idleSleepMs?.();
    return after !== undefined && this.clock.now() - this.lastActivity >= after;
  }

  private get ctsOff(): boolean {
    return this.flow.inputHeld && this.settings.rtsCts();
  }

  private pumpRx(): void {
    this.rxTimer?.cancel();
    this.rxTimer = undefined;
    if (!this.isOpen) return;
    while (!this.ctsOff) {
      const pieces = this.rx.take(RX_PIECE_BYTES);
      if (pieces.length === 0) break;
      let piece = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
      if (this.asleep()) {
        // The first byte to a sleeping UART wakes it and is lost (u-blox +UPSV 1/4).
        this.wakeUpBytes++;
        piece = piece.subarray(1);
      }
      this.lastActivity = this.clock.now();
      if (piece.length > 0) this.deliver(piece);
      if (!this.isOpen) return;
    }
    if (this.rx.queued < RX_WIRE_BYTES / 2) this.pauseInput(false);
    if (this.rx.queued > 0 && !this.ctsOff) this.rxTimer = this.clock.setTimeout(() => this.pumpRx(), this.rx.nextIn());
  }

  /** The terminal's input buffer filled or emptied (the module's CTS). */
  private readonly onCts = (): void => {
    if (this.flow.inputHeld) return;
    this.rx.restart();
    this.pumpRx();
  };

  private pauseInput(paused: boolean): void {
    if (this.inputPaused === paused) return;
    this.inputPaused = paused;
    this.inner.pauseInput?.(paused);
  }
}
