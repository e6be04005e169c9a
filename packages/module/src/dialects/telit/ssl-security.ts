import { cme } from '../../engine/failure.js';
import type { ModuleHost } from '../../module-host.js';
import type { TlsProblem } from '../../services/tls/tls-problem.js';
import { TelitCme } from './errors.js';
import { SECURITY_DATA_NAMES, secureSocketTable, type SslChannel } from './ssl-state.js';

/** The hidden security profile that carries SSId 1's settings to the TLS service (#SSLD and FTPS alike). */
export const SSL_PROFILE = 0;

/**
 * #SSLSECCFG and the stored security data as the TLS service's input: the hidden profile
 * gets the suites (one, or what 0 proposes), chain validation for auth modes 1 and 2 with
 * the stored CA (which must be valid at the module's date), and the client certificate and
 * key for mode 2. Missing data: 837.
 */
export function applySslSecurity(module: ModuleHost, sec: SslChannel['security']): void {
  const table = secureSocketTable(module);
  const { certificates, securityProfiles: profiles } = module.services;
  const stored = (dataType: number) => {
    const item = SECURITY_DATA_NAMES[dataType]!;
    return certificates.get(item.type, item.name, 'user') !== undefined;
  };
  if (sec.authMode >= 1 && !stored(1)) throw cme(TelitCme.sslCertificates, 'no CA certificate stored');
  if (sec.authMode === 2 && (!stored(0) || !stored(2))) throw cme(TelitCme.sslCertificates, 'no client certificate or key stored');
  profiles.reset(SSL_PROFILE);
  if (sec.cipherSuite === 0) for (const code of table.defaultSuites) profiles.changeCipherList(SSL_PROFILE, code, 'add');
  else profiles.setIanaCipher(SSL_PROFILE, table.cipherSuites[sec.cipherSuite]!);
  profiles.set(SSL_PROFILE, 'validation', sec.authMode >= 1 ? 1 : 0);
  // Seed 003 §3.3.1: an expired (or not yet valid) CA at the module's date (#CCLK/#NITZ) fails the dial: 839.
  profiles.set(SSL_PROFILE, 'rootDates', sec.authMode >= 1);
  if (sec.authMode >= 1) profiles.set(SSL_PROFILE, 'rootCa', SECURITY_DATA_NAMES[1]!.name);
  if (sec.authMode === 2) {
    profiles.set(SSL_PROFILE, 'clientCert', SECURITY_DATA_NAMES[0]!.name);
    profiles.set(SSL_PROFILE, 'clientKey', SECURITY_DATA_NAMES[2]!.name);
  }
}

/**
 * A failed handshake's problem as Telit's SSL error: security data missing or unusable when
 * the module needs it (a CA or client identity the profile cannot load) is 837, "SSL
 * certificates or keys are missing"; every other handshake failure 839 (seed 003 §6).
 * #SSLD and FTPS share the table.
 */
const MISSING_SECURITY_DATA: ReadonlySet<TlsProblem> = new Set<TlsProblem>(['client-certificate', 'client-key', 'psk', 'ca-not-found']);

export function sslProblemCme(problem: TlsProblem | undefined): number {
  return problem && MISSING_SECURITY_DATA.has(problem) ? TelitCme.sslCertificates : TelitCme.sslHandshake;
}
