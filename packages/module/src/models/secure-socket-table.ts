/**
 * What a product's single secure socket (Telit #SSL*) offers, per seed 003's tables: the
 * numbering of <cipher_suite> and what 0 proposes, the certificate formats #SSLSECDATA
 * takes, whether #SSLFASTD and <closureType> 1 exist, the private-key formats, the size
 * of security data and the largest SSL record.
 */
export interface SecureSocketTable {
  /** <cipher_suite> 1..n -> IANA code (Tab. 1). */
  cipherSuites: Readonly<Record<number, number>>;
  /** What <cipher_suite> 0 proposes, in order (seed §3.2). */
  defaultSuites: readonly number[];
  /** <cert_format> values #SSLSECCFG accepts (0 DER, 1 PEM); empty: the parameter does not exist (PEM only). */
  certFormats: readonly number[];
  /** #SSLFASTD and <closureType> 1 (session kept for a fast dial). */
  fastDial: boolean;
  /** Private key encodings #SSLSECDATA accepts: 'pkcs1' (RSA PRIVATE KEY) and/or 'pkcs8'. */
  keyFormats: readonly ('pkcs1' | 'pkcs8')[];
  /** Largest security data (<size>), bytes. */
  maxSecurityData: number;
  /**
   * Largest SSL record the module handles (seed 003 §4: GC, GE/GL, GT families 15800 bytes;
   * its footnote 4 exempts the GE910 itself; HE910/UE910: the TLS maximum, 16384). Recorded,
   * not enforced: node:tls does not show record boundaries to the client.
   */
  maxRecord: number;
  /** #SSLCFG factory values: cid, pktSize, maxTo (s), defTo (100 ms), txTo (100 ms). */
  defaults: { cid: number; pktSize: number; maxTo: number; defTo: number; txTo: number };
  /** #SSLCFG ranges. */
  ranges: { pktSize: [number, number]; maxTo: [number, number]; defTo: [number, number]; txTo: [number, number] };
  /** Largest <MaxNumByte> of #SSLRECV and <bytestosend> of #SSLSENDEXT. */
  maxRecv: number;
  maxSendExt: number;
}

const TLS_RSA_WITH_NULL_SHA = 0x0002;
const TLS_RSA_WITH_RC4_128_MD5 = 0x0004;
const TLS_RSA_WITH_RC4_128_SHA = 0x0005;
const TLS_RSA_WITH_AES_128_CBC_SHA = 0x002f;
const TLS_RSA_WITH_AES_256_CBC_SHA = 0x0035;

const COMMON = {
  maxSecurityData: 2047,
  // Telit AT reference (GE910/HE910 #SSLCFG): pktSize 0 = automatic (300), maxTo 90 s,
  // defTo 100 (x100 ms), txTo 50 (x100 ms).
  defaults: { cid: 1, pktSize: 300, maxTo: 90, defTo: 100, txTo: 50 },
  ranges: { pktSize: [0, 1500], maxTo: [0, 65535], defTo: [1, 6000], txTo: [0, 255] } as SecureSocketTable['ranges'],
  maxRecv: 1000,
  maxSendExt: 1500,
};

/** GC, GE/GL and GT families (GE910): PEM only, fast dial, AES-256 as suite 3. */
export const geFamilySecureSocket: SecureSocketTable = {
  cipherSuites: { 1: TLS_RSA_WITH_RC4_128_MD5, 2: TLS_RSA_WITH_RC4_128_SHA, 3: TLS_RSA_WITH_AES_256_CBC_SHA },
  defaultSuites: [TLS_RSA_WITH_RC4_128_MD5, TLS_RSA_WITH_RC4_128_SHA, TLS_RSA_WITH_AES_256_CBC_SHA],
  certFormats: [],
  fastDial: true,
  keyFormats: ['pkcs1', 'pkcs8'],
  maxRecord: 15800,
  ...COMMON,
};

/** HE910/UE910 families: PEM or DER, no fast dial, PKCS#1 keys, AES-128 as 3 and NULL-SHA as 4. */
export const heFamilySecureSocket: SecureSocketTable = {
  cipherSuites: { 1: TLS_RSA_WITH_RC4_128_MD5, 2: TLS_RSA_WITH_RC4_128_SHA, 3: TLS_RSA_WITH_AES_128_CBC_SHA, 4: TLS_RSA_WITH_NULL_SHA },
  defaultSuites: [TLS_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_RC4_128_SHA, TLS_RSA_WITH_RC4_128_MD5],
  certFormats: [0, 1],
  fastDial: false,
  keyFormats: ['pkcs1'],
  maxRecord: 16384,
  ...COMMON,
};
