import { createCipheriv } from 'node:crypto';

/**
 * AES-CCM decryption written from RFC 3610 over raw AES blocks, independent of
 * node:crypto's 'aes-*-ccm' (which the code under test uses). Tests use it to check that
 * what the module and the cloud produce is what any CCM implementation — PyCryptodome in
 * u-blox's official decryption script — accepts.
 */
function aesBlock(key: Buffer, block: Buffer): Buffer {
  const c = createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

function counterBlock(nonce: Buffer, L: number, i: number): Buffer {
  const a = Buffer.alloc(16);
  a[0] = L - 1;
  nonce.copy(a, 1);
  a.writeUIntBE(i, 16 - L, L);
  return a;
}

/** Returns the plaintext, or throws when the tag does not verify. */
export function ccmDecryptReference(key: Buffer, nonce: Buffer, ciphertext: Buffer, tag: Buffer, aad: Buffer = Buffer.alloc(0)): Buffer {
  const L = 15 - nonce.length;
  const M = tag.length;
  // Decrypt: m = c xor S_1, S_2, ...
  const plain = Buffer.alloc(ciphertext.length);
  for (let off = 0, i = 1; off < ciphertext.length; off += 16, i++) {
    const s = aesBlock(key, counterBlock(nonce, L, i));
    const chunk = ciphertext.subarray(off, off + 16);
    xor(chunk, s.subarray(0, chunk.length)).copy(plain, off);
  }
  // CBC-MAC over B_0, the AAD (length-prefixed, padded), the plaintext (padded).
  const b0 = Buffer.alloc(16);
  b0[0] = (aad.length > 0 ? 0x40 : 0) | (((M - 2) / 2) << 3) | (L - 1);
  nonce.copy(b0, 1);
  b0.writeUIntBE(plain.length, 16 - L, L);
  const pad = (b: Buffer): Buffer => Buffer.concat([b, Buffer.alloc((16 - (b.length % 16)) % 16)]);
  const aadLen = Buffer.alloc(2);
  aadLen.writeUInt16BE(aad.length);
  const macInput = Buffer.concat([b0, aad.length > 0 ? pad(Buffer.concat([aadLen, aad])) : Buffer.alloc(0), pad(plain)]);
  let x: Buffer = Buffer.alloc(16);
  for (let off = 0; off < macInput.length; off += 16) x = aesBlock(key, xor(x, macInput.subarray(off, off + 16)));
  const expected = xor(x.subarray(0, M), aesBlock(key, counterBlock(nonce, L, 0)).subarray(0, M));
  if (!expected.equals(tag)) throw new Error('CCM tag mismatch');
  return plain;
}

/**
 * u-blox's official e2edecrypt.py, step by step (notes §2.1): key/nonce from base64,
 * mac_len = MACLength // 8, key identity 16 bytes if the first hex char is '1' else 11,
 * ciphertext = data[kid:-mac], tag = data[-mac:], CCM with PyCryptodome defaults (no AAD).
 */
export function officialScriptDecrypt(data: Buffer, params: { Nonce: string; MACLength: number; CipherSuite: string; Key: string; ROTPublicUID: string }): Buffer {
  if (params.CipherSuite !== 'AES_128_CCM') throw new Error('V2 not supported');
  const key = Buffer.from(params.Key, 'base64');
  const nonce = Buffer.from(params.Nonce, 'base64');
  const macLen = Math.floor(params.MACLength / 8);
  const kidLen = data.toString('hex')[0] === '1' ? 16 : 11;
  return ccmDecryptReference(key, nonce, data.subarray(kidLen, data.length - macLen), data.subarray(data.length - macLen));
}
