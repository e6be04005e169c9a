import { webcrypto, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface ServerTls {
  key: string;
  /** The server certificate followed by the CA that issued it. */
  cert: string;
  /** What clients trust (`<state>/ca.pem`). */
  caPem: string;
}

function toPem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

function fromPem(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

async function loadOrCreateCa(stateDir: string, now: number): Promise<{ cert: x509.X509Certificate; keys: CryptoKeyPair; pem: string }> {
  const certFile = join(stateDir, 'ca.pem');
  const keyFile = join(stateDir, 'ca-key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) {
    const pem = readFileSync(certFile, 'utf8');
    const cert = new x509.X509Certificate(pem);
    const privateKey = await webcrypto.subtle.importKey('pkcs8', fromPem(readFileSync(keyFile, 'utf8')), EC, true, ['sign']);
    const publicKey = await cert.publicKey.export(EC, ['verify']);
    return { cert, keys: { privateKey, publicKey } as CryptoKeyPair, pem };
  }
  mkdirSync(stateDir, { recursive: true });
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(12))).toString('hex').replace(/^[89a-f]/, '1'),
    name: 'CN=modemlab cloud local CA',
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 3650 * DAY),
    keys,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pem = toPem('CERTIFICATE', cert.rawData);
  writeFileSync(keyFile, toPem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)), { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  writeFileSync(certFile, pem);
  return { cert, keys, pem };
}

/**
 * The server's TLS material when no --tls-cert/--tls-key is given: a local CA kept at
 * `<state>/ca.pem` (key `<state>/ca-key.pem`, 0600), created on first start, and a fresh
 * server certificate it signs at every start for the listen host, localhost, 127.0.0.1,
 * ::1 and this machine's name. Clients trust ca.pem; the listen address may change between
 * starts without re-trusting anything.
 */
export async function localServerTls(stateDir: string, listenHost: string, now = Date.now()): Promise<ServerTls> {
  const ca = await loadOrCreateCa(stateDir, now);
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const names = new Set(['localhost', hostname()]);
  const ips = new Set(['127.0.0.1', '::1']);
  if (isIP(listenHost)) {
    if (listenHost !== '0.0.0.0' && listenHost !== '::') ips.add(listenHost);
  } else if (listenHost) {
    names.add(listenHost);
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(12))).toString('hex').replace(/^[89a-f]/, '1'),
    subject: 'CN=modemlab cloud',
    issuer: ca.cert.subject,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 825 * DAY),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...[...names].map((value) => ({ type: 'dns' as const, value })),
        ...[...ips].map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
    ],
  });
  const certPem = toPem('CERTIFICATE', cert.rawData);
  // Fails loudly if the generated pair is not what node:crypto reads back.
  new X509Certificate(certPem);
  return {
    key: toPem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
    cert: certPem + ca.pem,
    caPem: ca.pem,
  };
}
