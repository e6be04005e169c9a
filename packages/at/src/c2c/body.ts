/**
 * The encrypted body of a C2C frame (notes/c2c-and-host-libraries.md §1.6):
 *
 * - V1, hash then encrypt: `AES-128-CBC(K, IV, P || SHA256(P)) || IV`, the IV last, the
 *   "MAC" an unkeyed SHA-256 of the padded plaintext.
 * - V2, encrypt then MAC: `IV || C || first16(HMAC-SHA256(H, IV || C || S))` with
 *   `C = AES-128-CBC(K, IV, P)` and S the TE secret (never sent).
 *
 * `P` is the plaintext padded to 16 (padding.ts); the cipher adds no padding of its own.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { pad16, unpad16 } from './padding.js';
import { C2C_IV_BYTES, C2C_V1_HASH_BYTES, C2C_V2_TAG_BYTES, type C2cKeys } from './keys.js';

function cbc(encrypt: boolean, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const c = encrypt ? createCipheriv('aes-128-cbc', key, iv) : createDecipheriv('aes-128-cbc', key, iv);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

function v2Tag(keys: C2cKeys, ivAndCipher: Buffer): Buffer {
  return createHmac('sha256', keys.hmacKey!).update(ivAndCipher).update(keys.teSecret).digest().subarray(0, C2C_V2_TAG_BYTES);
}

/** Encrypts one chunk of plaintext into a body; `iv` only for known-answer tests (random otherwise). */
export function encryptBody(keys: C2cKeys, plaintext: Uint8Array, iv: Buffer = randomBytes(C2C_IV_BYTES)): Buffer {
  const p = pad16(plaintext);
  if (keys.version === 1) {
    const hash = createHash('sha256').update(p).digest();
    return Buffer.concat([cbc(true, keys.encKey, iv, Buffer.concat([p, hash])), iv]);
  }
  const ivc = Buffer.concat([iv, cbc(true, keys.encKey, iv, p)]);
  return Buffer.concat([ivc, v2Tag(keys, ivc)]);
}

/** Why a body was refused. */
export type BodyRejection = 'length' | 'mac' | 'padding';

/**
 * The plaintext of a body, or why it is refused: a length that cannot be a body of this
 * version, a MAC (V2) or hash (V1) that does not check, or bad padding under a good MAC.
 * V2 checks the MAC before decrypting anything.
 */
export function decryptBody(keys: C2cKeys, body: Buffer): Buffer | BodyRejection {
  if (keys.version === 1) {
    const enc = body.length - C2C_IV_BYTES;
    if (enc < 16 + C2C_V1_HASH_BYTES || enc % 16 !== 0) return 'length';
    const iv = body.subarray(enc);
    const plain = cbc(false, keys.encKey, iv, body.subarray(0, enc));
    const p = plain.subarray(0, plain.length - C2C_V1_HASH_BYTES);
    const hash = plain.subarray(plain.length - C2C_V1_HASH_BYTES);
    if (!timingSafeEqual(hash, createHash('sha256').update(p).digest())) return 'mac';
    return unpad16(p) ?? 'padding';
  }
  const enc = body.length - C2C_IV_BYTES - C2C_V2_TAG_BYTES;
  if (enc < 16 || enc % 16 !== 0) return 'length';
  const ivc = body.subarray(0, body.length - C2C_V2_TAG_BYTES);
  if (!timingSafeEqual(body.subarray(ivc.length), v2Tag(keys, ivc))) return 'mac';
  const plain = cbc(false, keys.encKey, body.subarray(0, C2C_IV_BYTES), body.subarray(C2C_IV_BYTES, ivc.length));
  return unpad16(plain) ?? 'padding';
}
