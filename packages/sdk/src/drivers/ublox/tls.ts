import type { ModemTls, TlsSettings } from '../../modem.js';
import type { UbloxSecurityProfiles } from './security-profiles.js';

/**
 * The vendor-neutral TLS slots over u-blox security profiles 0-4: the CA gives validation
 * level 1 (chain), a hostname level 2 (chain and name, also sent as SNI).
 */
export class UbloxTls implements ModemTls {
  readonly profiles = [0, 1, 2, 3, 4] as const;

  constructor(private readonly securityProfiles: UbloxSecurityProfiles) {}

  async configure(profile: number, s: TlsSettings): Promise<void> {
    if (!this.profiles.includes(profile as 0)) throw new RangeError(`u-blox security profiles are 0-4, not ${profile}`);
    if ((s.clientCert === undefined) !== (s.clientKey === undefined)) throw new TypeError('mutual TLS needs both clientCert and clientKey');
    if (s.hostname !== undefined && s.ca === undefined) throw new TypeError('a hostname check needs a CA');
    await this.securityProfiles.reset(profile);
    await this.securityProfiles.configure(profile, {
      validation: s.ca === undefined ? 0 : s.hostname === undefined ? 1 : 2,
      ...(s.ca !== undefined ? { rootCa: s.ca } : {}),
      ...(s.hostname !== undefined ? { hostname: s.hostname, sni: s.hostname } : {}),
      ...(s.clientCert !== undefined ? { clientCert: s.clientCert, clientKey: s.clientKey! } : {}),
      ...(s.cipherSuite !== undefined ? { cipherSuite: { iana: s.cipherSuite } } : {}),
    });
  }
}
