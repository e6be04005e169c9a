import type { Clock, TimerHandle } from '@modemlab/at';

const PLUS = 0x2b;

/**
 * The +++ escape of online data mode: a pause of at least the guard time, three '+', and
 * another pause. Anything else, including '+' that turn out not to be an escape, passes
 * on unchanged, so all 256 byte values cross.
 *
 * The bytes of one chunk arrive at one instant, so the clock is read once per chunk and
 * only a chunk's first bytes can start an escape (every later byte has no silence before
 * it): a chunk that does not start with '+' after a pause, and is not continuing a held
 * '+' run, is forwarded whole without looking at its bytes. With a guard time of 0 every
 * '+' has "silence" before it; then the chunk's trailing '+' run is what may escape.
 */
export class EscapeDetector {
  private lastByteAt: number;
  private held = 0;
  private timer?: TimerHandle;

  constructor(
    private readonly clock: Clock,
    private readonly guardMs: number,
    private readonly sink: { forward(bytes: Buffer): void; escaped(): void },
  ) {
    this.lastByteAt = clock.now();
  }

  input(data: Buffer): void {
    if (data.length === 0) return;
    const now = this.clock.now();
    const silentBefore = now - this.lastByteAt >= this.guardMs;
    this.lastByteAt = now;
    let start = 0;
    if (this.guardMs <= 0 && this.held === 0) {
      // Every byte follows "silence": only a trailing run of at most three '+' can escape.
      let run = 0;
      while (run < data.length && data[data.length - 1 - run] === PLUS) run++;
      if (run === 0 || run > 3) {
        this.sink.forward(data);
        return;
      }
      start = data.length - run;
      this.sink.forward(data.subarray(0, start));
    } else if (this.held === 0 && !(silentBefore && data[0] === PLUS)) {
      this.sink.forward(data);
      return;
    }
    let i = start;
    while (i < data.length && data[i] === PLUS && this.held < 3) {
      this.held++;
      i++;
    }
    if (i === data.length) {
      this.arm();
      return;
    }
    // A byte follows the '+' run: it was data.
    this.release();
    this.sink.forward(data.subarray(i));
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.held = 0;
  }

  private arm(delayMs = this.guardMs): void {
    this.timer?.cancel();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      const quietFor = this.clock.now() - this.lastByteAt;
      if (this.held === 3 && quietFor >= this.guardMs) {
        this.held = 0;
        this.sink.escaped();
      } else if (this.held === 3) {
        // Timers may fire a millisecond before the clock says the guard time is over.
        this.arm(this.guardMs - quietFor);
      } else {
        this.release();
      }
    }, delayMs);
  }

  /** The held '+' were data after all. */
  private release(): void {
    this.timer?.cancel();
    this.timer = undefined;
    const n = this.held;
    this.held = 0;
    if (n > 0) this.sink.forward(Buffer.alloc(n, PLUS));
  }
}
