import type { Clock, TimerHandle } from '@modemlab/at';

const PLUS = 0x2b;

/**
 * The +++ escape of online data mode: a pause of at least the guard time, three '+', and
 * another pause. Anything else, including '+' that turn out not to be an escape, passes to
 * the pipe unchanged, so all 256 byte values cross.
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
    let runStart = 0;
    for (let i = 0; i < data.length; i++) {
      const now = this.clock.now();
      const byte = data[i]!;
      const silentBefore = now - this.lastByteAt >= this.guardMs;
      this.lastByteAt = now;
      if (byte === PLUS && this.held < 3 && (this.held > 0 || silentBefore)) {
        if (this.held === 0 && i > runStart) this.sink.forward(data.subarray(runStart, i));
        this.held++;
        runStart = i + 1;
        this.arm();
        continue;
      }
      if (this.held > 0) this.release();
    }
    if (runStart < data.length) this.sink.forward(data.subarray(runStart));
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
