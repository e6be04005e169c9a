import { createCipheriv, createDecipheriv } from 'node:crypto';
import { aad, header, type DtlsRecord, type GcmKeys } from './record.js';

/**
 * AES-128-CCM_8 record protection (RFC 6655 §3, as TLS_PSK_WITH_AES_128_CCM_8 uses it): the
 * nonce is the 4-byte write IV then the 8-byte explicit nonce (epoch ‖ sequence number), the
 * additional data is the same as AES-GCM's, the tag is 8 bytes. Keys have GCM's shape.
 */
const TAG = 8;

export function sealCcm8Record(type: number, epoch: number, seq: number, plain: Buffer, keys: GcmKeys): Buffer {
  const explicit = Buffer.alloc(8);
  explicit.writeUInt16BE(epoch, 0);
  explicit.writeUIntBE(seq, 2, 6);
  const c = createCipheriv('aes-128-ccm', keys.key, Buffer.concat([keys.salt, explicit]), { authTagLength: TAG });
  c.setAAD(aad(type, epoch, seq, plain.length), { plaintextLength: plain.length });
  const body = Buffer.concat([explicit, c.update(plain), c.final(), c.getAuthTag()]);
  return Buffer.concat([header(type, epoch, seq, body.length), body]);
}

/** The plaintext of a CCM_8 record, or undefined when it does not authenticate. */
export function openCcm8Record(record: DtlsRecord, keys: GcmKeys): Buffer | undefined {
  const f = record.fragment;
  if (f.length < 8 + TAG) return undefined;
  const plainLength = f.length - 8 - TAG;
  try {
    const d = createDecipheriv('aes-128-ccm', keys.key, Buffer.concat([keys.salt, f.subarray(0, 8)]), { authTagLength: TAG });
    d.setAuthTag(f.subarray(f.length - TAG));
    d.setAAD(aad(record.type, record.epoch, record.seq, plainLength), { plaintextLength: plainLength });
    const plain = d.update(f.subarray(8, f.length - TAG));
    d.final();
    return plain;
  } catch {
    return undefined;
  }
}
