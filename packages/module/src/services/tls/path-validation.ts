import type { X509Certificate } from 'node:crypto';
import type { CertificateRules } from '../../models/certificate-rules.js';
import { certFacts, CertificateDecodeError, OID, type CertFacts } from './cert-facts.js';
import { violatesNameConstraints } from './name-constraints.js';

/**
 * RFC 5280 §6.1 path validation of a TLS server's chain, without dates and host name (the
 * security profile's level decides those: verify.ts). Composed of node's X509Certificate
 * (OpenSSL: signature verification) and pkijs (the X.509 structure: extensions, names,
 * algorithms), checked in OpenSSL's order so that a chain with one defect fails here for
 * the reason `openssl verify` gives:
 *
 *   build      leaf → presented certificates → a trusted root, by issuer name (and key
 *              identifier) and a signature that verifies        unknown-ca, self-signed,
 *                                                               bad-signature
 *   per cert   unknown critical extensions                      critical-extension
 *              issuers: basicConstraints cA, keyUsage keyCertSign, pathLenConstraint
 *                                                               invalid-ca, path-length
 *              purpose: the leaf (and intermediates) may serve TLS (extendedKeyUsage
 *              serverAuth, keyUsage for a TLS key)              purpose
 *   names      every CA's nameConstraints over the certificates below it
 *                                                               name-constraints
 *   product    signature algorithms and key sizes of the product (models/certificate-rules)
 *                                                               signature-algorithm, key-size
 */
export type PathFailure =
  | 'unknown-ca'
  | 'self-signed'
  | 'bad-signature'
  | 'bad-certificate'
  | 'critical-extension'
  | 'invalid-ca'
  | 'path-length'
  | 'purpose'
  | 'name-constraints'
  | 'signature-algorithm'
  | 'key-size';

export type PathResult =
  | { ok: true; path: CertFacts[] }
  | { ok: false; failure: PathFailure; message: string; /** Position in the path, 0 = leaf. */ depth: number };

export interface PathInput {
  /** What the server presented, leaf first (order beyond the leaf does not matter). */
  chain: readonly X509Certificate[];
  trusted: readonly X509Certificate[];
  rules: CertificateRules;
}

/** Longest path tried: OpenSSL's default verify depth (100) is more than any module's stack; mbedTLS stops at 8. */
export const MAX_PATH = 10;

/** TLS key usages a server key needs one of (OpenSSL's KU_TLS). */
const TLS_KEY_USAGE = ['digitalSignature', 'keyEncipherment', 'keyAgreement'] as const;

export function validatePath(input: PathInput): PathResult {
  let leaf: CertFacts;
  let presented: CertFacts[];
  let trusted: CertFacts[];
  try {
    [leaf, ...presented] = input.chain.map(certFacts) as [CertFacts, ...CertFacts[]];
    trusted = input.trusted.flatMap((t) => {
      try {
        return [certFacts(t)];
      } catch {
        return []; // a stored root that cannot be decoded anchors nothing
      }
    });
  } catch (err) {
    if (err instanceof CertificateDecodeError) return fail('bad-certificate', err.message, 0);
    throw err;
  }
  if (!leaf) return fail('unknown-ca', 'no certificate', 0);

  const built = buildPath(leaf, presented, trusted);
  if (!built.ok) return built;
  const path = built.path;
  const anchor = path.length - 1;

  for (let i = 0; i < path.length; i++) {
    const cert = path[i]!;
    if (cert.unknownCritical.length) return fail('critical-extension', `unhandled critical extension ${cert.unknownCritical.join(', ')} in ${name(cert)}`, i);
    if (i > 0) {
      const why = notACa(cert, i === anchor);
      if (why) return fail('invalid-ca', `${name(cert)} ${why}`, i);
      const limit = cert.basicConstraints?.pathLen;
      if (limit !== undefined) {
        // Intermediates between this CA and the leaf that are not self-issued (RFC 5280 §6.1.4(l)).
        const below = path.slice(1, i).filter((c) => !c.selfIssued).length;
        if (below > limit) return fail('path-length', `${name(cert)} allows ${limit} intermediate CA(s) below it, the path has ${below}`, i);
      }
      if (i < anchor && !servesTls(cert.extKeyUsage)) return fail('purpose', `${name(cert)} is not for TLS servers (extendedKeyUsage)`, i);
    } else {
      if (!servesTls(cert.extKeyUsage)) return fail('purpose', `${name(cert)} is not a TLS server certificate (extendedKeyUsage without serverAuth)`, 0);
      if (cert.keyUsage && !TLS_KEY_USAGE.some((u) => cert.keyUsage!.has(u))) return fail('purpose', `${name(cert)} keyUsage allows no TLS key exchange`, 0);
    }
  }

  for (let i = 1; i < path.length; i++) {
    for (let j = 0; j < i; j++) {
      // Self-issued intermediates are exempt (RFC 5280 §6.1.3(b)); the leaf never is.
      if (j > 0 && path[j]!.selfIssued) continue;
      const violation = violatesNameConstraints(path[i]!, path[j]!, j === 0);
      if (violation) return fail('name-constraints', `${name(path[j]!)}: ${violation} (constraints of ${name(path[i]!)})`, j);
    }
  }

  for (let i = 0; i < path.length; i++) {
    const cert = path[i]!;
    // The trust anchor's own self-signature is never checked, so its algorithm does not matter.
    if (i < anchor) {
      const { digest, key, oid } = cert.signature;
      if (digest === 'unknown' || key === 'unknown' || !input.rules.digests.includes(digest) || !input.rules.keys.includes(key)) {
        return fail('signature-algorithm', `${name(cert)} is signed with ${key}/${digest} (${oid}), which the product refuses`, i);
      }
    }
    const { kind, bits } = cert.publicKey;
    const min = kind === 'rsa' || kind === 'rsa-pss' ? input.rules.minRsaBits : kind === 'ec' ? input.rules.minEcBits : 0;
    if (bits < min) return fail('key-size', `${name(cert)} has a ${bits}-bit ${kind} key, the product needs ${min}`, i);
  }
  return { ok: true, path };
}

