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
