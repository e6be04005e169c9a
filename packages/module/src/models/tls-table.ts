import { LEGACY_NUMBERS, TABLE_26_CODES } from './cipher-suites.js';
import { UBLOX_CERTIFICATE_RULES, type CertificateRules } from './certificate-rules.js';

/** Protocol versions as node:tls names them. */
export type TlsVersionName = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/** What a product's security profiles (+USECPRF) and TLS stack accept. */
export interface TlsTable {
  /** Security profiles 0..count-1. */
  profiles: number;
  /** Secure connections open at once. */
  maxConcurrentSessions: number;
  /** Handshake inactivity timer: restarted by every packet, aborts the handshake when it expires. */
  handshakeInactivityMs: number;
  /** +USECPRF op codes the product has. */
  opCodes: readonly number[];
  /**
   * +USECPRF op 1 <tls_ver> values and the versions each allows. The value is a minimum
   * (seed 000 §3.2 "Minimum SSL/(D)TLS version"); 0 "any" is every version the product has.
   */
  versions: Readonly<Record<number, { min: TlsVersionName; max: TlsVersionName }>>;
  /** op 2 <legacy_cs> values besides 0, 99 and 100. */
  legacyCipherSuites: readonly number[];
  /** op 2 <legacy_cs>=99: one suite by IANA code. */
  ianaCipherSuite: boolean;
  /** op 2 <legacy_cs>=100: a list of suites by IANA code (add / remove). */
  ianaCipherList: boolean;
  /** Longest list op 2 <legacy_cs>=100 builds. */
  maxCipherList: number;
  /** IANA codes op 2 accepts with 99 and 100. */
  cipherSuites: readonly number[];
  /** What <legacy_cs>=0 proposes: the suites marked (D) in "Cipher suite applicability". */
  defaultCipherSuites: readonly number[];
  /** op 9 takes <preshared_key_id_str_type> (hex identities). */
  pskIdentityHex: boolean;
  /** Whether the host name goes out as SNI when op 10 is empty (u-blox: no, op 10 is needed). */
  sniFromHost: boolean;
  /** op 13 <sess_tag> values the product handles. */
  sessionTags: readonly number[];
  /** op 13 tag 1 <sess_type> values the product handles. */
  sessionTypes: readonly number[];
  /**
   * op 13 tags and types that need the root of trust's local encryption (12, 13, 15 and
   * 10, 11, 13): documented, refused with "operation not supported" until local data
   * protection exists.
   */
  localEncryptionSessionTags: readonly number[];
  localEncryptionSessionTypes: readonly number[];
  /** Longest base64 session data (op 13 tags 3, 5). */
  maxSessionData: number;
  /** Silence that aborts the op 13 tag 5 data prompt. */
  sessionDataGuardMs: number;
  /** Signature algorithms and key sizes the product's path validation accepts. */
  certificates: CertificateRules;
}

const ALL_OPS = Array.from({ length: 17 }, (_, i) => i);

/** The seed's (D) marks, in its order (0x009F is printed as TLS_RSA_..., its code is DHE_RSA's). */
const DEFAULT_SUITES = [
  0x009c, 0x009d, 0x009e, 0x009f, 0x00a8, 0x00a9, 0x00aa, 0x00ab, 0x00ac, 0x00ad, 0x00ae, 0x00af, 0xc023, 0xc02b, 0xc02c, 0xc02d,
  0xc02f, 0xc030, 0xc037, 0xc038, 0xc09c, 0xc0a1, 0xc0a4, 0xc0a5, 0xc0a6, 0xc0a7, 0xc0a8, 0xc0a9, 0xc0aa, 0xc0ab, 0xc0ac, 0xc0ad,
  0xc0ae, 0xc0af,
];

/** SARA-R5 (not the "00" versions): TLS 1.0 to 1.3, every op code, IANA suites and lists. */
export const saraR5Tls: TlsTable = {
  profiles: 5,
  maxConcurrentSessions: 4,
  handshakeInactivityMs: 60_000,
  opCodes: ALL_OPS,
  versions: {
    0: { min: 'TLSv1', max: 'TLSv1.3' },
    1: { min: 'TLSv1', max: 'TLSv1.3' },
    2: { min: 'TLSv1.1', max: 'TLSv1.3' },
    3: { min: 'TLSv1.2', max: 'TLSv1.3' },
    4: { min: 'TLSv1.3', max: 'TLSv1.3' },
  },
  legacyCipherSuites: LEGACY_NUMBERS,
  ianaCipherSuite: true,
  ianaCipherList: true,
  maxCipherList: 10,
  cipherSuites: TABLE_26_CODES,
  defaultCipherSuites: DEFAULT_SUITES,
  pskIdentityHex: true,
  sniFromHost: false,
  sessionTags: [0, 1, 2, 3, 5],
  sessionTypes: [0, 1, 3],
  localEncryptionSessionTags: [12, 13, 15],
  localEncryptionSessionTypes: [10, 11, 13],
  maxSessionData: 8192,
  sessionDataGuardMs: 20_000,
  certificates: UBLOX_CERTIFICATE_RULES,
};

/**
 * SARA-R4: the restrictions the seed's +USECPRF notes list for the products without TLS 1.3
 * (no TLS 1.3, "any" means TLS 1.2, no IANA list, legacy suites 10, 11, 12, 15, 16 refused,
 * no hex PSK identity) and the op codes its "Allowed values" line gives (no 11, 14).
 */
export const saraR4Tls: TlsTable = {
  ...saraR5Tls,
  maxConcurrentSessions: 2,
  opCodes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 15, 16],
  versions: {
    0: { min: 'TLSv1.2', max: 'TLSv1.2' },
    1: { min: 'TLSv1', max: 'TLSv1.2' },
    2: { min: 'TLSv1.1', max: 'TLSv1.2' },
    3: { min: 'TLSv1.2', max: 'TLSv1.2' },
  },
  legacyCipherSuites: LEGACY_NUMBERS.filter((n) => ![10, 11, 12, 15, 16].includes(n)),
  ianaCipherList: false,
  pskIdentityHex: false,
  sessionTags: [0, 1, 2],
  sessionTypes: [0],
};
