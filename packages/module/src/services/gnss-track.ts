/** A position on the WGS84 ellipsoid. */
export interface GeoPosition {
  latitude: number;
  longitude: number;
  /** Metres above mean sea level. */
  altitude: number;
}

/** One point of a replayed track: where the receiver is `t` ms after the track starts. */
export interface TrackPoint extends GeoPosition {
  t: number;
}

/** Where the receiver is on a track and how it moves there. */
export interface TrackState {
  position: GeoPosition;
  /** Speed over ground, m/s. */
  speed: number;
  /** Course over ground, degrees true (0 when not moving). */
  course: number;
}

/** Why a position or track text was refused (the CLI reports the message). */
export class GnssTrackError extends Error {}

/** Points without a time (GPX without <time>, GGA-only NMEA) follow each other at this pace (decision). */
export const UNTIMED_STEP_MS = 1000;

const EARTH_RADIUS_M = 6_371_008.8;
const rad = (d: number) => (d * Math.PI) / 180;

/** `LAT,LON[,ALT]` in decimal degrees (ALT metres, default 0). */
export function parsePosition(text: string): GeoPosition {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*(?:,\s*(-?\d+(?:\.\d+)?)\s*)?$/.exec(text);
  if (!m) throw new GnssTrackError(`expected LAT,LON[,ALT] in decimal degrees, got '${text}'`);
  const p = { latitude: Number(m[1]), longitude: Number(m[2]), altitude: m[3] === undefined ? 0 : Number(m[3]) };
  checkPosition(p);
  return p;
}

function checkPosition(p: GeoPosition): void {
  if (!(Math.abs(p.latitude) <= 90) || !(Math.abs(p.longitude) <= 180)) throw new GnssTrackError(`position out of range: ${p.latitude},${p.longitude}`);
  if (!Number.isFinite(p.altitude) || Math.abs(p.altitude) > 100_000) throw new GnssTrackError(`altitude out of range: ${p.altitude}`);
}

/**
 * A track from a GPX document (<trkpt>/<rtept>/<wpt> with lat, lon, <ele>, <time>) or NMEA
 * text ($..RMC and $..GGA sentences; a GGA gives the altitude of the RMC of the same time).
 * Times become offsets from the first point. Small own parser (decision: no XML dependency
 * for three elements; docs/issue10-audit.md).
 */
export function parseTrack(text: string): TrackPoint[] {
  const points = /<gpx[\s>]/.test(text) ? parseGpx(text) : parseNmea(text);
  if (points.length === 0) throw new GnssTrackError('no track points (expected GPX <trkpt>/<rtept>/<wpt> or NMEA $..RMC/$..GGA sentences)');
  for (const p of points) checkPosition(p);
  for (let i = 1; i < points.length; i++) {
    if (points[i]!.t <= points[i - 1]!.t) throw new GnssTrackError(`track times must increase (point ${i + 1})`);
  }
  return points;
}

function parseGpx(text: string): TrackPoint[] {
  const raw: Array<GeoPosition & { time?: number }> = [];
  const re = /<(trkpt|rtept|wpt)\b([^>]*?)(\/>|>([\s\S]*?)<\/\1\s*>)/g;
  for (const m of text.matchAll(re)) {
    const attrs = m[2]!;
    const body = m[4] ?? '';
    const lat = /\blat\s*=\s*["']([^"']*)["']/.exec(attrs)?.[1];
    const lon = /\blon\s*=\s*["']([^"']*)["']/.exec(attrs)?.[1];
    if (lat === undefined || lon === undefined || !Number.isFinite(Number(lat)) || !Number.isFinite(Number(lon)) || lat.trim() === '' || lon.trim() === '') {
      throw new GnssTrackError(`GPX point without a numeric lat/lon: ${m[0].slice(0, 80)}`);
    }
    const ele = /<ele>\s*([^<]*?)\s*<\/ele>/.exec(body)?.[1];
    const time = /<time>\s*([^<]*?)\s*<\/time>/.exec(body)?.[1];
    const ms = time === undefined ? undefined : Date.parse(time);
    if (time !== undefined && !Number.isFinite(ms)) throw new GnssTrackError(`GPX <time> not ISO 8601: ${time}`);
    const altitude = ele === undefined ? 0 : Number(ele);
    if (!Number.isFinite(altitude)) throw new GnssTrackError(`GPX <ele> not a number: ${ele}`);
    raw.push({ latitude: Number(lat), longitude: Number(lon), altitude, ...(ms === undefined ? {} : { time: ms }) });
  }
  return timed(raw);
}

/** Every point with a time gets its offset from the first; without times, UNTIMED_STEP_MS apart. */
function timed(raw: Array<GeoPosition & { time?: number }>): TrackPoint[] {
  const allTimed = raw.length > 0 && raw.every((p) => p.time !== undefined);
  const t0 = allTimed ? raw[0]!.time! : 0;
  return raw.map((p, i) => ({ latitude: p.latitude, longitude: p.longitude, altitude: p.altitude, t: allTimed ? p.time! - t0 : i * UNTIMED_STEP_MS }));
}

