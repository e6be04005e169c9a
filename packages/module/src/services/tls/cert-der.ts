import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';

/**
 * Why the certificate manager refused a request, in vendor-neutral terms; each dialect
 * maps a reason to its own error number. The store checks everything before it changes
 * anything, so a thrown CertificateError leaves the database as it was.
 */
export type CertificateFailureReason =
  | 'bad-parameter'
  | 'too-large'
  | 'invalid-certificate'
  | 'invalid-key'
  | 'pem-conversion'
  /** A key (of a certificate too) below the minimum size, or of an algorithm the product lacks. */
  | 'weak-key'
  | 'bad-password'
  | 'database-full'
  | 'not-found'
  | 'name-present'
  | 'read-only';

export class CertificateError extends Error {
  constructor(
    readonly reason: CertificateFailureReason,
    message?: string,
  ) {
    super(message ?? reason);
  }
}

const fail = (reason: CertificateFailureReason, message?: string): CertificateError => new CertificateError(reason, message);

export interface KeySizeLimits {
  minRsaBits: number;
  minEcBits: number;
}

/** What an import yields once the data is understood: the DER to store and what the list shows. */
export interface ParsedItem {
  der: Buffer;
  /** Certificates only. */
  commonName?: string;
  notAfter?: Date;
  /** Private keys only: stored as encrypted PKCS#8, so the profile's password is needed to use it. */
  encrypted?: boolean;
}

interface PemBlock {
  label: string;
  headers: boolean;
  body: Buffer;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
const BASE64_LINE = /^[A-Za-z0-9+/=]*$/;

const looksLikePem = (data: Buffer): boolean => data.includes('-----BEGIN ');

/** Every PEM block of `text`; a block whose body is not base64 is a conversion failure. */
function pemBlocks(data: Buffer): PemBlock[] {
  const text = data.toString('latin1');
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) {
    const lines = m[2]!.split(/\r?\n/).map((l) => l.trim());
    // RFC 1421 headers ("Proc-Type: 4,ENCRYPTED", "DEK-Info: ...") end with a blank line.
    const headers = lines.some((l) => /^[A-Za-z-]+:/.test(l));
    const b64 = lines.filter((l) => l !== '' && !/^[A-Za-z-]+:/.test(l));
    if (!b64.every((l) => BASE64_LINE.test(l))) throw fail('pem-conversion', `bad base64 in ${m[1]}`);
    const body = Buffer.from(b64.join(''), 'base64');
    if (body.length === 0) throw fail('pem-conversion', `empty ${m[1]}`);
    blocks.push({ label: m[1]!, headers, body });
  }
  if (blocks.length === 0) throw fail('pem-conversion', 'no complete PEM block');
  return blocks;
}

/** The length of the outermost DER element (a SEQUENCE), or undefined when it is not one. */
export function derLength(der: Buffer): number | undefined {
  if (der.length < 2 || der[0] !== 0x30) return undefined;
  const first = der[1]!;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || der.length < 2 + n) return undefined;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + der[2 + i]!;
  return 2 + n + len;
}

/** Data that is exactly one DER element, nothing before or after. */
const isOneDerElement = (der: Buffer): boolean => derLength(der) === der.length;

/** An X.509 certificate given as PEM or DER (certificate types: CA, client, server). */
export function parseCertificate(data: Buffer, limits: KeySizeLimits): ParsedItem {
  let der = data;
  if (looksLikePem(data)) {
    const blocks = pemBlocks(data);
    if (blocks.length !== 1 || blocks[0]!.label !== 'CERTIFICATE' || blocks[0]!.headers) throw fail('invalid-certificate', 'one CERTIFICATE block expected');
    der = blocks[0]!.body;
  }
  if (!isOneDerElement(der)) throw fail(looksLikePem(data) ? 'pem-conversion' : 'invalid-certificate', 'not one DER element');
  let x: X509Certificate;
  try {
    x = new X509Certificate(der);
  } catch (err) {
    throw fail('invalid-certificate', (err as Error).message);
  }
  checkKeySize(x.publicKey, limits);
  const notAfter = new Date(x.validTo);
  if (Number.isNaN(notAfter.getTime())) throw fail('invalid-certificate', `bad notAfter ${x.validTo}`);
  return { der: Buffer.from(x.raw), commonName: commonNameOf(x), notAfter };
}

export function commonNameOf(x: X509Certificate): string {
  let cn = '';
  for (const line of x.subject.split('\n')) if (line.startsWith('CN=')) cn = line.slice(3);
  return cn;
}

const PEM_KEY_TYPES: Record<string, 'pkcs1' | 'sec1' | 'pkcs8'> = {
  'RSA PRIVATE KEY': 'pkcs1',
  'EC PRIVATE KEY': 'sec1',
  'PRIVATE KEY': 'pkcs8',
};

/**
 * A client private key: PKCS#1 (RSA), SEC1 (EC) or PKCS#8, as PEM or DER; an encrypted
 * PKCS#8 key in DER with its password. Refused per seed 002: PEM with extension headers
 * such as an "EC PARAMETERS" block, and encrypted keys in PEM ("can be imported only in
 * DER format"). Unencrypted keys are stored as the DER of their PEM body; an encrypted key
 * is stored as given (encrypted), after the password was checked.
 */
