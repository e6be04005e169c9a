/** DTLS handshake messages (RFC 6347 §4.2.2): headers, fragmentation and reassembly. */
export const HS = {
  helloRequest: 0,
  clientHello: 1,
  serverHello: 2,
  helloVerifyRequest: 3,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
  certificateVerify: 15,
  clientKeyExchange: 16,
  finished: 20,
} as const;

export interface HandshakeMessage {
  type: number;
  seq: number;
  body: Buffer;
}

/** The message as the transcript hashes it: unfragmented (offset 0, fragment length = length). */
export function wholeMessage(type: number, seq: number, body: Buffer): Buffer {
  const h = Buffer.alloc(12);
  h[0] = type;
  h.writeUIntBE(body.length, 1, 3);
  h.writeUInt16BE(seq, 4);
  h.writeUIntBE(0, 6, 3);
  h.writeUIntBE(body.length, 9, 3);
  return Buffer.concat([h, body]);
}

/** The message cut into fragments of at most `max` body bytes, each with its own header. */
export function fragments(type: number, seq: number, body: Buffer, max: number): Buffer[] {
  const out: Buffer[] = [];
  let offset = 0;
  do {
    const part = body.subarray(offset, offset + max);
    const h = Buffer.alloc(12);
    h[0] = type;
    h.writeUIntBE(body.length, 1, 3);
    h.writeUInt16BE(seq, 4);
    h.writeUIntBE(offset, 6, 3);
    h.writeUIntBE(part.length, 9, 3);
    out.push(Buffer.concat([h, part]));
    offset += part.length;
  } while (offset < body.length);
  return out;
}

interface Partial {
  type: number;
  body: Buffer;
  have: boolean[];
}

/** Collects fragments of handshake messages in any order; hands out whole messages in sequence. */
export class Reassembler {
  private readonly partial = new Map<number, Partial>();
  next = 0;

  /** Adds the handshake fragments of one record; returns whether any was an old (already handled) message. */
  add(record: Buffer): { old: boolean } {
    let at = 0;
    let old = false;
    while (at + 12 <= record.length) {
      const type = record[at]!;
      const length = record.readUIntBE(at + 1, 3);
      const seq = record.readUInt16BE(at + 4);
      const offset = record.readUIntBE(at + 6, 3);
      const fragLength = record.readUIntBE(at + 9, 3);
      const data = record.subarray(at + 12, at + 12 + fragLength);
      at += 12 + fragLength;
      if (data.length !== fragLength || offset + fragLength > length || length > 1 << 18) break;
      if (seq < this.next) {
        old = true;
        continue;
      }
      if (seq > this.next + 16) continue;
      let p = this.partial.get(seq);
      if (!p) {
        p = { type, body: Buffer.alloc(length), have: new Array<boolean>(length).fill(false) };
        this.partial.set(seq, p);
      }
      if (p.type !== type || p.body.length !== length) continue;
      data.copy(p.body, offset);
      for (let i = offset; i < offset + fragLength; i++) p.have[i] = true;
    }
    return { old };
  }

  /** The next whole message in sequence, if it has fully arrived. */
  take(): HandshakeMessage | undefined {
    const p = this.partial.get(this.next);
    if (!p || !p.have.every(Boolean)) return undefined;
    this.partial.delete(this.next);
    return { type: p.type, seq: this.next++, body: p.body };
  }

  /** Looks at the next message without taking it. */
  peekType(): number | undefined {
    const p = this.partial.get(this.next);
    return p && p.have.every(Boolean) ? p.type : undefined;
  }
}
