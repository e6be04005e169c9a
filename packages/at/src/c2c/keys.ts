/**
 * The key material of one chip-to-chip pairing (notes/c2c-and-host-libraries.md §1.1), and
 * the sizes both ends agree on. All keys are 16 bytes; V2 pairings add an HMAC key.
 */

export type C2cVersion = 1 | 2;

export const C2C_KEY_BYTES = 16;
export const C2C_IV_BYTES = 16;
export const C2C_V2_TAG_BYTES = 16;
export const C2C_V1_HASH_BYTES = 32;

/** Plaintext bytes per host-to-module frame: 256 padded, padding adds at least one (notes §1.8). */
export const C2C_HOST_MAX_PLAIN = 255;
/** Plaintext bytes per module-to-host frame: a 1024-byte +USORD payload and its AT overhead (notes §1.8). */
export const C2C_MODULE_MAX_PLAIN = 1024 + 16;

export interface C2cKeys {
  version: C2cVersion;
  /** The terminal's 16-byte secret: sent at open, never in a frame; the V2 MAC covers it. */
  teSecret: Buffer;
  /** AES-128 key. */
  encKey: Buffer;
  /** HMAC-SHA256 key (V2 only). */
  hmacKey?: Buffer;
}

/** Framing overhead in bytes: flag, length (2), FCS (2), flag. */
export const C2C_FRAME_OVERHEAD = 6;

/** Body bytes around the padded plaintext: IV and, per version, hash or truncated HMAC. */
export function bodyOverhead(version: C2cVersion): number {
  return C2C_IV_BYTES + (version === 1 ? C2C_V1_HASH_BYTES : C2C_V2_TAG_BYTES);
}

/** The largest body a receiver accepts for frames of at most `maxPlain` plaintext bytes (notes §1.8). */
export function maxBodyFor(version: C2cVersion, maxPlain: number): number {
  const padded = (Math.floor(maxPlain / 16) + 1) * 16;
  return padded + bodyOverhead(version);
}

/** Throws if a key set is not usable for its version (a programming error, not input). */
export function checkKeys(keys: C2cKeys): void {
  if (keys.teSecret.length !== C2C_KEY_BYTES) throw new RangeError('C2C TE secret must be 16 bytes');
  if (keys.encKey.length !== C2C_KEY_BYTES) throw new RangeError('C2C encryption key must be 16 bytes');
  if (keys.version === 2 && keys.hmacKey?.length !== C2C_KEY_BYTES) throw new RangeError('C2C V2 needs a 16-byte HMAC key');
}
