import { readUint, uintOption } from './message.js';

/** A Block1/Block2 option value (RFC 7959 §2.2): block number, more flag, size exponent. */
export interface Block {
  num: number;
  more: boolean;
  /** SZX 0-6: the block is 2^(szx+4) bytes (16..1024). */
  szx: number;
}

export const blockSize = (szx: number): number => 1 << (szx + 4);

export function encodeBlock(b: Block): Buffer {
  return uintOption(b.num * 16 + (b.more ? 8 : 0) + b.szx);
}

export function decodeBlock(value: Buffer): Block {
  const n = readUint(value);
  return { num: Math.floor(n / 16), more: (n & 8) !== 0, szx: n & 7 };
}
