import type { TrackState } from './gnss-track.js';

/**
 * The UBX protocol of the module's GNSS chip (u-blox M8), as far as +UGUBX tunnels it for a
 * host library (ubxlib polls UBX-NAV-PVT for a position): frames `B5 62 class id len(LE)
 * payload ck_a ck_b` with the 8-bit Fletcher checksum over class..payload.
 */
export interface UbxFrame {
  cls: number;
  id: number;
  payload: Buffer;
}

export const UBX_NAV_PVT = { cls: 0x01, id: 0x07 } as const;
export const UBX_MON_VER = { cls: 0x0a, id: 0x04 } as const;
const UBX_CFG = 0x06;
const UBX_ACK = 0x05;

/** One frame from its bytes; undefined when the bytes are not exactly one valid frame. */
export function decodeUbx(bytes: Buffer): UbxFrame | undefined {
  if (bytes.length < 8 || bytes[0] !== 0xb5 || bytes[1] !== 0x62) return undefined;
  const len = bytes.readUInt16LE(4);
  if (bytes.length !== 8 + len) return undefined;
  const [a, b] = checksum(bytes.subarray(2, 6 + len));
  if (bytes[6 + len] !== a || bytes[7 + len] !== b) return undefined;
  return { cls: bytes[2]!, id: bytes[3]!, payload: Buffer.from(bytes.subarray(6, 6 + len)) };
}

export function encodeUbx(f: UbxFrame): Buffer {
  const head = Buffer.alloc(4);
  head[0] = f.cls;
  head[1] = f.id;
  head.writeUInt16LE(f.payload.length, 2);
  const body = Buffer.concat([head, f.payload]);
  const [a, b] = checksum(body);
  return Buffer.concat([Buffer.from([0xb5, 0x62]), body, Buffer.from([a, b])]);
}

function checksum(data: Buffer): [number, number] {
  let a = 0;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) & 0xff;
    b = (b + a) & 0xff;
  }
  return [a, b];
}

/** GPS time is ahead of UTC by the leap seconds since 1980 (18 since 2017). */
const GPS_EPOCH_MS = Date.UTC(1980, 0, 6);
const LEAP_SECONDS = 18;
const WEEK_MS = 7 * 24 * 3600 * 1000;

/** UBX-NAV-PVT (92 bytes) of the receiver at UTC `now`: a 3D fix from `state`, or no fix (fixType 0). */
export function navPvt(now: number, state: TrackState | undefined, satellites: number): Buffer {
  const p = Buffer.alloc(92);
  const d = new Date(now);
  p.writeUInt32LE((now - GPS_EPOCH_MS + LEAP_SECONDS * 1000) % WEEK_MS, 0);
  p.writeUInt16LE(d.getUTCFullYear(), 4);
  p[6] = d.getUTCMonth() + 1;
  p[7] = d.getUTCDate();
  p[8] = d.getUTCHours();
  p[9] = d.getUTCMinutes();
  p[10] = d.getUTCSeconds();
  p[11] = state ? 0x07 : 0x00; // validDate, validTime, fullyResolved
  p.writeUInt32LE(state ? 30 : 0xffffffff, 12); // tAcc ns
  p.writeInt32LE(d.getUTCMilliseconds() * 1_000_000, 16); // nano
  if (state) {
    const { position: pos, speed, course } = state;
    p[20] = 3; // 3D fix
    p[21] = 0x01; // gnssFixOK
    p[22] = 0xe0; // confirmedAvai, confirmedDate, confirmedTime
    p[23] = satellites;
    p.writeInt32LE(Math.round(pos.longitude * 1e7), 24);
    p.writeInt32LE(Math.round(pos.latitude * 1e7), 28);
    p.writeInt32LE(Math.round((pos.altitude + GEOID_M) * 1000), 32); // height above the ellipsoid
    p.writeInt32LE(Math.round(pos.altitude * 1000), 36); // hMSL
    p.writeUInt32LE(2500, 40); // hAcc mm
    p.writeUInt32LE(3500, 44); // vAcc mm
    const rad = (course * Math.PI) / 180;
    p.writeInt32LE(Math.round(speed * Math.cos(rad) * 1000), 48); // velN
    p.writeInt32LE(Math.round(speed * Math.sin(rad) * 1000), 52); // velE
    p.writeInt32LE(0, 56); // velD
    p.writeInt32LE(Math.round(speed * 1000), 60); // gSpeed
    p.writeInt32LE(Math.round(course * 1e5), 64); // headMot
    p.writeUInt32LE(300, 68); // sAcc mm/s
    p.writeUInt32LE(speed > 0 ? 100_000 : 18_000_000, 72); // headAcc 1e-5 deg
    p.writeUInt16LE(180, 76); // pDOP 1.80
  } else {
    p.writeUInt32LE(0xffffffff >>> 0, 40);
    p.writeUInt32LE(0xffffffff >>> 0, 44);
    p.writeUInt16LE(9999, 76);
  }
  return p;
}

/** The geoid separation the NMEA sentences print (GGA field 11), metres. */
export const GEOID_M = 47;

/**
 * The chip's answer to one host frame: NAV-PVT to its poll, MON-VER to its poll, ACK-ACK to
 * any CFG message (configuration is accepted and not modelled); undefined: no answer (the
 * chip stays silent on what it does not know).
 */
export function answerUbx(frame: UbxFrame, pvt: () => Buffer, version: { sw: string; hw: string }): UbxFrame | undefined {
  if (frame.cls === UBX_NAV_PVT.cls && frame.id === UBX_NAV_PVT.id && frame.payload.length === 0) return { ...UBX_NAV_PVT, payload: pvt() };
  if (frame.cls === UBX_MON_VER.cls && frame.id === UBX_MON_VER.id && frame.payload.length === 0) {
    const sw = Buffer.alloc(30);
    sw.write(version.sw, 'latin1');
    const hw = Buffer.alloc(10);
    hw.write(version.hw, 'latin1');
    return { ...UBX_MON_VER, payload: Buffer.concat([sw, hw]) };
  }
  if (frame.cls === UBX_CFG) return { cls: UBX_ACK, id: 0x01, payload: Buffer.from([frame.cls, frame.id]) };
  return undefined;
}
