import { createCipheriv, createDecipheriv } from 'node:crypto';

/** DTLS 1.2 record layer (RFC 6347 §4.1): headers, epochs, sequence numbers, AES-GCM protection. */
export const CONTENT = { changeCipherSpec: 20, alert: 21, handshake: 22, applicationData: 23 } as const;
export const DTLS12 = 0xfefd;
const HEADER = 13;

export interface DtlsRecord {
  type: number;
  epoch: number;
  seq: number;
  fragment: Buffer;
}

/** Splits a datagram into its records; a truncated tail is dropped (RFC 6347 §4.1.2.7). */
export function parseRecords(datagram: Buffer): DtlsRecord[] {
  const out: DtlsRecord[] = [];
  let at = 0;
  while (at + HEADER <= datagram.length) {
    const length = datagram.readUInt16BE(at + 11);
    if (at + HEADER + length > datagram.length) break;
    out.push({ type: datagram[at]!, epoch: datagram.readUInt16BE(at + 3), seq: datagram.readUIntBE(at + 5, 6), fragment: datagram.subarray(at + HEADER, at + HEADER + length) });
    at += HEADER + length;
  }
  return out;
}

export function header(type: number, epoch: number, seq: number, length: number): Buffer {
  const h = Buffer.alloc(HEADER);
  h[0] = type;
  h.writeUInt16BE(DTLS12, 1);
  h.writeUInt16BE(epoch, 3);
  h.writeUIntBE(seq, 5, 6);
  h.writeUInt16BE(length, 11);
  return h;
}

export function aad(type: number, epoch: number, seq: number, length: number): Buffer {
  const a = Buffer.alloc(13);
  a.writeUInt16BE(epoch, 0);
  a.writeUIntBE(seq, 2, 6);
  a[8] = type;
  a.writeUInt16BE(DTLS12, 9);
  a.writeUInt16BE(length, 11);
  return a;
}

/** One direction's AES-GCM keys (RFC 5288): a 4-byte implicit salt and an 8-byte explicit nonce. */
export interface GcmKeys {
  key: Buffer;
  salt: Buffer;
}

const algorithm = (key: Buffer) => (key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm');

/** A record ready to send: plaintext at epoch 0, AES-GCM sealed otherwise. */
export function sealRecord(type: number, epoch: number, seq: number, plain: Buffer, keys?: GcmKeys): Buffer {
  if (!keys) return Buffer.concat([header(type, epoch, seq, plain.length), plain]);
  const explicit = Buffer.alloc(8);
  explicit.writeUInt16BE(epoch, 0);
  explicit.writeUIntBE(seq, 2, 6);
  const c = createCipheriv(algorithm(keys.key), keys.key, Buffer.concat([keys.salt, explicit]));
  c.setAAD(aad(type, epoch, seq, plain.length));
  const body = Buffer.concat([explicit, c.update(plain), c.final(), c.getAuthTag()]);
  return Buffer.concat([header(type, epoch, seq, body.length), body]);
}

/** The plaintext of a protected record, or undefined when it does not authenticate (dropped silently). */
export function openRecord(record: DtlsRecord, keys: GcmKeys): Buffer | undefined {
  const f = record.fragment;
  if (f.length < 8 + 16) return undefined;
  const plainLength = f.length - 24;
  try {
    const d = createDecipheriv(algorithm(keys.key), keys.key, Buffer.concat([keys.salt, f.subarray(0, 8)]));
    d.setAAD(aad(record.type, record.epoch, record.seq, plainLength));
    d.setAuthTag(f.subarray(f.length - 16));
    return Buffer.concat([d.update(f.subarray(8, f.length - 16)), d.final()]);
  } catch {
    return undefined;
  }
}

/** RFC 6347 §4.1.2.6 anti-replay: a 64-record sliding window over one epoch's sequence numbers. */
export class ReplayWindow {
  private top = -1;
  private bits = 0n;

  /** Whether `seq` is new; marks it seen (call only for records that authenticated). */
  accept(seq: number): boolean {
    if (seq > this.top) {
      const shift = BigInt(seq - this.top);
      this.bits = shift >= 64n ? 1n : ((this.bits << shift) | 1n) & 0xffffffffffffffffn;
      this.top = seq;
      return true;
    }
    const back = BigInt(this.top - seq);
    if (back >= 64n) return false;
    const mask = 1n << back;
    if (this.bits & mask) return false;
    this.bits |= mask;
    return true;
  }
}
