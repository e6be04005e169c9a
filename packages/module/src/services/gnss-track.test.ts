import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GnssTrackError, parsePosition, parseTrack, trackAt, UNTIMED_STEP_MS } from './gnss-track.js';

const GPX = `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
  <trk><name>walk</name><trkseg>
    <trkpt lat="47.2858" lon="8.5658"><ele>440</ele><time>2026-12-06T10:00:00Z</time></trkpt>
    <trkpt lon="8.5658" lat="47.2867"><ele>450.5</ele><time>2026-12-06T10:00:10Z</time></trkpt>
    <trkpt lat='47.2867' lon='8.5671'><time>2026-12-06T10:00:20Z</time></trkpt>
  </trkseg></trk>
</gpx>`;

describe('GNSS track sources (serve --gnss)', () => {
  it('parses LAT,LON[,ALT] and refuses what is not a position', () => {
    assert.deepEqual(parsePosition('47.2858,8.5658,440'), { latitude: 47.2858, longitude: 8.5658, altitude: 440 });
    assert.deepEqual(parsePosition(' -33.5 , -70.25 '), { latitude: -33.5, longitude: -70.25, altitude: 0 });
    for (const bad of ['', '47.2', '91,0', '0,181', 'a,b', '1,2,3,4']) assert.throws(() => parsePosition(bad), GnssTrackError, bad);
  });

  it('reads a GPX track: lat/lon in any order and quotes, <ele>, <time> as offsets from the first point', () => {
    assert.deepEqual(parseTrack(GPX), [
      { latitude: 47.2858, longitude: 8.5658, altitude: 440, t: 0 },
      { latitude: 47.2867, longitude: 8.5658, altitude: 450.5, t: 10_000 },
      { latitude: 47.2867, longitude: 8.5671, altitude: 0, t: 20_000 },
    ]);
  });

  it('GPX points without times follow each other UNTIMED_STEP_MS apart', () => {
    const pts = parseTrack('<gpx><wpt lat="1" lon="2"/><wpt lat="1.5" lon="2"/></gpx>');
    assert.deepEqual(pts.map((p) => p.t), [0, UNTIMED_STEP_MS]);
  });

  it('reads NMEA RMC and GGA (GGA gives the altitude), checks checksums', () => {
    const nmea = [
      '$GPRMC,100000.00,A,4717.14800,N,00833.94800,E,0.000,,061226,,,A*75',
      '$GPGGA,100000.00,4717.14800,N,00833.94800,E,1,08,1.00,440.0,M,47.0,M,,*52',
      '$GPRMC,100010.00,A,4717.20200,N,00833.94800,E,19.438,0.00,061226,,,A*50',
    ].join('\r\n');
    const pts = parseTrack(nmea);
    assert.equal(pts.length, 2);
    assert.equal(pts[0]!.altitude, 440);
    assert.equal(pts[1]!.t, 10_000);
    assert.ok(Math.abs(pts[1]!.latitude - 47.2867) < 1e-9);
    assert.throws(() => parseTrack(nmea.replace('*75', '*00')), /checksum/);
  });

  it('refuses a text with no points, bad numbers and times that do not increase', () => {
    assert.throws(() => parseTrack('hello'), GnssTrackError);
    assert.throws(() => parseTrack('<gpx><trkpt lat="x" lon="2"/></gpx>'), GnssTrackError);
    assert.throws(() => parseTrack('<gpx><trkpt lat="95" lon="2"/></gpx>'), GnssTrackError);
    assert.throws(() => parseTrack(GPX.replace('10:00:10Z', '09:59:00Z')), /increase/);
  });

  it('interpolates position, speed and course, and loops', () => {
    const pts = parseTrack(GPX);
    const mid = trackAt(pts, 5000);
    assert.ok(Math.abs(mid.position.latitude - 47.28625) < 1e-9);
    assert.ok(Math.abs(mid.speed - 10.008) < 0.001, String(mid.speed));
    assert.ok(mid.course < 0.01 || mid.course > 359.99);
    const east = trackAt(pts, 15_000);
    assert.ok(Math.abs(east.course - 90) < 0.1, String(east.course));
    assert.deepEqual(trackAt(pts, 20_000 + 5000), mid);
    assert.deepEqual(trackAt(pts.slice(0, 1), 1234), { position: { latitude: 47.2858, longitude: 8.5658, altitude: 440 }, speed: 0, course: 0 });
  });
});
