import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DEV_IDX_BYTES } from './identity.js';
import { deriveFromRoot, SecurityFormatError } from './kdf.js';

/**
 * End-to-end data protection (+USECE2EDATAENC and the cloud's GetE2EDecryptionParameters),
 * notes §5.2/§5.3. Both versions are AES-128-CCM with a 16-byte tag and a 13-byte nonce that
 * never travels: the cloud regenerates key and nonce from the key identity at the front of
 * the blob and the device's root secret.
 *
 * V1 (16-byte identity, overhead 32, no AAD — what u-blox's official script decrypts):
 *   id  = 0x11 ‖ keySet ‖ devIdx(6) ‖ epochSalt(6) ‖ ctr(2 BE)
 *   K   = HKDF(root, salt = id[0..14), "ubx-emu/e2e/v1/key", 16)     same key for one epoch
 *   N   = HKDF(root, salt = id,        "ubx-emu/e2e/v1/nonce", 13)   new nonce per counter
 *   out = id ‖ ct ‖ tag
 * keySet 0x01 is uplink (device → cloud); 0x02 is downlink (cloud app → device, our design):
 * the byte is inside the salt, so the two directions never share a key.
 *
 * V2 (11-byte identity, overhead 28; the header is authenticated):
 *   id  = 0x21 ‖ devIdx(6) ‖ epoch(1) ‖ ctr(3 BE);  hdr = id ‖ 0x00
 *   K   = HKDF(root, salt = id[0..8), "ubx-emu/e2e/v2/key", 16);  N = HKDF(root, id, ".../nonce", 13)
 *   out = hdr ‖ AES-128-CCM(K, N, aad = hdr)(pt) ‖ tag
 */
export type E2eVersion = 1 | 2;

export const E2E_TAG_BYTES = 16;
export const E2E_NONCE_BYTES = 13;
export const E2E_KEY_BYTES = 16;
/** MACLength in the API is in bits (the official script divides by 8). */
export const E2E_MAC_LENGTH_BITS = E2E_TAG_BYTES * 8;

export const E2E_V1 = {
  format: 0x11,
  identityBytes: 16,
  headerBytes: 16,
  overhead: 32,
  epochSaltBytes: 6,
  maxCounter: 0xffff,
  cipherSuite: 'AES_128_CCM',
} as const;

export const E2E_V2 = {
  format: 0x21,
  identityBytes: 11,
  headerBytes: 12,
  overhead: 28,
  maxCounter: 0xffffff,
  cipherSuite: 'AES_128_CCM_AAD',
} as const;

export const E2E_KEY_SET = { uplink: 0x01, downlink: 0x02 } as const;
export type E2eDirection = keyof typeof E2E_KEY_SET;

/** What a decryptor needs; what GetE2EDecryptionParameters answers (base64/bits there). */
export interface E2eParameters {
  version: E2eVersion;
  key: Buffer;
  nonce: Buffer;
  macLengthBits: number;
  cipherSuite: string;
}

/** The parsed key identity: which version, which device, which direction. */
export interface E2eIdentity {
  version: E2eVersion;
  direction: E2eDirection;
  devIdx: Buffer;
  /** The identity bytes themselves (16 for V1, 11 for V2). */
  bytes: Buffer;
}

function checkDevIdx(devIdx: Uint8Array): void {
  if (devIdx.length !== DEV_IDX_BYTES) throw new SecurityFormatError(`devIdx must be ${DEV_IDX_BYTES} bytes`);
}

export function e2eV1Identity(p: { devIdx: Uint8Array; epochSalt: Uint8Array; counter: number; direction?: E2eDirection }): Buffer {
  checkDevIdx(p.devIdx);
  if (p.epochSalt.length !== E2E_V1.epochSaltBytes) throw new SecurityFormatError('V1 epoch salt must be 6 bytes');
  if (!Number.isInteger(p.counter) || p.counter < 0 || p.counter > E2E_V1.maxCounter) throw new SecurityFormatError('V1 counter must be 0..65535');
  const ctr = Buffer.alloc(2);
  ctr.writeUInt16BE(p.counter);
  return Buffer.concat([Buffer.from([E2E_V1.format, E2E_KEY_SET[p.direction ?? 'uplink']]), p.devIdx, p.epochSalt, ctr]);
}

export function e2eV2Identity(p: { devIdx: Uint8Array; epoch: number; counter: number }): Buffer {
  checkDevIdx(p.devIdx);
  if (!Number.isInteger(p.counter) || p.counter < 0 || p.counter > E2E_V2.maxCounter) throw new SecurityFormatError('V2 counter must be 0..16777215');
  const ctr = Buffer.alloc(3);
  ctr.writeUIntBE(p.counter, 0, 3);
  return Buffer.concat([Buffer.from([E2E_V2.format]), p.devIdx, Buffer.from([p.epoch & 0xff]), ctr]);
}

/** A fresh random V1 epoch salt: "a different key for every message" mode. */
export const randomEpochSalt = (): Buffer => randomBytes(E2E_V1.epochSaltBytes);

/** The V1 epoch salt of key epoch `epoch`: "key until rotation" mode, nothing to store. */
export function e2eEpochSalt(rootSecret: Uint8Array, epoch: number): Buffer {
  const e = Buffer.alloc(4);
  e.writeUInt32BE(epoch >>> 0);
  return deriveFromRoot(rootSecret, e, 'ubx-emu/e2e/v1/epoch', E2E_V1.epochSaltBytes);
}

