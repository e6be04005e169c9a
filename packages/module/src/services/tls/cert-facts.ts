import type { X509Certificate } from 'node:crypto';
import type * as Asn1 from 'asn1js';
import type * as Pki from 'pkijs';
import type { SignatureDigest, SignatureKey } from '../../models/certificate-rules.js';

/**
 * What path validation needs to know of one certificate, decoded once: pkijs reads the
 * X.509 structure (extensions, names, algorithms) that node's X509Certificate does not
 * expose; node (OpenSSL) keeps the signature checks and host-name matching.
 */
export interface CertFacts {
  x509: X509Certificate;
  /** Subject and issuer as comparable DER-independent keys (RFC 5280 §7.1, simplified: case-folded, spaces collapsed). */
  subjectKey: string;
  issuerKey: string;
  /** Subject RDNs, each "type=value" case-folded, for directoryName constraints. */
  subjectRdns: string[];
  selfIssued: boolean;
  subjectKeyId?: string;
  authorityKeyId?: string;
  /** basicConstraints: present, cA, pathLenConstraint. */
  basicConstraints?: { ca: boolean; pathLen?: number };
  /** keyUsage bits, bit 0 = digitalSignature ... bit 8 = decipherOnly; absent = unrestricted. */
  keyUsage?: Set<KeyUsageBit>;
  /** extendedKeyUsage OIDs; absent = unrestricted. */
  extKeyUsage?: string[];
  nameConstraints?: { permitted: ConstraintName[]; excluded: ConstraintName[] };
  /** subjectAltName entries of the kinds name constraints cover. */
  altNames: ConstraintName[];
  /** The common names of the subject (a DNS name for constraints when there is no DNS SAN). */
  commonNames: string[];
  /** Critical extensions this validator does not process (RFC 5280 §6.1.4(o)). */
  unknownCritical: string[];
  signature: { digest: SignatureDigest | 'unknown'; key: SignatureKey | 'unknown'; oid: string };
  /** Public key: kind and size in bits (RSA modulus, EC curve). */
  publicKey: { kind: string; bits: number };
}

export type KeyUsageBit =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

const KEY_USAGE_BITS: readonly KeyUsageBit[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

/** A name of a form name constraints cover: DNS, IP (bytes; a constraint adds its mask), directory, e-mail, URI. */
export type ConstraintName =
  | { kind: 'dns'; value: string }
  | { kind: 'ip'; bytes: Buffer; mask?: Buffer }
  | { kind: 'dir'; rdns: string[] }
  | { kind: 'email'; value: string }
  | { kind: 'uri'; value: string }
  | { kind: 'other'; type: number };

export const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  nameConstraints: '2.5.29.30',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  anyExtendedKeyUsage: '2.5.29.37.0',
  commonName: '2.5.4.3',
} as const;

/**
 * Extensions whose criticality the validator honours: the ones it enforces, and the ones
 * that constrain only what a TLS client does not do (policies, as OpenSSL without
 * -policy_check; revocation pointers; key identifiers; issuer names).
 */
const HANDLED = new Set<string>([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.nameConstraints,
  OID.subjectKeyId,
  OID.authorityKeyId,
  '2.5.29.18', // issuerAltName
  '2.5.29.31', // cRLDistributionPoints
  '2.5.29.46', // freshestCRL
  '2.5.29.32', // certificatePolicies
  '2.5.29.33', // policyMappings
  '2.5.29.36', // policyConstraints
  '2.5.29.54', // inhibitAnyPolicy
  '1.3.6.1.5.5.7.1.1', // authorityInfoAccess
]);

