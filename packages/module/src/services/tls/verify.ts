import { isIP } from 'node:net';
import type { X509Certificate } from 'node:crypto';

/**
 * The server checks of a security profile, done by hand after the handshake (node:tls runs
 * with rejectUnauthorized:false): OpenSSL's authorizationError reports only its last error
 * and cannot ignore dates while checking the chain, which levels 1 and 2 need
 * (shared/spec/notes/node-platform.md §2.5).
 *
 *   level 0  nothing
 *   level 1  the chain ends at a trusted root (signatures and names; dates ignored)
 *   level 2  level 1 + the leaf matches the expected host name
 *   level 3  level 2 + every certificate of the path is valid at the module's time
 *   rootDates at levels 1 and 2: the trusted root the path ends at is valid at the
 *            module's time (products that check their stored CA's dates only: Telit)
 *   pinning  at any level: the leaf matches the pinned certificate (op 12)
 */
export type VerifyFailure = 'no-certificate' | 'unknown-ca' | 'hostname' | 'expired' | 'not-yet-valid' | 'pin-mismatch';

export type Verdict = { ok: true; path: X509Certificate[] } | { ok: false; failure: VerifyFailure; message: string };

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
}

const MAX_DEPTH = 10;

export function verifyServer(input: VerifyInput): Verdict {
  const leaf = input.chain[0];
  if (!leaf) {
    if (input.level === 0 && !input.pin) return { ok: true, path: [] };
    return fail('no-certificate', 'the server sent no certificate');
  }
  let path: X509Certificate[] = [leaf];
  if (input.level >= 1) {
    const built = buildPath(leaf, input.chain.slice(1), input.trusted);
    if (!built) return fail('unknown-ca', `no trusted root for "${leaf.subject.replace(/\n/g, ', ')}"`);
    path = built;
  }
  if (input.level >= 2 && !matchesHost(leaf, input.hostname)) return fail('hostname', `certificate does not match "${input.hostname}"`);
  const dated = input.level >= 3 ? path : input.level >= 1 && input.rootDates ? path.slice(-1) : [];
  for (const cert of dated) {
    if (input.now < Date.parse(cert.validFrom)) return fail('not-yet-valid', `certificate not valid before ${cert.validFrom}`);
    if (input.now > Date.parse(cert.validTo)) return fail('expired', `certificate expired ${cert.validTo}`);
  }
  if (input.pin && !pinMatches(leaf, input.pin)) return fail('pin-mismatch', 'server certificate does not match the pinned one');
  return { ok: true, path };
}

function fail(failure: VerifyFailure, message: string): Verdict {
  return { ok: false, failure, message };
}

/** Leaf → (presented intermediates) → trusted root, checking names and signatures, not dates. */
export function buildPath(leaf: X509Certificate, presented: readonly X509Certificate[], trusted: readonly X509Certificate[]): X509Certificate[] | undefined {
  const path = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (trusted.some((t) => t.raw.equals(current.raw))) return path;
    const anchor = trusted.find((t) => issuedBy(current, t));
    if (anchor) return [...path, anchor];
    const next = presented.find((c) => !path.includes(c) && issuedBy(current, c));
    if (!next) return undefined;
    path.push(next);
    current = next;
  }
  return undefined;
}

function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
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
