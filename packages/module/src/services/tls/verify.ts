import { isIP } from 'node:net';
import type { X509Certificate } from 'node:crypto';
import type { CertificateRules } from '../../models/certificate-rules.js';
import { validatePath, type PathFailure } from './path-validation.js';

/**
 * The server checks of a security profile, done after the handshake (node:tls runs with
 * rejectUnauthorized:false): OpenSSL's authorizationError reports only its last error and
 * cannot ignore dates while checking the chain, which levels 1 and 2 need
 * (shared/spec/notes/node-platform.md §2.5). The path itself is validated by
 * path-validation.ts (RFC 5280 without dates, plus the product's algorithm rules); this
 * file adds what the profile's level decides.
 *
 *   level 0  nothing
 *   level 1  RFC 5280 path validation to a trusted root: signatures, basicConstraints and
 *            pathLenConstraint, keyUsage/extendedKeyUsage (serverAuth), name constraints,
 *            critical extensions, the product's signature algorithms; dates ignored
 *   level 2  level 1 + the leaf matches the expected host name
 *   level 3  level 2 + every certificate of the path is valid at the module's time
 *   rootDates at levels 1 and 2: the trusted root the path ends at is valid at the
 *            module's time (products that check their stored CA's dates only: Telit)
 *   pinning  at any level: the leaf matches the pinned certificate (op 12)
 *
 * A self-signed leaf passes level 1 and above only when the store holds that very
 * certificate as a trusted root (then it is its own path); at level 0 it passes as any.
 */
export type VerifyFailure = 'no-certificate' | PathFailure | 'hostname' | 'expired' | 'not-yet-valid' | 'pin-mismatch';

export type Verdict =
  | { ok: true; path: X509Certificate[] }
  | { ok: false; failure: VerifyFailure; message: string; /** Position in the path of the certificate at fault (0 = leaf). */ depth?: number };

export interface PinSpec {
  certificate: X509Certificate;
  /** 0 public key information, 1 public key bytes, 2 certificate bytes. */
  level: number;
}

export interface VerifyInput {
  level: number;
  /** What the server presented, leaf first. */
  chain: readonly X509Certificate[];
  /** Trusted roots the profile allows. */
  trusted: readonly X509Certificate[];
  /** Name the leaf must match at levels 2 and 3 (a DNS name or an IP address). */
  hostname: string;
  /** The module's time, ms since the epoch. */
  now: number;
  /** Levels 1-2: the root the path ends at must be valid at `now` too. */
  rootDates?: boolean;
  pin?: PinSpec;
  /** The product's signature algorithms and key sizes; without it, any RFC 5280 algorithm. */
  rules?: CertificateRules;
}

/** Every algorithm and key: what a validator without product rules accepts. */
export const ANY_ALGORITHM: CertificateRules = {
  digests: ['md2', 'md4', 'md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'none'],
  keys: ['rsa', 'rsa-pss', 'ecdsa', 'dsa', 'ed25519', 'ed448'],
  minRsaBits: 0,
  minEcBits: 0,
};

export function verifyServer(input: VerifyInput): Verdict {
  const leaf = input.chain[0];
  if (!leaf) {
    if (input.level === 0 && !input.pin) return { ok: true, path: [] };
    return fail('no-certificate', 'the server sent no certificate');
  }
  let path: X509Certificate[] = [leaf];
  if (input.level >= 1) {
    const result = validatePath({ chain: input.chain, trusted: input.trusted, rules: input.rules ?? ANY_ALGORITHM });
    if (!result.ok) return fail(result.failure, result.message, result.depth);
    path = result.path.map((c) => c.x509);
  }
  if (input.level >= 2 && !matchesHost(leaf, input.hostname)) return fail('hostname', `certificate does not match "${input.hostname}"`, 0);
  const dated = input.level >= 3 ? path : input.level >= 1 && input.rootDates ? path.slice(-1) : [];
  for (const cert of dated) {
    const depth = path.indexOf(cert);
    if (input.now < Date.parse(cert.validFrom)) return fail('not-yet-valid', `certificate ${subject(cert)} not valid before ${cert.validFrom}`, depth);
    if (input.now > Date.parse(cert.validTo)) return fail('expired', `certificate ${subject(cert)} expired ${cert.validTo}`, depth);
  }
  if (input.pin && !pinMatches(leaf, input.pin)) return fail('pin-mismatch', 'server certificate does not match the pinned one', 0);
  return { ok: true, path };
}

function fail(failure: VerifyFailure, message: string, depth?: number): Verdict {
  return { ok: false, failure, message, ...(depth !== undefined ? { depth } : {}) };
}

function subject(cert: X509Certificate): string {
  return `"${cert.subject.replace(/\n/g, ', ')}"`;
}

export function matchesHost(leaf: X509Certificate, hostname: string): boolean {
  if (!hostname) return false;
  const bare = hostname.replace(/^\[|\]$/g, '');
  return isIP(bare) ? leaf.checkIP(bare) !== undefined : leaf.checkHost(bare) !== undefined;
}

export function pinMatches(leaf: X509Certificate, pin: PinSpec): boolean {
  switch (pin.level) {
    case 0: {
      // The key's parameters (modulus and exponent, curve and point), whatever their encoding.
      const a = leaf.publicKey.export({ format: 'jwk' });
      const b = pin.certificate.publicKey.export({ format: 'jwk' });
      return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
    }
    case 1:
      return leaf.publicKey.export({ type: 'spki', format: 'der' }).equals(pin.certificate.publicKey.export({ type: 'spki', format: 'der' }));
    default:
      return leaf.raw.equals(pin.certificate.raw);
  }
}

function sorted(o: object): [string, unknown][] {
  return Object.entries(o).sort(([a], [b]) => a.localeCompare(b));
}
