import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Seed 002's example certificate: thawte Primary Root CA, CRLF line ends, no final
 * newline, exactly 1516 bytes; the MD5 of its DER is the seed's 8ccadc0b....
 */
export const THAWTE_PEM = [
  '-----BEGIN CERTIFICATE-----',
  'MIIEIDCCAwigAwIBAgIQNE7VVyDV7exJ9C/ON9srbTANBgkqhkiG9w0BAQUFADCB',
  'qTELMAkGA1UEBhMCVVMxFTATBgNVBAoTDHRoYXd0ZSwgSW5jLjEoMCYGA1UECxMf',
  'Q2VydGlmaWNhdGlvbiBTZXJ2aWNlcyBEaXZpc2lvbjE4MDYGA1UECxMvKGMpIDIw',
  'MDYgdGhhd3RlLCBJbmMuIC0gRm9yIGF1dGhvcml6ZWQgdXNlIG9ubHkxHzAdBgNV',
  'BAMTFnRoYXd0ZSBQcmltYXJ5IFJvb3QgQ0EwHhcNMDYxMTE3MDAwMDAwWhcNMzYw',
  'NzE2MjM1OTU5WjCBqTELMAkGA1UEBhMCVVMxFTATBgNVBAoTDHRoYXd0ZSwgSW5j',
  'LjEoMCYGA1UECxMfQ2VydGlmaWNhdGlvbiBTZXJ2aWNlcyBEaXZpc2lvbjE4MDYG',
  'A1UECxMvKGMpIDIwMDYgdGhhd3RlLCBJbmMuIC0gRm9yIGF1dGhvcml6ZWQgdXNl',
  'IG9ubHkxHzAdBgNVBAMTFnRoYXd0ZSBQcmltYXJ5IFJvb3QgQ0EwggEiMA0GCSqG',
  'SIb3DQEBAQUAA4IBDwAwggEKAoIBAQCsoPD7gFnUnMekz52hWXMJEEUMDSxuaPFs',
  'W0hoSVk3/AszGcJ3f8wQLZU0HObrTQmnHNK4yZc2AreJ1CRfBsDMRJSUjQJib+ta',
  '3RGNKJpchJAQeg29dGYvajig4tVUROsdB58Hum/u6f1OCyn1PoSgAfGcq/gcfomk',
  '6KHYcWUNo1F77rzSImANuVud37r8UVsLr5iy6S7pBOhih94ryNdOwUxkHt3Ph1i6',
  'Sk/KaAcdHJ1KxtUvkcx8cXIcxcBn6zL9yZJclNqFwJu/U30rCfSMnZEfl2pSy94J',
  'NqR32HuHUETVPm4pafs5SSYeCaWAe0At6+gnhcn+Yf1+5nyXHdWdAgMBAAGjQjBA',
  'MA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEGMB0GA1UdDgQWBBR7W0XP',
  'r87Lev0xkhpqtvNG61dIUDANBgkqhkiG9w0BAQUFAAOCAQEAeRHAS7ORtvzw6WfU',
  'DW5FvlXok9LOAz/t2iWwHVfLHjp2oEzsUHboZHIMpKnxuIvW1oeEuzLlQRHAd9mz',
  'YJ3rG9XRbkREqaYB7FViHXe4XI5ISXycO1cRrK1zN44veFyQaEfZYGDm/Ac9IiAX',
  'xPcW6cTYcvnIc3zfFi8VqT79aie2oetaupgf1eNNZAqdE8hhuvU5HIe6uL17In/2',
  '/qxAeeWsEG89jxt5dovEN7MhGITlNgDrYyCZuen+MwS7QcjBAvlEYyCegc5C09Y/',
  'LHbTY5xZ3Y+m4Q6gLkH3LpVHz7z9M/P2C2F+fpErgUfCJzDupxBdN49cOSvkBPB7',
  'jVaMaA==',
  '-----END CERTIFICATE-----',
].join('\r\n');

export const THAWTE_MD5 = '8ccadc0b22cef5be72ac411a11a8d812';

export interface TestCert {
  pem: Buffer;
  der: Buffer;
  /** The key of the certificate, PKCS#8 PEM as openssl writes it. */
  keyPem: Buffer;
  x509: X509Certificate;
}

/** Certificates and keys made for one test file with the openssl CLI and node:crypto. */
export interface TestMaterial {
  ca: TestCert;
  client: TestCert;
  ecClient: TestCert;
  /** The smallest RSA key seed 002 accepts. */
  rsa1024Cert: TestCert;
  /** Below seed 002's 1024 bits: refused. */
  rsa768Cert: TestCert;
  /** PEM: "EC PARAMETERS" then "EC PRIVATE KEY", as `openssl ecparam -genkey` writes it. */
  ecWithParams: Buffer;
  cleanup(): void;
}

export function makeTestMaterial(): TestMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-certs-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const cert = (name: string, newkey: string[], subject: string): TestCert => {
    openssl('req', '-x509', ...newkey, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-subj', subject, '-days', '3650');
    const pem = readFileSync(join(dir, `${name}.pem`));
    const x509 = new X509Certificate(pem);
    return { pem, der: Buffer.from(x509.raw), keyPem: readFileSync(join(dir, `${name}.key`)), x509 };
  };
  const material: TestMaterial = {
    ca: cert('ca', ['-newkey', 'rsa:2048'], '/O=modemlab/CN=modemlab Test Root'),
    client: cert('client', ['-newkey', 'rsa:2048'], '/CN=A client certificate'),
    ecClient: cert('ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'], '/CN=An EC client'),
    rsa1024Cert: cert('rsa1024', ['-newkey', 'rsa:1024'], '/CN=RSA 1024 client'),
    rsa768Cert: cert('weak', ['-newkey', 'rsa:768'], '/CN=Weak'),
    ecWithParams: openssl('ecparam', '-name', 'prime256v1', '-genkey'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  return material;
}

/** RSA / EC keys in the encodings +USECMNG accepts or refuses. */
export function makeKeys() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
  const rsa768 = generateKeyPairSync('rsa', { modulusLength: 768 }).privateKey;
  const ec192 = generateKeyPairSync('ec', { namedCurve: 'prime192v1' }).privateKey;
  const ed25519 = generateKeyPairSync('ed25519').privateKey;
  return {
    rsa,
    rsaPkcs1Pem: Buffer.from(rsa.export({ type: 'pkcs1', format: 'pem' })),
    rsaPkcs1Der: rsa.export({ type: 'pkcs1', format: 'der' }),
    rsaPkcs8Pem: Buffer.from(rsa.export({ type: 'pkcs8', format: 'pem' })),
    rsaEncryptedDer: rsa.export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: 'secret' }),
    rsaEncryptedPem: Buffer.from(rsa.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' })),
    rsa1024Pem: Buffer.from(rsa1024.export({ type: 'pkcs1', format: 'pem' })),
    rsa768Pem: Buffer.from(rsa768.export({ type: 'pkcs1', format: 'pem' })),
    ec192Sec1Pem: Buffer.from(ec192.export({ type: 'sec1', format: 'pem' })),
    ec192Sec1Der: ec192.export({ type: 'sec1', format: 'der' }),
    ed25519Pem: Buffer.from(ed25519.export({ type: 'pkcs8', format: 'pem' })),
  };
}
