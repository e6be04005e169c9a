/**
 * The V2 pairing confirmation (notes §1.7): the host proves it holds the keys by sending
 * the 16-byte confirmation tag as a V2 body without framing, `IV || C || T` = 64 bytes,
 * in `AT+USECC2C=4,"<TE secret>","<128 hex>"`.
 */
import { randomBytes } from 'node:crypto';
import { decryptBody, encryptBody } from './body.js';
import { C2C_IV_BYTES, C2C_KEY_BYTES, type C2cKeys } from './keys.js';

export const C2C_CONFIRMATION_BYTES = 64;

export function encryptConfirmation(keys: C2cKeys, tag: Buffer, iv: Buffer = randomBytes(C2C_IV_BYTES)): Buffer {
  if (tag.length !== C2C_KEY_BYTES) throw new RangeError('C2C confirmation tag must be 16 bytes');
  return encryptBody({ ...keys, version: 2 }, tag, iv);
}

/** True when `blob` is the tag encrypted and MACed under `keys` (V2). */
export function confirmationMatches(keys: C2cKeys, tag: Buffer, blob: Buffer): boolean {
  if (blob.length !== C2C_CONFIRMATION_BYTES) return false;
  const plain = decryptBody({ ...keys, version: 2 }, blob);
  return Buffer.isBuffer(plain) && plain.equals(tag);
}