const SIGNATURES: Readonly<Record<string, { digest: SignatureDigest; key: SignatureKey }>> = {
  '1.2.840.113549.1.1.2': { digest: 'md2', key: 'rsa' },
  '1.2.840.113549.1.1.3': { digest: 'md4', key: 'rsa' },
  '1.2.840.113549.1.1.4': { digest: 'md5', key: 'rsa' },
  '1.2.840.113549.1.1.5': { digest: 'sha1', key: 'rsa' },
  '1.2.840.113549.1.1.14': { digest: 'sha224', key: 'rsa' },
  '1.2.840.113549.1.1.11': { digest: 'sha256', key: 'rsa' },
  '1.2.840.113549.1.1.12': { digest: 'sha384', key: 'rsa' },
  '1.2.840.113549.1.1.13': { digest: 'sha512', key: 'rsa' },
  '1.2.840.10045.4.1': { digest: 'sha1', key: 'ecdsa' },
  '1.2.840.10045.4.3.1': { digest: 'sha224', key: 'ecdsa' },
  '1.2.840.10045.4.3.2': { digest: 'sha256', key: 'ecdsa' },
  '1.2.840.10045.4.3.3': { digest: 'sha384', key: 'ecdsa' },
  '1.2.840.10045.4.3.4': { digest: 'sha512', key: 'ecdsa' },
  '1.2.840.10040.4.3': { digest: 'sha1', key: 'dsa' },
  '2.16.840.1.101.3.4.3.2': { digest: 'sha256', key: 'dsa' },
  '1.3.101.112': { digest: 'none', key: 'ed25519' },
  '1.3.101.113': { digest: 'none', key: 'ed448' },
};

const PSS = '1.2.840.113549.1.1.10';
const HASHES: Readonly<Record<string, SignatureDigest>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

const CURVE_BITS: Readonly<Record<string, number>> = {
  prime192v1: 192,
  secp224r1: 224,
  prime256v1: 256,
  secp256k1: 256,
  secp384r1: 384,
  secp521r1: 521,
  brainpoolP256r1: 256,
  brainpoolP384r1: 384,
  brainpoolP512r1: 512,
};

/** Thrown when a certificate's structure cannot be decoded. */
export class CertificateDecodeError extends Error {}

/**
 * pkijs and asn1js (~0.7 MB of code) load at the first secure connection, not with the
 * module (CLI start time, docs/architecture.md "Start time"): the TLS and DTLS paths await
 * loadCertLib() before a handshake; certFacts() needs it loaded.
 */
let asn1js!: typeof Asn1;
let pkijs: typeof Pki | undefined;
let loading: Promise<void> | undefined;
export function loadCertLib(): Promise<void> {
  return (loading ??= Promise.all([import('asn1js'), import('pkijs')]).then(([a, p]) => {
    asn1js = a;
    pkijs = p;
  }));
}
/** Whether loadCertLib() has finished (certFacts() can run). */
export const certLibLoaded = (): boolean => pkijs !== undefined;

/**
 * The facts of a certificate; a CertificateDecodeError for anything that cannot be read (a
 * hostile server's certificate must give a verdict, never an exception).
 */
export function certFacts(x509: X509Certificate): CertFacts {
  if (!certLibLoaded()) throw new Error('certFacts before loadCertLib()');
  try {
    return decode(x509);
  } catch (err) {
    if (err instanceof CertificateDecodeError) throw err;
    throw new CertificateDecodeError(`undecodable certificate: ${(err as Error).message}`);
  }
}

function decode(x509: X509Certificate): CertFacts {
  const cert = pkijs!.Certificate.fromBER(x509.raw);
  const facts: CertFacts = {
    x509,
    subjectKey: nameKey(cert.subject),
    issuerKey: nameKey(cert.issuer),
    subjectRdns: rdns(cert.subject),
    selfIssued: false,
    altNames: [],
    commonNames: cert.subject.typesAndValues.filter((t) => t.type === OID.commonName).map((t) => String(t.value.valueBlock.value)),
    unknownCritical: [],
    signature: signatureOf(cert.signatureAlgorithm),
    publicKey: publicKeyOf(x509),
  };
  facts.selfIssued = facts.subjectKey === facts.issuerKey;
  for (const ext of cert.extensions ?? []) {
    const v = ext.parsedValue as unknown;
    // pkijs leaves parsedValue undefined for what it could not decode: a critical one is fatal below.
    const decoded = v !== undefined;
    switch (ext.extnID) {
      case OID.basicConstraints:
        if (v instanceof pkijs!.BasicConstraints) facts.basicConstraints = { ca: v.cA === true, ...(v.pathLenConstraint !== undefined ? { pathLen: intOf(v.pathLenConstraint) } : {}) };
        break;
      case OID.keyUsage:
        if (v instanceof asn1js.BitString) facts.keyUsage = keyUsageOf(v);
        break;
      case OID.extKeyUsage:
        if (v instanceof pkijs!.ExtKeyUsage) facts.extKeyUsage = [...v.keyPurposes];
        break;
      case OID.subjectAltName:
        if (v instanceof pkijs!.AltName) facts.altNames = v.altNames.map((n) => generalName(n, false));
        break;
      case OID.nameConstraints:
        if (v instanceof pkijs!.NameConstraints)
          facts.nameConstraints = {
            permitted: (v.permittedSubtrees ?? []).map((s) => generalName(s.base, true)),
            excluded: (v.excludedSubtrees ?? []).map((s) => generalName(s.base, true)),
          };
        break;
      case OID.subjectKeyId:
        if (v instanceof asn1js.OctetString) facts.subjectKeyId = Buffer.from(v.valueBlock.valueHexView).toString('hex');
        break;
      case OID.authorityKeyId:
        if (v instanceof pkijs!.AuthorityKeyIdentifier && v.keyIdentifier) facts.authorityKeyId = Buffer.from(v.keyIdentifier.valueBlock.valueHexView).toString('hex');
        break;
    }
    if (ext.critical && (!HANDLED.has(ext.extnID) || !decoded)) facts.unknownCritical.push(ext.extnID);
  }
  return facts;
}

