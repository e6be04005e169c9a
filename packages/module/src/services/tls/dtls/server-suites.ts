import { constants, sign, verify, type KeyObject } from 'node:crypto';
import { DTLS_CERT_SUITES, DTLS_PSK_SUITES } from './suites.js';

/**
 * What the DTLS server negotiates: the certificate suites of suites.ts (ECDHE, AES-GCM)
 * and two PSK suites (RFC 4279 key exchange, RFC 5487 / RFC 6655 records).
 */
export interface DtlsServerSuite {
  code: number;
  kx: 'ecdhe' | 'psk';
  /** For ECDHE: the server key type that signs the key exchange. */
  auth?: 'ecdsa' | 'rsa';
  cipher: 'gcm' | 'ccm8';
  keyLength: 16 | 32;
  prfHash: 'sha256' | 'sha384';
}

/** In the server's order of preference: the certificate suites, then the PSK ones (suites.ts). */
export const DTLS_SERVER_SUITES: readonly DtlsServerSuite[] = [
  ...DTLS_CERT_SUITES.map((c) => ({ code: c.code, kx: 'ecdhe' as const, auth: c.auth, cipher: 'gcm' as const, keyLength: c.keyLength, prfHash: c.prfHash })),
  ...DTLS_PSK_SUITES.map((p) => ({ code: p.code, kx: 'psk' as const, cipher: p.record, keyLength: p.keyLength, prfHash: p.prfHash })),
];

const HASH_OF: Record<number, string> = { 4: 'sha256', 5: 'sha384', 6: 'sha512' };

function schemeParams(scheme: number): { hash: string; pss: boolean } | undefined {
  if (scheme >= 0x0804 && scheme <= 0x0806) return { hash: HASH_OF[scheme - 0x0800]!, pss: true };
  const hash = HASH_OF[scheme >> 8];
  return hash && (scheme & 0xff) !== 0 ? { hash, pss: false } : undefined;
}

/** The scheme the server signs ServerKeyExchange with, among those the client offered. */
export function serverScheme(key: KeyObject, offered: number[]): number | undefined {
  const want = key.asymmetricKeyType === 'ec'
    ? key.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? [0x0503, 0x0403] : [0x0403, 0x0503]
    : [0x0401, 0x0804, 0x0501, 0x0805, 0x0601];
  // Without signature_algorithms, TLS 1.2 assumes SHA-1; we require the extension's SHA-2 schemes.
  return want.find((s) => offered.includes(s));
}

export function makeSignature(scheme: number, data: Buffer, key: KeyObject): Buffer {
  const p = schemeParams(scheme)!;
  if (p.pss) return sign(p.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
  return sign(p.hash, data, key);
}

export function checkSignature(scheme: number, data: Buffer, key: KeyObject, signature: Buffer): boolean {
  const p = schemeParams(scheme);
  if (!p) return false;
  try {
    if (p.pss) return verify(p.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature);
    return verify(p.hash, data, key, signature);
  } catch {
    return false;
  }
}

export function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

/** A TLS vector: its length in `width` bytes, then the bytes. */
export function vec(width: 1 | 2 | 3, data: Buffer): Buffer {
  const h = Buffer.alloc(width);
  h.writeUIntBE(data.length, 0, width);
  return Buffer.concat([h, data]);
}

export class DecodeError extends Error {}

export function readVec(b: Buffer, at: number, width: 1 | 2 | 3): { value: Buffer; end: number } {
  if (at + width > b.length) throw new DecodeError('truncated handshake message');
  const length = b.readUIntBE(at, width);
  const end = at + width + length;
  if (end > b.length) throw new DecodeError('truncated handshake message');
  return { value: b.subarray(at + width, end), end };
}

export interface ClientHello {
  random: Buffer;
  sessionId: Buffer;
  cookie: Buffer;
  suites: number[];
  /** Extension type → data. */
  extensions: Map<number, Buffer>;
}

export function parseClientHello(b: Buffer): ClientHello {
  if (b.length < 34 || b.readUInt16BE(0) !== 0xfefd) throw new DecodeError('not a DTLS 1.2 ClientHello');
  const random = b.subarray(2, 34);
  const sid = readVec(b, 34, 1);
  const cookie = readVec(b, sid.end, 1);
  const cs = readVec(b, cookie.end, 2);
  const comp = readVec(b, cs.end, 1);
  const suites: number[] = [];
  for (let i = 0; i + 1 < cs.value.length; i += 2) suites.push(cs.value.readUInt16BE(i));
  const extensions = new Map<number, Buffer>();
  if (comp.end < b.length) {
    const ext = readVec(b, comp.end, 2).value;
    for (let at = 0; at + 4 <= ext.length; ) {
      const type = ext.readUInt16BE(at);
      const data = readVec(ext, at + 2, 2);
      extensions.set(type, data.value);
      at = data.end;
    }
  }
  return { random: Buffer.from(random), sessionId: Buffer.from(sid.value), cookie: Buffer.from(cookie.value), suites, extensions };
}

export function u16List(data: Buffer | undefined, width: 1 | 2 = 2): number[] {
  if (!data) return [];
  const v = readVec(data, 0, width).value;
  const out: number[] = [];
  for (let i = 0; i + 1 < v.length; i += 2) out.push(v.readUInt16BE(i));
  return out;
}
