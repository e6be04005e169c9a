/**
 * Messages on the 27.010 control channel (DLCI 0, carried in UIH frames), 5.4.6.
 * Each message: type octet (bit 0 EA=1, bit 1 C/R: 1 command / 0 response, bits 2..7 the
 * type), a length with EA extension, then the value octets. One UIH frame may carry
 * several messages.
 */

/** Type codes (the type octet with EA and C/R cleared). */
export const ControlType = {
  PN: 0x80,
  PSC: 0x40,
  CLD: 0xc0,
  TEST: 0x20,
  FCON: 0xa0,
  FCOFF: 0x60,
  MSC: 0xe0,
  NSC: 0x10,
  RPN: 0x90,
  RLS: 0x50,
  SNC: 0xd0,
} as const;
export type ControlTypeName = keyof typeof ControlType;

const NAME_BY_CODE = new Map<number, ControlTypeName>(
  (Object.entries(ControlType) as Array<[ControlTypeName, number]>).map(([name, code]) => [code, name]),
);

export interface ControlMessage {
  /** The type name, or undefined for a type this codec does not know (answer it with NSC). */
  type: ControlTypeName | undefined;
  /** The type octet as received (needed to answer an unknown type with NSC). */
  typeOctet: number;
  /** True for a command, false for a response. */
  command: boolean;
  value: Buffer;
}

export class ControlDecodeError extends Error {
  override readonly name = 'ControlDecodeError';
}

/** Encodes one message. */
export function encodeControl(type: ControlTypeName, command: boolean, value: Buffer = Buffer.alloc(0)): Buffer {
  return encodeControlOctet(ControlType[type] | (command ? 0x02 : 0) | 0x01, value);
}

/** Encodes one message from its raw type octet (NSC echoes an unknown one). */
export function encodeControlOctet(typeOctet: number, value: Buffer): Buffer {
  const len: number[] = [];
  let n = value.length;
  // Length octets: 7 bits each, least significant first, EA=1 on the last.
  do {
    len.push((n & 0x7f) << 1);
    n >>= 7;
  } while (n > 0);
  len[len.length - 1]! |= 0x01;
  return Buffer.concat([Buffer.from([typeOctet, ...len]), value]);
}

/**
 * Decodes every message in a control-channel UIH payload. Throws ControlDecodeError when a
 * message is cut short (a truncated length or value), so the caller can drop the frame.
 */
export function decodeControl(payload: Buffer): ControlMessage[] {
  const out: ControlMessage[] = [];
  let i = 0;
  while (i < payload.length) {
    let typeOctet = payload[i++]!;
    // Extended type octets (EA=0) are legal but unused; skip to the last one.
    while ((typeOctet & 0x01) === 0) {
      if (i >= payload.length) throw new ControlDecodeError('control message type cut short');
      typeOctet = payload[i++]!;
    }
    let length = 0;
    let shift = 0;
    for (;;) {
      if (i >= payload.length) throw new ControlDecodeError('control message length cut short');
      const b = payload[i++]!;
      length |= (b >> 1) << shift;
      shift += 7;
      if (b & 0x01) break;
      if (shift > 21) throw new ControlDecodeError('control message length too long');
    }
    if (i + length > payload.length) throw new ControlDecodeError(`control message value cut short (${length} announced)`);
    out.push({
      type: NAME_BY_CODE.get(typeOctet & 0xfc),
      typeOctet,
      command: (typeOctet & 0x02) !== 0,
      value: Buffer.from(payload.subarray(i, i + length)),
    });
    i += length;
  }
  return out;
}

/** V.24 signals of an MSC message (5.4.6.3.7). */
export interface ModemSignals {
  /** Flow control: 1 = the sender cannot accept frames. */
  fc: boolean;
  /** Ready to communicate (DSR/DTR). */
  rtc: boolean;
  /** Ready to receive (RTS/CTS). */
  rtr: boolean;
  /** Incoming call indicator (RI). */
  ic: boolean;
  /** Data valid (DCD). */
  dv: boolean;
}

export interface MscValue {
  dlci: number;
  signals: ModemSignals;
  /** The break octet, when present. */
  breakOctet?: number;
}

export function encodeMsc(msc: MscValue): Buffer {
  const s = msc.signals;
  const hasBreak = msc.breakOctet !== undefined;
  // EA of the signals octet is 0 when a break octet follows.
  const signals = (hasBreak ? 0 : 0x01) | (s.fc ? 0x02 : 0) | (s.rtc ? 0x04 : 0) | (s.rtr ? 0x08 : 0) | (s.ic ? 0x40 : 0) | (s.dv ? 0x80 : 0);
  const bytes = [(msc.dlci << 2) | 0x03, signals];
  if (hasBreak) bytes.push(msc.breakOctet! | 0x01);
  return Buffer.from(bytes);
}

/** Decodes an MSC value; throws ControlDecodeError if it is shorter than 2 octets. */
export function decodeMsc(value: Buffer): MscValue {
  if (value.length < 2) throw new ControlDecodeError(`MSC value too short: ${value.length} octets`);
  const s = value[1]!;
  return {
    dlci: value[0]! >> 2,
    signals: { fc: (s & 0x02) !== 0, rtc: (s & 0x04) !== 0, rtr: (s & 0x08) !== 0, ic: (s & 0x40) !== 0, dv: (s & 0x80) !== 0 },
    ...(value.length >= 3 && (s & 0x01) === 0 ? { breakOctet: value[2]! } : {}),
  };
}