function intOf(v: number | Asn1.Integer): number {
  return typeof v === 'number' ? v : v.valueBlock.valueDec;
}

function keyUsageOf(bits: Asn1.BitString): Set<KeyUsageBit> {
  const bytes = bits.valueBlock.valueHexView;
  const out = new Set<KeyUsageBit>();
  KEY_USAGE_BITS.forEach((name, i) => {
    const byte = bytes[i >> 3] ?? 0;
    if (byte & (0x80 >> (i & 7))) out.add(name);
  });
  return out;
}

function attributeValue(v: Pki.AttributeTypeAndValue): string {
  const raw = (v.value.valueBlock as { value?: unknown }).value;
  return String(raw ?? '')
    .trim()
    .replace(/\s+/g, ' ')
    .toLowerCase();
}

function rdns(name: Pki.RelativeDistinguishedNames): string[] {
  return name.typesAndValues.map((t) => `${t.type}=${attributeValue(t)}`);
}

function nameKey(name: Pki.RelativeDistinguishedNames): string {
  return rdns(name).join(',');
}

function generalName(n: Pki.GeneralName, constraint: boolean): ConstraintName {
  switch (n.type) {
    case 1:
      return { kind: 'email', value: String(n.value).toLowerCase() };
    case 2:
      return { kind: 'dns', value: String(n.value).toLowerCase() };
    case 4:
      return { kind: 'dir', rdns: rdns(n.value as Pki.RelativeDistinguishedNames) };
    case 6:
      return { kind: 'uri', value: String(n.value).toLowerCase() };
    case 7: {
      const bytes = Buffer.from((n.value as Asn1.OctetString).valueBlock.valueHexView);
      // A constraint is address then mask, each half the octets (RFC 5280 §4.2.1.10).
      if (constraint) return { kind: 'ip', bytes: bytes.subarray(0, bytes.length / 2), mask: bytes.subarray(bytes.length / 2) };
      return { kind: 'ip', bytes };
    }
    default:
      return { kind: 'other', type: n.type };
  }
}

function signatureOf(alg: Pki.AlgorithmIdentifier): CertFacts['signature'] {
  const oid = alg.algorithmId;
  const known = SIGNATURES[oid];
  if (known) return { ...known, oid };
  if (oid === PSS) {
    // RSASSA-PSS-params: hashAlgorithm [0] defaults to SHA-1.
    let digest: SignatureDigest | 'unknown' = 'sha1';
    try {
      const params = new pkijs!.RSASSAPSSParams({ schema: alg.algorithmParams });
      digest = HASHES[params.hashAlgorithm.algorithmId] ?? 'unknown';
    } catch {
      digest = 'unknown';
    }
    return { digest, key: 'rsa-pss', oid };
  }
  return { digest: 'unknown', key: 'unknown', oid };
}

function publicKeyOf(x509: X509Certificate): CertFacts['publicKey'] {
  const key = x509.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  const kind = key.asymmetricKeyType ?? 'unknown';
  if (details.modulusLength) return { kind, bits: details.modulusLength };
  if (details.namedCurve) return { kind, bits: CURVE_BITS[details.namedCurve] ?? 0 };
  return { kind, bits: kind === 'ed25519' ? 256 : kind === 'ed448' ? 448 : 0 };
}
