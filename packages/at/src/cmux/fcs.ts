/**
 * The 27.010 frame check sequence: CRC-8, polynomial x^8 + x^2 + x + 1, processed least
 * significant bit first (reflected polynomial 0xE0), initial value 0xFF, sent as its ones'
 * complement. A receiver that runs the CRC over the checked bytes AND the FCS gets 0xCF.
 */

/** 256-entry table of the reflected CRC-8 (the table 27.010 annex B prints). */
export const FCS_TABLE: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xe0 : crc >>> 1;
    table[i] = crc;
  }
  return table;
})();

/** What a correct FCS leaves in the CRC register. */
export const FCS_GOOD = 0xcf;

/** The raw CRC register after `bytes` (no complement), starting from `crc`. */
export function crcUpdate(bytes: Uint8Array, crc = 0xff, start = 0, end = bytes.length): number {
  for (let i = start; i < end; i++) crc = FCS_TABLE[(crc ^ bytes[i]!) & 0xff]!;
  return crc;
}

/** The FCS byte to send after `bytes`. */
export function fcsOf(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return 0xff - crcUpdate(bytes, 0xff, start, end);
}

/** True when `fcs` is the right check byte for `bytes`. */
export function fcsValid(bytes: Uint8Array, fcs: number, start = 0, end = bytes.length): boolean {
  return FCS_TABLE[(crcUpdate(bytes, 0xff, start, end) ^ fcs) & 0xff] === FCS_GOOD;
}
