import { createCipheriv, createDecipheriv } from 'node:crypto';
import { DTLS12, type DtlsRecord, type GcmKeys } from './record.js';

/**
 * AES-128-CCM_8 record protection (RFC 6655, RFC 7251): the same nonce layout as AES-GCM
 * (4-byte implicit IV from the key block + 8-byte explicit epoch‖sequence) and the same
 * additional data, with an 8-byte tag. Kept beside record.ts so the GCM path stays untouched.
 */
const TAG = 8;

function aad(type: number, epoch: number, seq: number, length: number): Buffer {
  const a = Buffer.alloc(13);
  a.writeUInt16BE(epoch, 0);
  a.writeUIntBE(seq, 2, 6);
  a[8] = type;
  a.writeUInt16BE(DTLS12, 9);
  a.writeUInt16BE(length, 11);
  return a;
}

export function sealCcmRecord(type: number, epoch: number, seq: number, plain: Buffer, keys: GcmKeys): Buffer {
  const explicit = Buffer.alloc(8);
  explicit.writeUInt16BE(epoch, 0);
  explicit.writeUIntBE(seq, 2, 6);
  const c = createCipheriv('aes-128-ccm', keys.key, Buffer.concat([keys.salt, explicit]), { authTagLength: TAG });
  c.setAAD(aad(type, epoch, seq, plain.length), { plaintextLength: plain.length });
  const body = Buffer.concat([explicit, c.update(plain), c.final(), c.getAuthTag()]);
  const h = Buffer.alloc(13);
  h[0] = type;
  h.writeUInt16BE(DTLS12, 1);
  h.writeUInt16BE(epoch, 3);
  h.writeUIntBE(seq, 5, 6);
  h.writeUInt16BE(body.length, 11);
  return Buffer.concat([h, body]);
}

/** The plaintext, or undefined when the record does not authenticate. */
export function openCcmRecord(record: DtlsRecord, keys: GcmKeys): Buffer | undefined {
  const f = record.fragment;
  if (f.length < 8 + TAG) return undefined;
  const plainLength = f.length - 8 - TAG;
  try {
    const d = createDecipheriv('aes-128-ccm', keys.key, Buffer.concat([keys.salt, f.subarray(0, 8)]), { authTagLength: TAG });
    d.setAuthTag(f.subarray(f.length - TAG));
    d.setAAD(aad(record.type, record.epoch, record.seq, plainLength), { plaintextLength: plainLength });
    const out = d.update(f.subarray(8, f.length - TAG));
    d.final();
    return out;
  } catch {
    return undefined;
  }
}