/**
 * Parses a key identity (or any prefix of a blob that holds one): the first nibble says the
 * version, which fixes the length (official script: 16 bytes if the first hex char is 1,
 * else 11). `exact` rejects trailing bytes (what the REST API is given).
 */
export function parseE2eIdentity(data: Uint8Array, opts: { exact?: boolean } = {}): E2eIdentity {
  const b = Buffer.from(data);
  const nibble = (b[0] ?? 0) >> 4;
  if (nibble === 1) {
    if (b.length < E2E_V1.identityBytes || (opts.exact && b.length !== E2E_V1.identityBytes)) throw new SecurityFormatError('a V1 key identity is 16 bytes');
    const keySet = b[1];
    const direction = keySet === E2E_KEY_SET.uplink ? 'uplink' : keySet === E2E_KEY_SET.downlink ? 'downlink' : undefined;
    if (b[0] !== E2E_V1.format || direction === undefined) throw new SecurityFormatError('unknown V1 key identity format');
    return { version: 1, direction, devIdx: b.subarray(2, 8), bytes: b.subarray(0, E2E_V1.identityBytes) };
  }
  if (nibble === 2) {
    if (b.length < E2E_V2.identityBytes || (opts.exact && b.length !== E2E_V2.identityBytes)) throw new SecurityFormatError('a V2 key identity is 11 bytes');
    if (b[0] !== E2E_V2.format) throw new SecurityFormatError('unknown V2 key identity format');
    return { version: 2, direction: 'uplink', devIdx: b.subarray(1, 7), bytes: b.subarray(0, E2E_V2.identityBytes) };
  }
  throw new SecurityFormatError('not an E2E key identity (first nibble must be 1 or 2)');
}

/** Key and nonce of one identity: what the cloud regenerates from the root secret. */
export function e2eParameters(rootSecret: Uint8Array, identity: Uint8Array): E2eParameters {
  const id = parseE2eIdentity(identity, { exact: true });
  const v = id.version === 1 ? 'v1' : 'v2';
  const keySalt = id.version === 1 ? id.bytes.subarray(0, 14) : id.bytes.subarray(0, 8);
  return {
    version: id.version,
    key: deriveFromRoot(rootSecret, keySalt, `ubx-emu/e2e/${v}/key`, E2E_KEY_BYTES),
    nonce: deriveFromRoot(rootSecret, id.bytes, `ubx-emu/e2e/${v}/nonce`, E2E_NONCE_BYTES),
    macLengthBits: E2E_MAC_LENGTH_BITS,
    cipherSuite: id.version === 1 ? E2E_V1.cipherSuite : E2E_V2.cipherSuite,
  };
}

/** The bytes in front of the ciphertext: the identity (V1) or identity ‖ 0x00 (V2). */
function headerOf(version: E2eVersion, identity: Buffer): Buffer {
  return version === 1 ? identity : Buffer.concat([identity, Buffer.from([0])]);
}

/** Encrypts with given parameters under a given identity (cloud downlink, tests). */
export function e2eSeal(params: E2eParameters, identity: Uint8Array, plaintext: Uint8Array): Buffer {
  const header = headerOf(params.version, Buffer.from(identity));
  const tagBytes = params.macLengthBits / 8;
  const c = createCipheriv('aes-128-ccm', params.key, params.nonce, { authTagLength: tagBytes });
  if (params.version === 2) c.setAAD(header, { plaintextLength: plaintext.length });
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([header, ct, c.getAuthTag()]);
}

/** What the module does for +USECE2EDATAENC: derive from the root secret, then seal. */
export function e2eEncrypt(rootSecret: Uint8Array, identity: Uint8Array, plaintext: Uint8Array): Buffer {
  return e2eSeal(e2eParameters(rootSecret, identity), identity, plaintext);
}

/**
 * Opens a blob with the parameters the cloud gave for its identity. Throws
 * SecurityFormatError when the blob is too short or the tag does not verify.
 */
export function e2eOpen(blob: Uint8Array, params: Pick<E2eParameters, 'version' | 'key' | 'nonce' | 'macLengthBits'>): Buffer {
  const b = Buffer.from(blob);
  const headerBytes = params.version === 1 ? E2E_V1.headerBytes : E2E_V2.headerBytes;
  const tagBytes = params.macLengthBits / 8;
  if (b.length < headerBytes + tagBytes) throw new SecurityFormatError('E2E blob too short');
  const header = b.subarray(0, headerBytes);
  const ct = b.subarray(headerBytes, b.length - tagBytes);
  const d = createDecipheriv('aes-128-ccm', params.key, params.nonce, { authTagLength: tagBytes });
  d.setAuthTag(b.subarray(b.length - tagBytes));
  if (params.version === 2) d.setAAD(header, { plaintextLength: ct.length });
  const pt = d.update(ct);
  try {
    d.final();
  } catch {
    throw new SecurityFormatError('E2E blob does not authenticate');
  }
  return pt;
}

/** The module's side of downlink (+USECE2EDATADEC): regenerate from the root secret and open. */
export function e2eDecrypt(rootSecret: Uint8Array, blob: Uint8Array): Buffer {
  const id = parseE2eIdentity(blob);
  return e2eOpen(blob, e2eParameters(rootSecret, id.bytes));
}
