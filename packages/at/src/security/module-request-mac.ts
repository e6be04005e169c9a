import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * How a module proves a request to the security cloud comes from its root of trust
 * (shared by the module, which signs, and the cloud, which verifies; no I/O here).
 *
 *   key  = HKDF-SHA256(ikm = rootSecret, salt = "", info = "modemlab/cloud/module-request/v1", 32)
 *   text = "MODEMLAB-MODULE-REQUEST-V1\n" + METHOD + "\n" + path + "\n" + ROTUID + "\n"
 *          + counter (decimal) + "\n" + nonce (hex) + "\n" + hex(SHA-256(body bytes))
 *   mac  = hex(HMAC-SHA256(key, text))
 *
 * The counter is per root of trust and strictly increasing (the cloud stores the last one
 * it accepted); the nonce is 16 random bytes per request, so two clones of one root of
 * trust sending the same counter produce different MACs: that difference is how the
 * cloud tells a clone from a replay.
 */
export const MODULE_REQUEST_HEADERS = {
  rotUid: 'x-modemlab-rot-uid',
  counter: 'x-modemlab-counter',
  nonce: 'x-modemlab-nonce',
  mac: 'x-modemlab-mac',
} as const;

const KEY_INFO = 'modemlab/cloud/module-request/v1';
const DOMAIN = 'MODEMLAB-MODULE-REQUEST-V1';

export interface ModuleRequestParts {
  method: string;
  /** Path with query, as sent (e.g. `/v1/module/heartbeat`). */
  path: string;
  /** 16 hex chars; compared uppercase. */
  rotUid: string;
  counter: number;
  /** 32 hex chars. */
  nonce: string;
  body: Uint8Array;
}

export function moduleRequestKey(rootSecret: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', rootSecret, Buffer.alloc(0), KEY_INFO, 32));
}

export function moduleRequestMac(key: Uint8Array, p: ModuleRequestParts): string {
  const bodyHash = createHash('sha256').update(p.body).digest('hex');
  const text = [DOMAIN, p.method.toUpperCase(), p.path, p.rotUid.toUpperCase(), String(p.counter), p.nonce.toLowerCase(), bodyHash].join('\n');
  return createHmac('sha256', key).update(text, 'utf8').digest('hex');
}

/** Constant-time comparison of a received MAC (hex) with the expected one. */
export function moduleRequestMacValid(key: Uint8Array, p: ModuleRequestParts, mac: string): boolean {
  if (!/^[0-9a-fA-F]{64}$/.test(mac)) return false;
  return timingSafeEqual(Buffer.from(moduleRequestMac(key, p), 'hex'), Buffer.from(mac, 'hex'));
}

/** The headers a module sends with a request. */
export function moduleRequestHeaders(rootSecret: Uint8Array, p: ModuleRequestParts): Record<string, string> {
  return {
    [MODULE_REQUEST_HEADERS.rotUid]: p.rotUid.toUpperCase(),
    [MODULE_REQUEST_HEADERS.counter]: String(p.counter),
    [MODULE_REQUEST_HEADERS.nonce]: p.nonce.toLowerCase(),
    [MODULE_REQUEST_HEADERS.mac]: moduleRequestMac(moduleRequestKey(rootSecret), p),
  };
}
