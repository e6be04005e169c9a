import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveFromRoot, SecurityFormatError } from './kdf.js';

/**
 * Local data protection (+USECDATAENC/+USECDATADEC, +USECFILEENC/+USECFILEDEC), notes §5.5.
 * The key never leaves the module: a clone with another root secret cannot read the data.
 *
 *   kLocal = HKDF(root, salt = "", "ubx-emu/local/v1", 32)
 *   blob   = 0x01 ‖ iv(12) ‖ AES-256-GCM(kLocal, iv, aad = 0x01)(pt) ‖ tag(16)     overhead 29
 */
export const LOCAL_FORMAT = 0x01;
export const LOCAL_OVERHEAD = 29;

export const localDataKey = (rootSecret: Uint8Array): Buffer => deriveFromRoot(rootSecret, Buffer.alloc(0), 'ubx-emu/local/v1', 32);

export function localEncrypt(rootSecret: Uint8Array, plaintext: Uint8Array, iv: Uint8Array = randomBytes(12)): Buffer {
  const format = Buffer.from([LOCAL_FORMAT]);
  const c = createCipheriv('aes-256-gcm', localDataKey(rootSecret), iv);
  c.setAAD(format);
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([format, iv, ct, c.getAuthTag()]);
}

/** SecurityFormatError when the blob is not ours, is cut short or was made by another root. */
export function localDecrypt(rootSecret: Uint8Array, blob: Uint8Array): Buffer {
  const b = Buffer.from(blob);
  if (b.length < LOCAL_OVERHEAD || b[0] !== LOCAL_FORMAT) throw new SecurityFormatError('not a local data protection blob');
  const d = createDecipheriv('aes-256-gcm', localDataKey(rootSecret), b.subarray(1, 13));
  d.setAAD(b.subarray(0, 1));
  d.setAuthTag(b.subarray(b.length - 16));
  const pt = d.update(b.subarray(13, b.length - 16));
  try {
    d.final();
  } catch {
    throw new SecurityFormatError('local data blob does not authenticate');
  }
  return pt;
}
