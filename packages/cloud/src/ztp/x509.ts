import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/**
 * The X.509 side of zero-touch provisioning, on @peculiar/x509 over node's WebCrypto (no
 * hand-written DER): a customer's root CA (EC P-256, self-signed), the proof-of-possession
 * certificate AWS IoT / Azure DPS ask for when a CA is registered, and device certificates.
 * Names are built from attribute lists, never from "CN=..." strings, so any text a customer
 * gives (commas, quotes, `'; DROP TABLE`) lands verbatim in the attribute.
 */
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY = 86_400_000;
/** Certificates start a little in the past so a verifier whose clock lags still accepts them. */
const BACKDATE_MS = 5 * 60_000;
/** id-at-serialNumber: the device serial in a device certificate's subject. */
const OID_SERIAL_NUMBER = '2.5.4.5';

export interface SubjectInput {
  CN: string;
  O?: string;
  C?: string;
}

export interface CaMaterial {
  certificatePem: string;
  /** PKCS#8 DER of the CA key: the caller encrypts it at rest at once. */
  privateKeyPkcs8: Buffer;
}

export function toPem(label: string, der: ArrayBuffer | Uint8Array): string {
  const b64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** A positive serial of 16 random bytes (RFC 5280: at most 20 octets, positive). */
function serial(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
}

/**
 * An attribute value exactly as given: the typed-object form skips the library's string
 * processing (quotes, escapes and a leading '#' would otherwise be interpreted).
 * PrintableString where the characters allow it (required for C, customary elsewhere).
 */
function verbatim(value: string): x509.JsonAttributeObject {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value) ? { printableString: value } : { utf8String: value };
}

function nameOf(s: SubjectInput): x509.JsonNameParams {
  const name: x509.JsonNameParams = [];
  if (s.C) name.push({ C: [verbatim(s.C)] });
  if (s.O) name.push({ O: [verbatim(s.O)] });
  name.push({ CN: [verbatim(s.CN)] });
  return name;
}

export async function createRootCa(subject: SubjectInput, validityDays: number, now: number): Promise<CaMaterial> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: new x509.Name(nameOf(subject)),
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + validityDays * DAY),
    keys,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    certificatePem: toPem('CERTIFICATE', cert.rawData),
    privateKeyPkcs8: Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
  };
}

interface Issuer {
  certificatePem: string;
  privateKeyPkcs8: Buffer;
}

async function issue(ca: Issuer, p: { subject: x509.JsonNameParams; publicKey: CryptoKey | ArrayBuffer | Uint8Array; notBefore: Date; notAfter: Date; clientAuth: boolean }): Promise<string> {
  const caCert = new x509.X509Certificate(ca.certificatePem);
  const signingKey = await webcrypto.subtle.importKey('pkcs8', ca.privateKeyPkcs8, EC, false, ['sign']);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
  ];
  if (p.clientAuth) extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: new x509.Name(p.subject),
    issuer: caCert.subjectName,
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    publicKey: p.publicKey as CryptoKey,
    signingKey,
    signingAlgorithm: SIGN,
    extensions,
  });
  return toPem('CERTIFICATE', cert.rawData);
}

/**
 * The verification certificate for registering the CA with AWS IoT or Azure DPS: its CN is
 * the registration/verification code they issued, it is signed by the CA key (which never
 * leaves the cloud), and its own key pair is throw-away (neither service asks for it).
 */
export async function createPopCertificate(ca: Issuer, commonName: string, now: number): Promise<string> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  return issue(ca, { subject: [{ CN: [verbatim(commonName)] }], publicKey: keys.publicKey, notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(now + 30 * DAY), clientAuth: false });
}

/**
 * A device certificate for a module's ZTP key: CN = ROTPublicUID, serialNumber = the
 * device serial sealed into it (notes §5.6), client authentication.
 */
export async function issueDeviceCertificate(ca: Issuer, p: { rotUid: string; serial: string | null; publicKeySpki: Buffer; validityDays: number; now: number }): Promise<string> {
  const subject: x509.JsonNameParams = [{ CN: [verbatim(p.rotUid)] }];
  if (p.serial) subject.push({ [OID_SERIAL_NUMBER]: [verbatim(p.serial)] });
  return issue(ca, { subject, publicKey: p.publicKeySpki, notBefore: new Date(p.now - BACKDATE_MS), notAfter: new Date(p.now + p.validityDays * DAY), clientAuth: true });
}

/** Parses a module's public key: SPKI DER of an EC P-256 key, or null when it is anything else. */
export async function parseP256Spki(der: Buffer): Promise<Buffer | null> {
  try {
    await webcrypto.subtle.importKey('spki', der, EC, true, ['verify']);
    return der;
  } catch {
    return null;
  }
}