function parseNmea(text: string): TrackPoint[] {
  // Keyed by time of day (hhmmss.ss), in order of appearance; RMC gives the date.
  const byTime = new Map<string, GeoPosition & { time?: number }>();
  let day: number | undefined;
  let untimed = 0;
  for (const line of text.split(/\r?\n/)) {
    const s = line.trim();
    if (!s.startsWith('$')) continue;
    const star = s.lastIndexOf('*');
    const body = s.slice(1, star < 0 ? undefined : star);
    if (star >= 0) {
      let x = 0;
      for (let i = 0; i < body.length; i++) x ^= body.charCodeAt(i);
      if (s.slice(star + 1).toUpperCase() !== x.toString(16).toUpperCase().padStart(2, '0')) throw new GnssTrackError(`NMEA checksum mismatch: ${s}`);
    }
    const f = body.split(',');
    const type = f[0]!.slice(-3);
    if (type === 'RMC' && f[2] === 'A') {
      day = nmeaDate(f[9]!) ?? day;
      upsert(byTime, f[1]!, coordinates(f[3]!, f[4]!, f[5]!, f[6]!), day);
    } else if (type === 'GGA' && f[6] !== '0' && f[2] !== '') {
      const p = coordinates(f[2]!, f[3]!, f[4]!, f[5]!);
      const alt = Number(f[9]);
      upsert(byTime, f[1] || `#${untimed++}`, { ...p, altitude: Number.isFinite(alt) ? alt : 0 }, day, true);
    }
  }
  return timed([...byTime.values()]);
}

function upsert(map: Map<string, GeoPosition & { time?: number }>, key: string, p: GeoPosition, day: number | undefined, hasAltitude = false): void {
  const seen = map.get(key);
  const time = key.startsWith('#') ? undefined : timeOfDay(key, day);
  if (!seen) map.set(key, { ...p, ...(time === undefined ? {} : { time }) });
  else if (hasAltitude) seen.altitude = p.altitude;
}

function timeOfDay(hhmmss: string, day: number | undefined): number | undefined {
  const m = /^(\d\d)(\d\d)(\d\d(?:\.\d+)?)$/.exec(hhmmss);
  if (!m) return undefined;
  return (day ?? 0) + ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000;
}

function nmeaDate(ddmmyy: string): number | undefined {
  const m = /^(\d\d)(\d\d)(\d\d)$/.exec(ddmmyy);
  return m ? Date.UTC(2000 + Number(m[3]), Number(m[2]) - 1, Number(m[1])) : undefined;
}

function coordinates(lat: string, ns: string, lon: string, ew: string): GeoPosition {
  const dm = (v: string, degDigits: number) => {
    const deg = Number(v.slice(0, degDigits));
    const min = Number(v.slice(degDigits));
    if (!/^\d+(\.\d+)?$/.test(v) || !Number.isFinite(deg) || !Number.isFinite(min)) throw new GnssTrackError(`NMEA coordinate not ddmm.mmmm: ${v}`);
    return deg + min / 60;
  };
  const latitude = dm(lat, 2) * (ns === 'S' ? -1 : 1);
  const longitude = dm(lon, 3) * (ew === 'W' ? -1 : 1);
  return { latitude, longitude, altitude: 0 };
}

/** Great-circle distance, metres. */
export function distance(a: GeoPosition, b: GeoPosition): number {
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial bearing from a to b, degrees true [0, 360). */
export function bearing(a: GeoPosition, b: GeoPosition): number {
  const y = Math.sin(rad(b.longitude - a.longitude)) * Math.cos(rad(b.latitude));
  const x = Math.cos(rad(a.latitude)) * Math.sin(rad(b.latitude)) - Math.sin(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.cos(rad(b.longitude - a.longitude));
  return ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
}

/**
 * The state `elapsed` ms into the track: linear between points; the replay loops (decision:
 * a lab left running keeps moving), a one-point track stands still.
 */
export function trackAt(points: readonly TrackPoint[], elapsed: number): TrackState {
  const first = points[0]!;
  const last = points[points.length - 1]!;
  if (points.length === 1 || last.t === 0) return { position: { latitude: first.latitude, longitude: first.longitude, altitude: first.altitude }, speed: 0, course: 0 };
  const t = ((elapsed % last.t) + last.t) % last.t;
  let i = 0;
  while (i < points.length - 2 && points[i + 1]!.t <= t) i++;
  const a = points[i]!;
  const b = points[i + 1]!;
  const f = (t - a.t) / (b.t - a.t);
  const position = {
    latitude: a.latitude + (b.latitude - a.latitude) * f,
    longitude: a.longitude + (b.longitude - a.longitude) * f,
    altitude: a.altitude + (b.altitude - a.altitude) * f,
  };
  const d = distance(a, b);
  return { position, speed: d / ((b.t - a.t) / 1000), course: d === 0 ? 0 : bearing(a, b) };
}