type Built = { ok: true; path: CertFacts[] } | Extract<PathResult, { ok: false }>;

/** Leaf → presented intermediates → a trusted root; the first trusted issuer wins (the shortest path). */
function buildPath(leaf: CertFacts, presented: readonly CertFacts[], trusted: readonly CertFacts[]): Built {
  // A leaf the store holds itself is its own anchor (a trusted self-signed server certificate).
  if (trusted.some((t) => t.x509.raw.equals(leaf.x509.raw))) return { ok: true, path: [leaf] };
  const path = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_PATH; depth++) {
    let badSignature = false;
    const pick = (candidates: readonly CertFacts[]): CertFacts | undefined => {
      for (const c of candidates) {
        if (!namedIssuer(current, c)) continue;
        if (signedBy(current, c)) return c;
        badSignature = true;
      }
      return undefined;
    };
    const anchor = pick(trusted);
    if (anchor) return { ok: true, path: [...path, anchor] };
    const next = pick(presented.filter((c) => !path.includes(c) && !c.x509.raw.equals(current.x509.raw)));
    if (next) {
      path.push(next);
      current = next;
      continue;
    }
    if (badSignature) return fail('bad-signature', `the signature of ${name(current)} does not verify with its issuer's key`, path.length - 1);
    if (current.selfIssued && signedBy(current, current)) {
      return path.length === 1
        ? fail('self-signed', `${name(current)} is self-signed and not trusted`, 0)
        : fail('unknown-ca', `self-signed ${name(current)} in the chain is not trusted`, path.length - 1);
    }
    return fail('unknown-ca', `no trusted root for ${name(current)}`, path.length - 1);
  }
  return fail('unknown-ca', `no trusted root within ${MAX_PATH} certificates`, path.length - 1);
}

/** Issuer by name, and by key identifier where both certificates carry one (OpenSSL's X509_check_issued). */
function namedIssuer(cert: CertFacts, issuer: CertFacts): boolean {
  if (cert.issuerKey !== issuer.subjectKey) return false;
  return !cert.authorityKeyId || !issuer.subjectKeyId || cert.authorityKeyId === issuer.subjectKeyId;
}

function signedBy(cert: CertFacts, issuer: CertFacts): boolean {
  try {
    return cert.x509.verify(issuer.x509.publicKey);
  } catch {
    return false;
  }
}

/**
 * Why an issuer may not issue (undefined when it may): basicConstraints cA (a trust anchor
 * without the extension is accepted as configured trust, as a v1 root is), keyUsage with
 * keyCertSign when keyUsage is present.
 */
function notACa(cert: CertFacts, anchor: boolean): string | undefined {
  const bc = cert.basicConstraints;
  if (bc ? !bc.ca : !anchor) return 'is not a CA (basicConstraints CA:FALSE or absent): invalid CA certificate';
  if (cert.keyUsage && !cert.keyUsage.has('keyCertSign')) return 'keyUsage does not include certificate signing';
  return undefined;
}

function servesTls(eku: readonly string[] | undefined): boolean {
  return !eku || eku.includes(OID.serverAuth) || eku.includes(OID.anyExtendedKeyUsage);
}

function name(cert: CertFacts): string {
  return `"${cert.x509.subject.replace(/\n/g, ', ')}"`;
}

function fail(failure: PathFailure, message: string, depth: number): Extract<PathResult, { ok: false }> {
  return { ok: false, failure, message, depth };
}
