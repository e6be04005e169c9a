/** The certificate DTLS 1.2 suites the module's own client runs: ECDHE key exchange, AES-GCM records. */
export interface DtlsCertSuite {
  code: number;
  /** The server's certificate key type that signs the key exchange. */
  auth: 'ecdsa' | 'rsa';
  keyLength: 16 | 32;
  prfHash: 'sha256' | 'sha384';
}

export const DTLS_CERT_SUITES: readonly DtlsCertSuite[] = [
  { code: 0xc02b, auth: 'ecdsa', keyLength: 16, prfHash: 'sha256' },
  { code: 0xc02c, auth: 'ecdsa', keyLength: 32, prfHash: 'sha384' },
  { code: 0xc02f, auth: 'rsa', keyLength: 16, prfHash: 'sha256' },
  { code: 0xc030, auth: 'rsa', keyLength: 32, prfHash: 'sha384' },
];

export const dtlsSuiteByCode = (code: number): DtlsCertSuite | undefined => DTLS_CERT_SUITES.find((s) => s.code === code);

/** Named groups offered for ECDHE (IANA code → node:crypto curve). */
export const DTLS_GROUPS: ReadonlyMap<number, string> = new Map([
  [23, 'prime256v1'],
  [24, 'secp384r1'],
]);

/** Signature algorithms offered and accepted (TLS 1.2 SignatureAndHashAlgorithm codes). */
export const SIGNATURE_ALGORITHMS = [0x0403, 0x0503, 0x0804, 0x0805, 0x0401, 0x0501, 0x0601];

/**
 * The PSK DTLS 1.2 suites (RFC 4279 key exchange, RFC 5487 GCM, RFC 6655 CCM_8): no
 * certificates, the premaster from the pre-shared key alone. CCM_8 is CoAP's mandatory
 * suite (RFC 7252 §9.1.3.1); CBC suites are not run (nothing in modemlab negotiates them).
 */
export interface DtlsPskSuite {
  code: number;
  name: string;
  keyLength: 16 | 32;
  prfHash: 'sha256' | 'sha384';
  /** Record protection: AES-GCM (16-byte tag) or AES-CCM with an 8-byte tag. */
  record: 'gcm' | 'ccm8';
}

export const DTLS_PSK_SUITES: readonly DtlsPskSuite[] = [
  { code: 0x00a8, name: 'TLS_PSK_WITH_AES_128_GCM_SHA256', keyLength: 16, prfHash: 'sha256', record: 'gcm' },
  { code: 0x00a9, name: 'TLS_PSK_WITH_AES_256_GCM_SHA384', keyLength: 32, prfHash: 'sha384', record: 'gcm' },
  { code: 0xc0a8, name: 'TLS_PSK_WITH_AES_128_CCM_8', keyLength: 16, prfHash: 'sha256', record: 'ccm8' },
];

export const dtlsPskSuiteByCode = (code: number): DtlsPskSuite | undefined => DTLS_PSK_SUITES.find((s) => s.code === code);

/** RFC 4279 §2 premaster secret: uint16 N, N zero bytes, uint16 N, the N-byte PSK. */
export function pskPremaster(psk: Buffer): Buffer {
  const n = Buffer.alloc(2);
  n.writeUInt16BE(psk.length);
  return Buffer.concat([n, Buffer.alloc(psk.length), n, psk]);
}
