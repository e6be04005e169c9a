import { localDecrypt, localEncrypt, LOCAL_OVERHEAD, SecurityFormatError } from '@modemlab/at';
import type { RootOfTrust } from '../rot/root-of-trust.js';
import { KeyServiceError, requireFeature } from './key-service-error.js';
import type { SecurityState } from './security-state.js';

/**
 * Local data protection (seed 001 §5.2, notes §5.5): AES-256-GCM under a key derived from
 * the root secret, which never leaves the module. A clone's copy of the blob, or another
 * module's, does not decrypt. Gated by the LocalDataProtection feature.
 */
export class LocalDataService {
  constructor(
    private readonly rot: RootOfTrust,
    private readonly security: SecurityState,
  ) {}

  /** Throws KeyServiceError when the feature may not be used now. */
  check(): void {
    requireFeature(this.security, 'LocalDataProtection');
  }

  /** Whether the feature may be used now (no throw). */
  get available(): boolean {
    try {
      this.check();
      return true;
    } catch {
      return false;
    }
  }

  encrypt(plaintext: Buffer): Buffer {
    this.check();
    return localEncrypt(this.rot.secret, plaintext);
  }

  /** The plaintext; KeyServiceError 'bad-data' when the blob is not this module's. */
  decrypt(blob: Buffer): Buffer {
    this.check();
    if (blob.length < LOCAL_OVERHEAD) throw new KeyServiceError('bad-data', 'too short for a local data blob');
    try {
      return localDecrypt(this.rot.secret, blob);
    } catch (err) {
      if (err instanceof SecurityFormatError) throw new KeyServiceError('bad-data', err.message);
      throw err;
    }
  }
}
