import { createECDH, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { deriveFromRoot } from './kdf.js';

/**
 * The module's ZTP key pair (notes §5.6): EC P-256, derived from the root secret and a
 * generation number, so a module regenerates the same key after a reboot and a new
 * generation gives a new key. The scalar is HKDF output reduced into [1, n-1] with 64 extra
 * bits (FIPS 186-5 A.2.1 style), so it is uniform enough and never zero.
 */
const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

export interface ZtpKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function ztpPrivateScalar(rootSecret: Uint8Array, generation: number): Buffer {
  const okm = deriveFromRoot(rootSecret, Buffer.alloc(0), `ubx-emu/ztp/key/${generation}`, 40);
  const d = (BigInt(`0x${okm.toString('hex')}`) % (P256_ORDER - 1n)) + 1n;
  return Buffer.from(d.toString(16).padStart(64, '0'), 'hex');
}

export function ztpKeyPair(rootSecret: Uint8Array, generation = 0): ZtpKeyPair {
  const d = ztpPrivateScalar(rootSecret, generation);
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  const point = ecdh.getPublicKey(); // 0x04 ‖ x(32) ‖ y(32)
  const jwk = { kty: 'EC', crv: 'P-256', d: d.toString('base64url'), x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') };
  const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}
