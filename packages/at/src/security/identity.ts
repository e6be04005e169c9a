import { SecurityFormatError } from './kdf.js';

/**
 * Key identities (PSK ids, E2E headers) name their device by `devIdx`: the low 6 bytes of
 * the 8-byte RoT public UID (notes §5.1). The emulated manufacturer keeps those 6 bytes
 * unique, so the cloud finds the device — and its root secret — from the identity alone.
 */
export const ROT_UID_BYTES = 8;
export const DEV_IDX_BYTES = 6;

/** `devIdx` of a RoT UID given as 16 hex chars (any case). */
export function devIdxOf(rotUid: string): Buffer {
  if (!/^[0-9a-fA-F]{16}$/.test(rotUid)) throw new SecurityFormatError('ROTPublicUID must be 16 hex characters');
  return Buffer.from(rotUid, 'hex').subarray(ROT_UID_BYTES - DEV_IDX_BYTES);
}

/** The uppercase hex suffix a RoT UID ends with when it has this devIdx (how the cloud looks it up). */
export function rotUidSuffixOf(devIdx: Uint8Array): string {
  if (devIdx.length !== DEV_IDX_BYTES) throw new SecurityFormatError(`devIdx must be ${DEV_IDX_BYTES} bytes`);
  return Buffer.from(devIdx).toString('hex').toUpperCase();
}