export function parsePrivateKey(data: Buffer, password: string | undefined, limits: KeySizeLimits): ParsedItem {
  if (looksLikePem(data)) {
    const blocks = pemBlocks(data);
    if (blocks.some((b) => b.label === 'EC PARAMETERS')) throw fail('invalid-key', 'PEM with an EC PARAMETERS block');
    if (blocks.length !== 1) throw fail('invalid-key', 'one private key block expected');
    const block = blocks[0]!;
    if (block.label === 'ENCRYPTED PRIVATE KEY' || block.headers) throw fail('invalid-key', 'encrypted keys are accepted in DER only');
    const type = PEM_KEY_TYPES[block.label];
    if (!type) throw fail('invalid-key', `unsupported PEM block ${block.label}`);
    if (!isOneDerElement(block.body)) throw fail('pem-conversion', 'not one DER element');
    const key = tryKey(block.body, type, undefined);
    if (!key) throw fail('invalid-key', `not a ${type} key`);
    checkKeySize(key, limits);
    return { der: block.body };
  }
  if (!isOneDerElement(data)) throw fail('invalid-key', 'not one DER element');
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    const key = tryKey(data, type, undefined);
    if (key) {
      checkKeySize(key, limits);
      return { der: Buffer.from(data) };
    }
  }
  if (!isEncryptedPkcs8(data)) throw fail('invalid-key', 'unrecognised key');
  const key = tryKey(data, 'pkcs8', password ?? '');
  if (!key) throw fail('bad-password', 'cannot decrypt the PKCS#8 key');
  checkKeySize(key, limits);
  return { der: Buffer.from(data), encrypted: true };
}

/** A stored key as a node KeyObject; `password` decrypts an encrypted PKCS#8 key. */
export function keyFromDer(der: Buffer, password: string | undefined): KeyObject | undefined {
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    const key = tryKey(der, type, undefined);
    if (key) return key;
  }
  if (isEncryptedPkcs8(der)) {
    const key = tryKey(der, 'pkcs8', password ?? '');
    if (key) return key;
    throw fail('bad-password', 'cannot decrypt the PKCS#8 key');
  }
  return undefined;
}

function tryKey(der: Buffer, type: 'pkcs1' | 'sec1' | 'pkcs8', passphrase: string | undefined): KeyObject | undefined {
  try {
    return createPrivateKey({ key: der, format: 'der', type, ...(passphrase !== undefined ? { passphrase } : {}) });
  } catch {
    return undefined;
  }
}

/** Node asks for a passphrase only for an EncryptedPrivateKeyInfo. */
function isEncryptedPkcs8(der: Buffer): boolean {
  try {
    createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ERR_MISSING_PASSPHRASE';
  }
}

/** Named curves by their order size in bits. */
const CURVE_BITS: Record<string, number> = {
  prime192v1: 192,
  secp192k1: 192,
  secp224r1: 224,
  secp224k1: 224,
  prime256v1: 256,
  secp256k1: 256,
  secp384r1: 384,
  secp521r1: 521,
  brainpoolP256r1: 256,
  brainpoolP384r1: 384,
  brainpoolP512r1: 512,
};

/** RSA at least minRsaBits, ECDSA at least minEcBits; other algorithms are not supported. */
function checkKeySize(key: KeyObject, limits: KeySizeLimits): void {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      if ((details.modulusLength ?? 0) < limits.minRsaBits) throw fail('weak-key', `RSA ${details.modulusLength} bits`);
      return;
    case 'ec': {
      const bits = CURVE_BITS[details.namedCurve ?? ''];
      if (bits === undefined) throw fail('weak-key', `unsupported curve ${details.namedCurve}`);
      if (bits < limits.minEcBits) throw fail('weak-key', `EC ${bits} bits`);
      return;
    }
    default:
      throw fail('weak-key', `unsupported key type ${key.asymmetricKeyType}`);
  }
}

/** Whether the bytes are PEM text (as opposed to DER). */
export function isPem(data: Buffer): boolean {
  return looksLikePem(data);
}

/**
 * How a private key is encoded: PKCS#1 (RSA PRIVATE KEY), PKCS#8, SEC1; undefined if it is
 * no key. PEM says it in its label; DER by the element after the version: PKCS#1 an
 * INTEGER (the modulus), PKCS#8 a SEQUENCE (the algorithm), SEC1 an OCTET STRING.
 */
export function privateKeyEncoding(data: Buffer): 'pkcs1' | 'pkcs8' | 'sec1' | undefined {
  let der = data;
  if (looksLikePem(data)) {
    let block: PemBlock | undefined;
    try {
      block = pemBlocks(data)[0];
    } catch {
      return undefined;
    }
    if (!block) return undefined;
    if (block.label === 'ENCRYPTED PRIVATE KEY') return 'pkcs8';
    der = block.body;
  }
  if (isEncryptedPkcs8(der)) return 'pkcs8';
  const second = secondElementTag(der);
  const type = second === 0x02 ? 'pkcs1' : second === 0x30 ? 'pkcs8' : second === 0x04 ? 'sec1' : undefined;
  return type && tryKey(der, type, undefined) ? type : undefined;
}

/** Tag of the element after the first one inside the outer SEQUENCE. */
function secondElementTag(der: Buffer): number | undefined {
  if (der[0] !== 0x30) return undefined;
  let i = 1;
  const len = (at: number): [number, number] | undefined => {
    const b = der[at];
    if (b === undefined) return undefined;
    if (b < 0x80) return [b, at + 1];
    const n = b & 0x7f;
    if (n === 0 || n > 4) return undefined;
    let v = 0;
    for (let k = 1; k <= n; k++) v = v * 256 + (der[at + k] ?? 0);
    return [v, at + 1 + n];
  };
  const outer = len(i);
  if (!outer) return undefined;
  i = outer[1];
  if (der[i] === undefined) return undefined;
  const first = len(i + 1);
  if (!first) return undefined;
  return der[first[1] + first[0]];
}

/** DER as PEM text with `label`, 64 characters a line, LF line ends. */
export function derToPem(der: Buffer, label: string): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}
