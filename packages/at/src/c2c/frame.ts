/**
 * C2C framing (notes/c2c-and-host-libraries.md §1.3):
 * `F9 | len (2, little-endian, body only) | body | FCS (2, little-endian, over len+body) | F9`.
 * No byte stuffing: 0xF9 may appear anywhere inside; the length field finds the end.
 */
import { encryptBody } from './body.js';
import { fcs16 } from './fcs16.js';
import type { C2cKeys } from './keys.js';

export const C2C_FLAG = 0xf9;

/** Frames one body. */
export function encodeC2cFrame(body: Uint8Array): Buffer {
  if (body.length > 0xffff) throw new RangeError('C2C body longer than the 16-bit length field');
  const out = Buffer.alloc(body.length + 6);
  out[0] = C2C_FLAG;
  out.writeUInt16LE(body.length, 1);
  out.set(body, 3);
  out.writeUInt16LE(fcs16(out.subarray(1, 3 + body.length)), 3 + body.length);
  out[out.length - 1] = C2C_FLAG;
  return out;
}

/**
 * Encrypts and frames `data` as the sender does on a flush (notes §1.8): frames of at most
 * `maxPlain` plaintext bytes each, in order. Empty data sends nothing. `ivs` only for
 * known-answer tests.
 */
export function sealFrames(keys: C2cKeys, data: Uint8Array, maxPlain: number, ivs?: () => Buffer): Buffer {
  const frames: Buffer[] = [];
  for (let at = 0; at < data.length; at += maxPlain) {
    frames.push(encodeC2cFrame(encryptBody(keys, data.subarray(at, at + maxPlain), ivs?.())));
  }
  return frames.length === 1 ? frames[0]! : Buffer.concat(frames);
}
