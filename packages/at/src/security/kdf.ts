import { hkdfSync } from 'node:crypto';

/**
 * The one key-derivation step of the key hierarchy (notes/security-service.md §5.1):
 * HKDF-SHA256 with the module's root secret as input key material. Every `info` label is
 * ASCII and namespaced `ubx-emu/...`, so keys for different purposes never coincide.
 */
export function deriveFromRoot(rootSecret: Uint8Array, salt: Uint8Array, info: string, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', rootSecret, salt, Buffer.from(info, 'ascii'), length));
}

/** A malformed key identity, blob or parameter; the message says which and why. */
export class SecurityFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecurityFormatError';
  }
}
