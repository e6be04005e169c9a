import { derivePsk, devIdxOf, pskIdentity, type PskLength } from '@modemlab/at';
import type { RootOfTrust } from '../rot/root-of-trust.js';
import { requireFeature } from './key-service-error.js';
import type { SecurityState } from './security-state.js';

export interface RotPsk {
  identity: Buffer;
  psk: Buffer;
}

/** What +USECPRF op 11 asks the cloud for (seed 001 §6.1.1.2, notes §5.4): a 256-bit PSK. */
export const TLS_PSK_LENGTH: PskLength = 32;

/**
 * RoT-generated PSKs (seed 001 §6.1, +USECPSK and +USECPRF op 11): a fresh identity per call
 * (device index and a random salt), the PSK derived from the root secret so the cloud's
 * GetPSK regenerates it from the identity alone. Gated by the PSK feature.
 */
export class PskService {
  constructor(
    private readonly rot: RootOfTrust,
    private readonly security: SecurityState,
  ) {}

  /** Throws KeyServiceError when the PSK feature may not be used now. */
  check(): void {
    requireFeature(this.security, 'PSK');
  }

  generate(length: PskLength): RotPsk {
    this.check();
    const identity = pskIdentity(devIdxOf(this.rot.uid));
    return { identity, psk: derivePsk(this.rot.secret, identity, length) };
  }

  /**
   * For a (D)TLS handshake of a profile with op 11: the identity goes on the wire as its
   * uppercase hex text (what the seed's server receives and sends to GetPSK as KeyID).
   * Undefined when the feature may not be used now.
   */
  forHandshake(): { psk: Buffer; identity: string } | undefined {
    try {
      const g = this.generate(TLS_PSK_LENGTH);
      return { psk: g.psk, identity: g.identity.toString('hex').toUpperCase() };
    } catch {
      return undefined;
    }
  }
}
