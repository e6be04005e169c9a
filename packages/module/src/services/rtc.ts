import type { Clock } from '@modemlab/at';

/** Local time of the module: wall-clock fields (as if UTC) and the zone in quarter hours. */
export interface LocalTime {
  /** Milliseconds whose UTC fields are the module's local date and time. */
  localMs: number;
  quarterHours: number;
}

/**
 * The module's real-time clock: the injected clock plus the offset the host set. It
 * starts at the host machine's UTC time (as if the network had provided it) and forgets
 * the host's setting at power-off.
 */
export class RealTimeClock {
  private offsetMs = 0;
  private quarterHours = 0;

  constructor(private readonly clock: Clock) {}

  now(): LocalTime {
    return { localMs: this.clock.now() + this.offsetMs, quarterHours: this.quarterHours };
  }

  set(time: LocalTime): void {
    this.offsetMs = time.localMs - this.clock.now();
    this.quarterHours = time.quarterHours;
  }

  powerOff(): void {
    this.offsetMs = 0;
    this.quarterHours = 0;
  }
}
