import type { Clock } from '@modemlab/at';

/** Local time of the module: wall-clock fields (as if UTC) and the zone in quarter hours. */
export interface LocalTime {
  /** Milliseconds whose UTC fields are the module's local date and time. */
  localMs: number;
  quarterHours: number;
  /** Daylight saving adjustment in hours (0-2), where a dialect keeps it (Telit #CCLK). */
  daylightSaving?: number;
}

const QUARTER_HOUR_MS = 15 * 60_000;

/**
 * The module's real-time clock: the injected clock plus the offset the host set. It
 * starts at the host machine's UTC time (as if the network had provided it) and forgets
 * the host's setting at power-off. Its UTC reading is "the module's date" the TLS service
 * checks certificate validity against.
 */
export class RealTimeClock {
  private offsetMs = 0;
  private quarterHours = 0;
  private daylightSaving = 0;

  constructor(private readonly clock: Clock) {}

  now(): LocalTime {
    return { localMs: this.clock.now() + this.offsetMs, quarterHours: this.quarterHours, daylightSaving: this.daylightSaving };
  }

  /** The module's time as ms since the epoch (UTC): local time minus the zone. */
  utcMs(): number {
    return this.clock.now() + this.offsetMs - this.quarterHours * QUARTER_HOUR_MS;
  }

  set(time: LocalTime): void {
    this.offsetMs = time.localMs - this.clock.now();
    this.quarterHours = time.quarterHours;
    this.daylightSaving = time.daylightSaving ?? 0;
  }

  /** The network's time (NITZ): the lab's clock, UTC. */
  fromNetwork(): void {
    this.powerOff();
  }

  powerOff(): void {
    this.offsetMs = 0;
    this.quarterHours = 0;
    this.daylightSaving = 0;
  }
}
