import { randomBytes } from 'node:crypto';
import { DEV_IDX_BYTES } from './identity.js';
import { deriveFromRoot, SecurityFormatError } from './kdf.js';

/**
 * RoT-generated PSKs (notes §5.4): the identity names the device and a random salt; the
 * PSK is derived from the root secret and the identity, so the cloud (GetPSK) regenerates
 * it from the identity alone, "without having to communicate with the module".
 *
 *   pskId = 0x11 ‖ 0x01 ‖ devIdx(6) ‖ salt(6)          14 bytes, like the real sample
 *   psk   = HKDF(rootSecret, salt = pskId, info = "ubx-emu/psk/" ‖ byte(len), len)
 *
 * The length is not in the identity: GetPSK takes it as KeyLength (seed 001).
 */
export const PSK_ID_FORMAT = 0x11;
export const PSK_ID_KEY_SET = 0x01;
export const PSK_ID_BYTES = 14;
export const PSK_SALT_BYTES = 6;
export const PSK_LENGTHS = [16, 32] as const;
export type PskLength = (typeof PSK_LENGTHS)[number];

export function pskIdentity(devIdx: Uint8Array, salt: Uint8Array = randomBytes(PSK_SALT_BYTES)): Buffer {
  if (devIdx.length !== DEV_IDX_BYTES) throw new SecurityFormatError(`devIdx must be ${DEV_IDX_BYTES} bytes`);
  if (salt.length !== PSK_SALT_BYTES) throw new SecurityFormatError(`PSK salt must be ${PSK_SALT_BYTES} bytes`);
  return Buffer.concat([Buffer.from([PSK_ID_FORMAT, PSK_ID_KEY_SET]), devIdx, salt]);
}

/** The device part of a PSK identity; SecurityFormatError if it is not one of ours. */
export function parsePskIdentity(id: Uint8Array): { devIdx: Buffer; salt: Buffer } {
  if (id.length !== PSK_ID_BYTES || id[0] !== PSK_ID_FORMAT || id[1] !== PSK_ID_KEY_SET) {
    throw new SecurityFormatError(`not a PSK identity (${PSK_ID_BYTES} bytes starting 1101)`);
  }
  const b = Buffer.from(id);
  return { devIdx: b.subarray(2, 2 + DEV_IDX_BYTES), salt: b.subarray(2 + DEV_IDX_BYTES) };
}

export function derivePsk(rootSecret: Uint8Array, pskId: Uint8Array, length: PskLength): Buffer {
  if (!PSK_LENGTHS.includes(length)) throw new SecurityFormatError('PSK length must be 16 or 32');
  parsePskIdentity(pskId);
  return deriveFromRoot(rootSecret, pskId, `ubx-emu/psk/${String.fromCharCode(length)}`, length);
}
