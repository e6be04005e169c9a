import type { Clock, TimerHandle } from '@modemlab/at';
import { trackAt, type GeoPosition, type TrackPoint, type TrackState } from './gnss-track.js';

export type { GeoPosition } from './gnss-track.js';

/** The lab's GNSS setting: a fixed position or a track replayed from the module's start. */
export type GnssSetup = { position: GeoPosition } | { track: readonly TrackPoint[] };

/** The lab's default position (decision): u-blox's headquarters, Thalwil, Switzerland. */
export const LAB_POSITION: GeoPosition = { latitude: 47.2858, longitude: 8.5658, altitude: 440 };
/** Time to first fix after the receiver is switched on (module clock). */
export const TTFF_MS = 1000;
/** Satellites the simulated sky shows the receiver. */
export const SATELLITES_USED = 8;
/** The simulated sky (decision): GPS PRN, elevation, azimuth, C/N0 dB-Hz; all used in the fix. */
export const SKY: ReadonlyArray<{ prn: number; elevation: number; azimuth: number; cno: number }> = [
  { prn: 2, elevation: 62, azimuth: 91, cno: 44 },
  { prn: 5, elevation: 48, azimuth: 205, cno: 42 },
  { prn: 12, elevation: 35, azimuth: 310, cno: 40 },
  { prn: 13, elevation: 71, azimuth: 154, cno: 45 },
  { prn: 15, elevation: 22, azimuth: 47, cno: 36 },
  { prn: 18, elevation: 17, azimuth: 263, cno: 33 },
  { prn: 24, elevation: 40, azimuth: 126, cno: 41 },
  { prn: 29, elevation: 12, azimuth: 338, cno: 30 },
];
/** The NMEA sentences the host can ask the module to keep for reading (+UGRMC, +UGGGA, +UGGLL, +UGGSV, +UGGSA, +UGVTG, +UGZDA). */
export type NmeaKind = 'rmc' | 'gga' | 'gll' | 'gsv' | 'gsa' | 'vtg' | 'zda';
export const NMEA_KINDS: readonly NmeaKind[] = ['rmc', 'gga', 'gll', 'gsv', 'gsa', 'vtg', 'zda'];
const KNOTS_PER_MPS = 3600 / 1852;

/**
 * The built-in GNSS receiver (SARA-R510M8S) and CellLocate, both from one configured
 * position the lab sets (`setPosition`) or a track it replays (`setTrack`, from the module
 * time it is set, looping; see gnss-track.ts). Switched on, the receiver gets a fix after
 * TTFF_MS of module time and keeps it; NMEA sentences are built from the position and the
 * module clock (UTC). RAM state, off at power-off.
 */
export class GnssReceiver {
  on = false;
  /** +UGIND: the host wants +UUGIND aiding reports (RAM, off at power-off). */
  indications = false;
  aidMode = 0;
  systems = 1;
  /** Which NMEA sentences the host asked the module to keep for reading (+UGRMC, +UGGGA). */
  readonly stored: Record<NmeaKind, boolean> = { rmc: false, gga: false, gll: false, gsv: false, gsa: false, vtg: false, zda: false };
  private fixed = false;
  private position: GeoPosition = { ...LAB_POSITION };
  private track?: { points: readonly TrackPoint[]; startedAt: number };
  private timer?: TimerHandle;
  /** CellLocate requests in progress (a power-off drops them). */
  private readonly locating = new Set<TimerHandle>();

  /** Told when the receiver gets its fix (the dialect's +UUGIND). */
  private readonly fixListeners: Array<(e: { aidMode: number }) => void> = [];

  constructor(private readonly clock: Clock) {}

  onFix(listener: (e: { aidMode: number }) => void): void {
    this.fixListeners.push(listener);
  }

  /** CellLocate: `done` gets the position after `ms` of module time, unless the module powers off first. */
  locate(ms: number, done: (p: GeoPosition, motion: TrackState) => void): void {
    const t = this.clock.setTimeout(() => {
      this.locating.delete(t);
      const state = this.state;
      done(state.position, state);
    }, ms);
    this.locating.add(t);
  }

