import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { KeyServiceError, requireFeature } from './key-service-error.js';
import type { SecurityState, ZtpCredentials } from './security-state.js';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The certificates of a PEM bundle, in order. */
export function pemCertificates(pem: string): X509Certificate[] {
  return (pem.match(PEM_CERTIFICATE) ?? []).map((c) => new X509Certificate(c));
}

/**
 * Zero-touch provisioning credentials (seed 001 §7.1, notes §1.6/§5.6): the device key,
 * certificate and CA chain delivered at sealing or by a heartbeat (`security.record.ztp`,
 * written by the bootstrap/heartbeat client). Read by +USECDEVCERT and used by +USECPRF
 * op 14 as TLS client credentials. Gated by the ZTP feature.
 */
export class ZtpService {
  constructor(private readonly security: SecurityState) {}

  /** Which parts are present (seed: `AT+USECDEVCERT?`). Gated like the reads. */
  status(): { key: boolean; certificate: boolean; caChain: boolean } {
    requireFeature(this.security, 'ZTP');
    const z = this.security.record.ztp;
    return { key: !!z?.key, certificate: !!z?.certificate, caChain: !!z?.caChain };
  }

  credentials(): ZtpCredentials {
    requireFeature(this.security, 'ZTP');
    const z = this.security.record.ztp;
    if (!z || !z.key || !z.certificate) throw new KeyServiceError('not-provisioned', 'no ZTP credentials delivered yet');
    return { ...z };
  }

  /**
   * TLS client credentials for op 14: level 1 sends the device certificate and its CA chain,
   * level 2 the device certificate alone. Undefined when the feature may not be used now or
   * nothing was delivered.
   */
  forTls(level: number): { chain: X509Certificate[]; key: KeyObject } | undefined {
    let z: ZtpCredentials;
    try {
      z = this.credentials();
    } catch {
      return undefined;
    }
    const leaf = pemCertificates(z.certificate);
    if (leaf.length === 0) return undefined;
    const chain = level === 1 ? [...leaf, ...pemCertificates(z.caChain)] : leaf;
    return { chain, key: createPrivateKey(z.key) };
  }
}
