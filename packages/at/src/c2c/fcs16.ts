/**
 * The C2C frame check sequence: RFC 1662's 16-bit FCS (CRC-16/X-25: reflected polynomial
 * 0x8408, initial 0xFFFF, one's complement at the end), the one ubxlib's C2C code uses
 * (notes/c2c-and-host-libraries.md §1.4). Sent little-endian. Written here rather than taken
 * from a CRC package: it is a 256-entry table and three lines, and the frame codec must
 * stay free of dependencies (packages/at imports nothing).
 */

/** RFC 1662 `fcstab`, generated from the reflected polynomial. */
const TABLE: Uint16Array = (() => {
  const t = new Uint16Array(256);
  for (let b = 0; b < 256; b++) {
    let v = b;
    for (let i = 0; i < 8; i++) v = v & 1 ? (v >>> 1) ^ 0x8408 : v >>> 1;
    t[b] = v;
  }
  return t;
})();

/** RFC 1662 §C.2 "good final FCS": what the un-complemented FCS over data plus its FCS leaves. */
export const FCS16_GOOD = 0xf0b8;

/** The running (un-complemented) FCS over `bytes`, from `fcs` (0xFFFF to start). */
export function fcs16Update(fcs: number, bytes: Uint8Array): number {
  let v = fcs;
  for (let i = 0; i < bytes.length; i++) v = (v >>> 8) ^ TABLE[(v ^ bytes[i]!) & 0xff]!;
  return v;
}

/** The FCS to send after `bytes` (complemented). */
export function fcs16(bytes: Uint8Array): number {
  return fcs16Update(0xffff, bytes) ^ 0xffff;
}
