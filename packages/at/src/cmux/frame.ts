/**
 * 27.010 basic-option frames: encode one frame to bytes. The streaming decoder is in
 * decoder.ts. Layout: F9 | address | control | length (1 or 2 bytes) | information | FCS | F9.
 * - address: bit 0 EA (always 1), bit 1 C/R, bits 2..7 DLCI (0..63);
 * - control: the frame type, bit 4 (0x10) the poll/final bit;
 * - length: bit 0 EA; EA=1 means one byte (0..127), EA=0 a second byte follows (up to 32767);
 * - FCS over address, control and length for UIH; over those and the information for the
 *   other types (27.010 5.2.1.6).
 */
import { fcsOf } from './fcs.js';

export const CMUX_FLAG = 0xf9;
/** Largest information field the two-byte length can carry. */
export const CMUX_MAX_LENGTH = 0x7fff;
/** 27.010's default N1 for the basic option (and u-blox's +CMUX default). */
export const CMUX_DEFAULT_N1 = 31;

/** Frame types, with the P/F bit cleared. */
export const FrameType = {
  SABM: 0x2f,
  UA: 0x63,
  DM: 0x0f,
  DISC: 0x43,
  UIH: 0xef,
  UI: 0x03,
} as const;
export type FrameTypeName = keyof typeof FrameType;
export const PF_BIT = 0x10;

const TYPE_BY_CODE = new Map<number, FrameTypeName>(
  (Object.entries(FrameType) as Array<[FrameTypeName, number]>).map(([name, code]) => [code, name]),
);

/** The frame type named by a control byte (P/F ignored), or undefined for an unknown type. */
export function frameTypeOf(control: number): FrameTypeName | undefined {
  return TYPE_BY_CODE.get(control & ~PF_BIT & 0xff);
}

export interface CmuxFrame {
  dlci: number;
  type: FrameTypeName;
  /** The C/R bit of the address (27.010 5.2.1.2: its meaning depends on who started the mux). */
  cr: boolean;
  /** The poll/final bit. */
  pf: boolean;
  /** The information field (empty for SABM/UA/DM/DISC). */
  data: Buffer;
}

export class CmuxEncodeError extends Error {
  override readonly name = 'CmuxEncodeError';
}

/** Bytes of one frame, flags included. Throws CmuxEncodeError on a DLCI or length out of range. */
export function encodeFrame(frame: CmuxFrame): Buffer {
  const { dlci, data } = frame;
  if (!Number.isInteger(dlci) || dlci < 0 || dlci > 63) throw new CmuxEncodeError(`DLCI out of range: ${dlci}`);
  // DLCI 62 with C/R=0 makes the address octet 0xF9, which the basic option (no
  // transparency) cannot tell from a flag: refuse it rather than send an undecodable frame.
  if (dlci === 62 && !frame.cr) throw new CmuxEncodeError('DLCI 62 with C/R=0 encodes as a flag octet');
  if (data.length > CMUX_MAX_LENGTH) throw new CmuxEncodeError(`information field too long: ${data.length}`);
  const longLength = data.length > 127;
  const headerLen = longLength ? 4 : 3;
  const out = Buffer.allocUnsafe(1 + headerLen + data.length + 2);
  out[0] = CMUX_FLAG;
  out[1] = (dlci << 2) | (frame.cr ? 0x02 : 0) | 0x01;
  out[2] = FrameType[frame.type] | (frame.pf ? PF_BIT : 0);
  if (longLength) {
    out[3] = (data.length & 0x7f) << 1;
    out[4] = data.length >> 7;
  } else {
    out[3] = (data.length << 1) | 0x01;
  }
  data.copy(out, 1 + headerLen);
  const checkedEnd = frame.type === 'UIH' ? 1 + headerLen : 1 + headerLen + data.length;
  out[1 + headerLen + data.length] = fcsOf(out, 1, checkedEnd);
  out[out.length - 1] = CMUX_FLAG;
  return out;
}

/**
 * Splits `data` into UIH frames of at most `n1` information bytes each (an empty `data`
 * gives no frame).
 */
export function encodeUih(dlci: number, data: Buffer, opts: { cr: boolean; n1?: number }): Buffer {
  const n1 = opts.n1 ?? CMUX_DEFAULT_N1;
  if (!Number.isInteger(n1) || n1 < 1 || n1 > CMUX_MAX_LENGTH) throw new CmuxEncodeError(`N1 out of range: ${n1}`);
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += n1) {
    parts.push(encodeFrame({ dlci, type: 'UIH', cr: opts.cr, pf: false, data: data.subarray(i, i + n1) }));
  }
  return Buffer.concat(parts);
}
