/** Digests a certificate's signature may use (the hash of its signature algorithm). */
export type SignatureDigest = 'md2' | 'md4' | 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512' | 'none';

/** Key types a certificate may be signed with. */
export type SignatureKey = 'rsa' | 'rsa-pss' | 'ecdsa' | 'dsa' | 'ed25519' | 'ed448';

/**
 * What a product's certificate path validation accepts besides RFC 5280 itself: the
 * signature algorithms of every certificate it checks (the trusted root's own
 * self-signature excepted: RFC 5280 §6.1 never checks it) and the smallest keys.
 */
export interface CertificateRules {
  digests: readonly SignatureDigest[];
  keys: readonly SignatureKey[];
  /** Smallest RSA key (modulus bits) a certificate of the path may carry. */
  minRsaBits: number;
  /** Smallest elliptic-curve key (curve bits). */
  minEcBits: number;
}

/**
 * u-blox SARA-R4/R5: seed 002 ("at least 1024-bit RSA, 192-bit ECDSA keys, for the
 * certificates' generation too"). MD5 and older are refused (our choice, the seed is
 * silent: every TLS stack of the modules' generation refuses MD5-signed certificates).
 */
export const UBLOX_CERTIFICATE_RULES: CertificateRules = {
  digests: ['sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'none'],
  keys: ['rsa', 'rsa-pss', 'ecdsa'],
  minRsaBits: 1024,
  minEcBits: 192,
};

/**
 * Telit GE/HE910 (2013 stack): RSA only, as its cipher suites (seed 003 Tab. 1: RSA
 * authentication throughout); SHA-1 and SHA-2 digests; MD5 refused (our choice).
 */
export const TELIT_CERTIFICATE_RULES: CertificateRules = {
  digests: ['sha1', 'sha224', 'sha256', 'sha384', 'sha512'],
  keys: ['rsa'],
  minRsaBits: 1024,
  minEcBits: 192,
};

/**
 * Quectel BC66 (mbedTLS): mbedTLS's default X.509 profile, SHA-2 only (SHA-1 certificates
 * refused since mbedTLS 2.4), RSA of 2048 bits and more, the NIST and Brainpool curves of
 * 256 bits and more. Our choice: seed 004 is silent, this is what its stack does by default.
 */
export const BC66_CERTIFICATE_RULES: CertificateRules = {
  digests: ['sha224', 'sha256', 'sha384', 'sha512'],
  keys: ['rsa', 'rsa-pss', 'ecdsa'],
  minRsaBits: 2048,
  minEcBits: 256,
};
