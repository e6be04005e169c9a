/**
 * OpenSSL's SSL_SESSION as DER, the form node:tls hands out (getSession(), 'session') and
 * takes back (`session:`). The module's session resumption (+USECPRF op 13) shows the
 * session ID and master secret and lets the host set them again, even after a reboot, so
 * we read those fields out of real sessions and rebuild sessions from them. The layout
 * (ssl/ssl_asn1.c): SEQUENCE { INTEGER 1, INTEGER version, OCTET STRING cipher,
 * OCTET STRING id, OCTET STRING masterKey, [1] time, [2] timeout, [3] peer, ... [10] ticket,
 * ... [13] flags }. A DER walker of our own: no ASN.1 library is worth a dependency here.
 */
export interface SessionFields {
  /** 0x0303 TLS 1.2, 0x0304 TLS 1.3, 0x0301/0x0302 TLS 1.0/1.1. */
  version: number;
  /** IANA cipher suite code. */
  cipher: number;
  sessionId: Buffer;
  masterKey: Buffer;
  /** Seconds since the epoch when the session was made. */
  time?: number;
  timeout?: number;
  /** The server certificate, DER. */
  peerCertificate?: Buffer;
  /** A session ticket, when the server issued one. */
  ticket?: Buffer;
  /** OpenSSL flags; 1 = extended master secret was negotiated. */
  flags?: number;
}

interface Tlv {
  tag: number;
  start: number;
  end: number;
  next: number;
}

function readTlv(b: Buffer, at: number): Tlv {
  const tag = b[at]!;
  let len = b[at + 1]!;
  let header = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[at + 2 + i]!;
    header = 2 + n;
  }
  const start = at + header;
  if (start + len > b.length) throw new Error('truncated DER');
  return { tag, start, end: start + len, next: start + len };
}

function readInt(b: Buffer, t: Tlv): number {
  let n = 0;
  for (let i = t.start; i < t.end; i++) n = n * 256 + b[i]!;
  return n;
}

export function parseSession(der: Buffer): SessionFields {
  const top = readTlv(der, 0);
  if (top.tag !== 0x30) throw new Error('not an SSL_SESSION');
  const children: Tlv[] = [];
  for (let at = top.start; at < top.end; ) {
    const t = readTlv(der, at);
    children.push(t);
    at = t.next;
  }
  const [, versionTlv, cipherTlv, idTlv, keyTlv] = children;
  if (!versionTlv || !cipherTlv || !idTlv || !keyTlv) throw new Error('SSL_SESSION too short');
  const fields: SessionFields = {
    version: readInt(der, versionTlv),
    cipher: readInt(der, cipherTlv),
    sessionId: Buffer.from(der.subarray(idTlv.start, idTlv.end)),
    masterKey: Buffer.from(der.subarray(keyTlv.start, keyTlv.end)),
  };
  for (const t of children.slice(5)) {
    if ((t.tag & 0xe0) !== 0xa0) continue;
    const inner = readTlv(der, t.start);
    const body = der.subarray(inner.start, inner.end);
    switch (t.tag & 0x1f) {
      case 1:
        fields.time = readInt(der, inner);
        break;
      case 2:
        fields.timeout = readInt(der, inner);
        break;
      case 3:
        fields.peerCertificate = Buffer.from(der.subarray(t.start, inner.end));
        break;
      case 10:
        fields.ticket = Buffer.from(body);
        break;
      case 13:
        fields.flags = readInt(der, inner);
        break;
    }
  }
  return fields;
}

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}

function integer(n: number): Buffer {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  if (bytes.length === 0) bytes.push(0);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}

const explicit = (n: number, inner: Buffer) => tlv(0xa0 | n, inner);

/** A session OpenSSL will resume from: the fields a module keeps, plus the server certificate Node re-verifies. */
export function buildSession(f: SessionFields): Buffer {
  const cipher = Buffer.from([(f.cipher >> 8) & 0xff, f.cipher & 0xff]);
  const parts = [
    integer(1),
    integer(f.version),
    tlv(0x04, cipher),
    tlv(0x04, f.sessionId),
    tlv(0x04, f.masterKey),
    explicit(1, integer(f.time ?? Math.floor(Date.now() / 1000))),
    explicit(2, integer(f.timeout ?? 7200)),
  ];
  if (f.peerCertificate) parts.push(explicit(3, f.peerCertificate));
  if (f.ticket) parts.push(explicit(10, tlv(0x04, f.ticket)));
  // Without the extended-master-secret flag OpenSSL refuses the resumption ("inconsistent extms").
  parts.push(explicit(13, integer(f.flags ?? 1)));
  return tlv(0x30, Buffer.concat(parts));
}
