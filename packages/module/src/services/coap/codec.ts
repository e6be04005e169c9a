import { generate, parse, type ParsedPacket } from 'coap-packet';
import type { CoapMessage, CoapOption } from './message.js';

/**
 * CoAP's two framings. Options and payload are coap-packet's (RFC 7252 encoding); CoAP over
 * TCP (RFC 8323 §3.2) differs only in the header before the token, so a TCP frame is the UDP
 * datagram's body behind a Len/TKL header, and is parsed by putting a UDP header back.
 */

/** coap-packet names the options it knows; the rest come back as their number in text. */
const OPTION_NUMBER: Record<string, number> = {
  'If-Match': 1, 'Uri-Host': 3, ETag: 4, 'If-None-Match': 5, Observe: 6, 'Uri-Port': 7, 'Location-Path': 8, OSCORE: 9,
  'Uri-Path': 11, 'Content-Format': 12, 'Max-Age': 14, 'Uri-Query': 15, 'Hop-Limit': 16, Accept: 17, 'Q-Block1': 19,
  'Location-Query': 20, Block2: 23, Block1: 27, Size2: 28, 'Q-Block2': 31, 'Proxy-Uri': 35, 'Proxy-Scheme': 39,
  Size1: 60, 'No-Response': 258, 'OCF-Accept-Content-Format-Version': 2049, 'OCF-Content-Format-Version': 2053,
};

const codeText = (code: number): string => `${code >> 5}.${String(code & 31).padStart(2, '0')}`;
/** Large enough for any frame this client builds (1 KB blocks, a 64 KB stream frame). */
const MAX_FRAME = 70_000;

function fromParsed(p: ParsedPacket, type?: CoapMessage['type']): CoapMessage {
  const [c, d] = p.code.split('.').map(Number);
  const options: CoapOption[] = p.options.map((o) => ({ number: typeof o.name === 'number' ? o.name : (OPTION_NUMBER[o.name] ?? Number(o.name)), value: Buffer.from(o.value) }));
  return {
    type: type ?? (p.ack ? 'ACK' : p.reset ? 'RST' : p.confirmable ? 'CON' : 'NON'),
    code: (c! << 5) | d!,
    messageId: p.messageId,
    token: Buffer.from(p.token),
    options,
    payload: Buffer.from(p.payload),
  };
}

export function encodeUdp(m: CoapMessage): Buffer {
  return generate(
    {
      code: codeText(m.code),
      messageId: m.messageId,
      token: m.token,
      options: m.options.map((o) => ({ name: o.number, value: o.value })),
      payload: m.payload,
      confirmable: m.type === 'CON',
      ack: m.type === 'ACK',
      reset: m.type === 'RST',
    },
    MAX_FRAME,
  );
}

/** Throws on a datagram that is not CoAP. */
export function decodeUdp(datagram: Buffer): CoapMessage {
  if (datagram.length < 4 || datagram[0]! >> 6 !== 1) throw new Error('not a CoAP datagram');
  return fromParsed(parse(datagram));
}

/** One RFC 8323 frame: Len/TKL, extended length, code, token, options, payload. */
export function encodeTcp(m: CoapMessage): Buffer {
  const udp = encodeUdp({ ...m, type: 'NON', messageId: 0 });
  const body = udp.subarray(4 + m.token.length); // options and payload
  const len = body.length;
  let head: Buffer;
  if (len < 13) head = Buffer.from([(len << 4) | m.token.length]);
  else if (len < 269) head = Buffer.from([(13 << 4) | m.token.length, len - 13]);
  else if (len < 65805) {
    head = Buffer.alloc(3);
    head[0] = (14 << 4) | m.token.length;
    head.writeUInt16BE(len - 269, 1);
  } else {
    head = Buffer.alloc(5);
    head[0] = (15 << 4) | m.token.length;
    head.writeUInt32BE(len - 65805, 1);
  }
  return Buffer.concat([head, Buffer.from([m.code]), m.token, body]);
}

/** Cuts a TCP byte stream into CoAP messages (RFC 8323 §3.2). */
export class TcpFrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  /** The complete messages the bytes finish; throws on a frame that cannot be CoAP. */
  push(bytes: Buffer): CoapMessage[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, bytes]) : bytes;
    const out: CoapMessage[] = [];
    for (;;) {
      const b = this.buffered;
      if (b.length < 1) break;
      const lenField = b[0]! >> 4;
      const tkl = b[0]! & 15;
      if (tkl > 8) throw new Error('token longer than 8 bytes');
      const ext = lenField === 13 ? 1 : lenField === 14 ? 2 : lenField === 15 ? 4 : 0;
      if (b.length < 1 + ext) break;
      const len = ext === 0 ? lenField : ext === 1 ? b[1]! + 13 : ext === 2 ? b.readUInt16BE(1) + 269 : b.readUInt32BE(1) + 65805;
      const total = 1 + ext + 1 + tkl + len;
      if (total > MAX_FRAME) throw new Error('frame too large');
      if (b.length < total) break;
      const code = b[1 + ext]!;
      const token = b.subarray(2 + ext, 2 + ext + tkl);
      const body = b.subarray(2 + ext + tkl, total);
      const udp = Buffer.concat([Buffer.from([0x50 | tkl, code, 0, 0]), token, body]);
      out.push(fromParsed(parse(udp), 'CON'));
      this.buffered = b.subarray(total);
    }
    return out;
  }
}
