import type { Clock, TimerHandle } from '@modemlab/at';

/** A position on the WGS84 ellipsoid. */
export interface GeoPosition {
  latitude: number;
  longitude: number;
  /** Metres above mean sea level. */
  altitude: number;
}

/** The lab's default position (decision): u-blox's headquarters, Thalwil, Switzerland. */
export const LAB_POSITION: GeoPosition = { latitude: 47.2858, longitude: 8.5658, altitude: 440 };
/** Time to first fix after the receiver is switched on (module clock). */
export const TTFF_MS = 1000;
/** Satellites the simulated sky shows the receiver. */
export const SATELLITES_USED = 8;

/**
 * The built-in GNSS receiver (SARA-R510M8S) and CellLocate, both from one configured
 * position the lab sets (`setPosition`). Switched on, the receiver gets a fix after
 * TTFF_MS of module time and keeps it; NMEA sentences are built from the position and the
 * module clock (UTC). RAM state, off at power-off.
 */
export class GnssReceiver {
  on = false;
  aidMode = 0;
  systems = 1;
  /** Which NMEA sentences the host asked the module to keep for reading (+UGRMC, +UGGGA). */
  readonly stored = { rmc: false, gga: false };
  private fixed = false;
  private position: GeoPosition = { ...LAB_POSITION };
  private timer?: TimerHandle;
  /** CellLocate requests in progress (a power-off drops them). */
  private readonly locating = new Set<TimerHandle>();

  constructor(private readonly clock: Clock) {}

  /** CellLocate: `done` gets the position after `ms` of module time, unless the module powers off first. */
  locate(ms: number, done: (p: GeoPosition) => void): void {
    const t = this.clock.setTimeout(() => {
      this.locating.delete(t);
      done(this.where);
    }, ms);
    this.locating.add(t);
  }

  setPosition(p: GeoPosition): void {
    this.position = { ...p };
  }

  get where(): GeoPosition {
    return { ...this.position };
  }

  power(on: boolean, aidMode = 0, systems = 1): void {
    this.timer?.cancel();
    this.on = on;
    this.aidMode = aidMode;
    this.systems = systems;
    this.fixed = false;
    if (on) this.timer = this.clock.setTimeout(() => (this.fixed = true), TTFF_MS);
  }

  /** True once the receiver is on and has its fix. */
  get hasFix(): boolean {
    return this.on && this.fixed;
  }

  /** $GPRMC from the fix; undefined without one. */
  rmc(): string | undefined {
    if (!this.hasFix) return undefined;
    const { time, date } = utc(this.clock.now());
    const { lat, ns, lon, ew } = nmeaCoordinates(this.position);
    return sentence(`GPRMC,${time},A,${lat},${ns},${lon},${ew},0.000,,${date},,,A`);
  }

  /** $GPGGA from the fix; undefined without one. */
  gga(): string | undefined {
    if (!this.hasFix) return undefined;
    const { time } = utc(this.clock.now());
    const { lat, ns, lon, ew } = nmeaCoordinates(this.position);
    return sentence(`GPGGA,${time},${lat},${ns},${lon},${ew},1,${String(SATELLITES_USED).padStart(2, '0')},1.00,${this.position.altitude.toFixed(1)},M,47.0,M,,`);
  }

  powerOff(): void {
    this.power(false);
    for (const t of this.locating) t.cancel();
    this.locating.clear();
    this.stored.rmc = false;
    this.stored.gga = false;
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function utc(ms: number): { time: string; date: string } {
  const d = new Date(ms);
  return {
    time: `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}.00`,
    date: `${pad(d.getUTCDate())}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCFullYear() % 100)}`,
  };
}

/** NMEA ddmm.mmmmm / dddmm.mmmmm with hemisphere letters. */
export function nmeaCoordinates(p: GeoPosition): { lat: string; ns: string; lon: string; ew: string } {
  const part = (v: number, degWidth: number) => {
    const a = Math.abs(v);
    const deg = Math.floor(a);
    return `${pad(deg, degWidth)}${((a - deg) * 60).toFixed(5).padStart(8, '0')}`;
  };
  return { lat: part(p.latitude, 2), ns: p.latitude < 0 ? 'S' : 'N', lon: part(p.longitude, 3), ew: p.longitude < 0 ? 'W' : 'E' };
}

/** `$<body>*<checksum>`: the XOR of the body's bytes, two hex digits. */
export function sentence(body: string): string {
  let x = 0;
  for (let i = 0; i < body.length; i++) x ^= body.charCodeAt(i);
  return `$${body}*${x.toString(16).toUpperCase().padStart(2, '0')}`;
}
