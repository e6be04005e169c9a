/**
 * What went wrong in a secure connect, fine enough that every vendor maps it with a table
 * (reason → Quectel <err>, → Telit CME, → errno) instead of reading OpenSSL's text. The
 * TLS service decides the problem once, where it still has the typed facts: the plan's
 * failure, the verdict of its own checks, or OpenSSL's error code.
 */
export type TlsProblem =
  /** Every TLS session the product has is in use. */
  | 'session-cap'
  /** The security profile cannot be read. */
  | 'profile'
  /** No suite in common: none the emulator can run, or the server shares none it offers. */
  | 'no-common-suite'
  /** No TLS version in common (the server's protocol_version alert). */
  | 'protocol-version'
  /**
   * The server's handshake_failure alert. OpenSSL sends it for no common suite and, in
   * TLS 1.2, for a client certificate it required and did not get: a client cannot tell.
   */
  | 'handshake-failure'
  /** The profile's client certificate is missing or unusable. */
  | 'client-certificate'
  /** The profile's private key is missing, does not load, or does not match the certificate. */
  | 'client-key'
  /** No pre-shared key to offer (root of trust, or DTLS without one). */
  | 'psk'
  /** The profile names a trusted root (or pinned certificate) the store does not hold. */
  | 'ca-not-found'
  | 'pin-not-found'
  /** The module's own checks of the server, after the handshake. */
  | 'no-certificate'
  | 'unknown-ca'
  /** Path validation (path-validation.ts): a self-signed leaf the store does not hold. */
  | 'self-signed'
  /** A certificate whose signature does not verify with its issuer's key. */
  | 'bad-signature'
  /** A certificate that cannot be decoded. */
  | 'bad-certificate'
  /** A critical extension the module does not process. */
  | 'critical-extension'
  /** An issuer that is no CA: basicConstraints CA:FALSE (or absent), keyUsage without keyCertSign. */
  | 'invalid-ca'
  /** More intermediate CAs than a pathLenConstraint allows. */
  | 'path-length'
  /** A certificate not for TLS servers (extendedKeyUsage without serverAuth, keyUsage). */
  | 'purpose'
  /** A name outside a CA's permitted subtrees or inside its excluded ones. */
  | 'name-constraints'
  /** A signature algorithm the product refuses (MD5...). */
  | 'signature-algorithm'
  /** A key smaller than the product accepts. */
  | 'key-size'
  | 'hostname'
  | 'expired'
  | 'not-yet-valid'
  | 'pin-mismatch'
  /** The server refused the module's certificate (bad_certificate, unknown_ca... alerts). */
  | 'certificate-rejected'
  /** The peer does not speak TLS: a plain port. */
  | 'not-tls'
  /** The peer closed the connection during the handshake. */
  | 'peer-closed'
  /** The handshake inactivity timer expired. */
  | 'timeout'
  /** Another alert from the peer. */
  | 'alert'
  /** Anything else OpenSSL or the DTLS library reported. */
  | 'protocol';

/** The module's own verdicts on the server's certificates: every vendor reports them as a certificate error. */
export const CERTIFICATE_PROBLEMS: ReadonlySet<TlsProblem> = new Set<TlsProblem>([
  'no-certificate',
  'unknown-ca',
  'self-signed',
  'bad-signature',
  'bad-certificate',
  'critical-extension',
  'invalid-ca',
  'path-length',
  'purpose',
  'name-constraints',
  'signature-algorithm',
  'key-size',
  'hostname',
  'expired',
  'not-yet-valid',
  'pin-mismatch',
]);

/** OpenSSL's reason codes (as node reports them) and the problem each stands for. */
const BY_CODE: ReadonlyArray<[RegExp, TlsProblem]> = [
  [/^ERR_SSL_(SSLV3|TLSV1)_ALERT_HANDSHAKE_FAILURE$/, 'handshake-failure'],
  [/^ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION$|^ERR_SSL_(UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|VERSION_TOO_(LOW|HIGH))$/, 'protocol-version'],
  [/^ERR_SSL_(NO_CIPHERS_AVAILABLE|NO_SHARED_CIPHER|NO_CIPHER_MATCH|NO_SUITABLE_SIGNATURE_ALGORITHM)$/, 'no-common-suite'],
  [/^ERR_SSL_(WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|RECORD_LENGTH_MISMATCH)$/, 'not-tls'],
  [/^ERR_SSL_(SSLV3_ALERT_(BAD|UNSUPPORTED)_CERTIFICATE|SSLV3_ALERT_CERTIFICATE_(UNKNOWN|EXPIRED|REVOKED)|TLSV1_ALERT_UNKNOWN_CA|TLSV13_ALERT_CERTIFICATE_REQUIRED)$/, 'certificate-rejected'],
  [/^ERR_OSSL_X509_KEY_VALUES_MISMATCH$|^ERR_OSSL_UNSUPPORTED$|^ERR_OSSL_PEM_/, 'client-key'],
  [/_ALERT_/, 'alert'],
];

/** The problem an OpenSSL error (node's `code`) stands for; 'protocol' when it is none of ours. */
export function problemOfCode(code: string | undefined): TlsProblem {
  if (!code) return 'protocol';
  for (const [pattern, problem] of BY_CODE) if (pattern.test(code)) return problem;
  return 'protocol';
}