  setPosition(p: GeoPosition): void {
    this.track = undefined;
    this.position = { ...p };
  }

  /** Replays a track from now (module clock), looping. */
  setTrack(points: readonly TrackPoint[]): void {
    if (points.length === 0) throw new RangeError('empty track');
    this.track = { points: points.map((p) => ({ ...p })), startedAt: this.clock.now() };
  }

  /** Where the lab puts the receiver now, and how it moves. */
  get state(): TrackState {
    if (!this.track) return { position: { ...this.position }, speed: 0, course: 0 };
    return trackAt(this.track.points, this.clock.now() - this.track.startedAt);
  }

  get where(): GeoPosition {
    return this.state.position;
  }

  power(on: boolean, aidMode = 0, systems = 1): void {
    this.timer?.cancel();
    this.on = on;
    this.aidMode = aidMode;
    this.systems = systems;
    this.fixed = false;
    if (on) {
      this.timer = this.clock.setTimeout(() => {
        this.fixed = true;
        for (const l of this.fixListeners) l({ aidMode: this.aidMode });
      }, TTFF_MS);
    }
  }

  /** True once the receiver is on and has its fix. */
  get hasFix(): boolean {
    return this.on && this.fixed;
  }

  /** The sentence(s) of one kind from the fix; undefined without one. */
  nmea(kind: NmeaKind): string[] | undefined {
    if (!this.hasFix) return undefined;
    const { position: p, speed, course } = this.state;
    const { time, date, zda } = utc(this.clock.now());
    const { lat, ns, lon, ew } = nmeaCoordinates(p);
    const knots = (speed * KNOTS_PER_MPS).toFixed(3);
    const cog = speed > 0 ? course.toFixed(2) : '';
    switch (kind) {
      case 'rmc':
        return [sentence(`GPRMC,${time},A,${lat},${ns},${lon},${ew},${knots},${cog},${date},,,A`)];
      case 'gga':
        return [sentence(`GPGGA,${time},${lat},${ns},${lon},${ew},1,${String(SATELLITES_USED).padStart(2, '0')},1.00,${p.altitude.toFixed(1)},M,47.0,M,,`)];
      case 'gll':
        return [sentence(`GPGLL,${lat},${ns},${lon},${ew},${time},A,A`)];
      case 'vtg':
        return [sentence(`GPVTG,${cog},T,,M,${knots},N,${(speed * 3.6).toFixed(3)},K,A`)];
      case 'zda':
        return [sentence(`GPZDA,${time},${zda},00,00`)];
      case 'gsa': {
        const prns = SKY.map((s) => pad(s.prn)).concat(Array(12 - SKY.length).fill('')).slice(0, 12);
        return [sentence(`GPGSA,A,3,${prns.join(',')},1.80,1.00,1.50`)];
      }
      case 'gsv': {
        const total = Math.ceil(SKY.length / 4);
        const out: string[] = [];
        for (let i = 0; i < total; i++) {
          const sats = SKY.slice(i * 4, i * 4 + 4).map((s) => `${pad(s.prn)},${pad(s.elevation)},${pad(s.azimuth, 3)},${pad(s.cno)}`);
          out.push(sentence(`GPGSV,${total},${i + 1},${pad(SKY.length)},${sats.join(',')}`));
        }
        return out;
      }
    }
  }

  /** $GPRMC from the fix; undefined without one. */
  rmc(): string | undefined {
    return this.nmea('rmc')?.[0];
  }

  /** $GPGGA from the fix; undefined without one. */
  gga(): string | undefined {
    return this.nmea('gga')?.[0];
  }

  powerOff(): void {
    this.power(false);
    for (const t of this.locating) t.cancel();
    this.locating.clear();
    for (const k of NMEA_KINDS) this.stored[k] = false;
    this.indications = false;
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function utc(ms: number): { time: string; date: string; zda: string } {
  const d = new Date(ms);
  return {
    zda: `${pad(d.getUTCDate())},${pad(d.getUTCMonth() + 1)},${d.getUTCFullYear()}`,
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
