import { EventEmitter } from 'node:events';
import { createHmac, createPrivateKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { systemClock, type Clock } from '@modemlab/at';
import { createDgramSocket, type Socket as UdpSocket } from './udp.js';
import { CONTENT, parseRecords, type DtlsRecord } from './record.js';
import { DtlsPeerSession, type PeerConfig } from './server-session.js';
import { DecodeError, parseClientHello, u16, vec } from './server-suites.js';
import { HS } from './handshake.js';

export interface DtlsServerOptions {
  /** The server's certificate chain (PEM, leaf first) and its key (PEM): enables the ECDHE suites. */
  cert?: string;
  key?: string;
  /** Trusted root(s) (PEM): client certificates are then requested and required. */
  ca?: string;
  /** PSK identities and their keys: enables TLS_PSK_WITH_AES_128_GCM_SHA256 and _CCM_8. */
  psk?: ReadonlyMap<string, Buffer>;
  clock?: Clock;
  /** Most peers with state (handshaking or open); ClientHellos past it are dropped. Default 256. */
  maxPeers?: number;
  /** A peer silent this long is forgotten (no alert). Default 300 s. */
  idleMs?: number;
  /** Largest datagram sent. Default 1200. */
  mtu?: number;
  /** The time client certificates are checked at. Default Date.now. */
  now?: () => number;
}

export interface DtlsServerEvents {
  /** A handshake completed: the peer's session, ready for data. */
  session: [DtlsPeerSession];
  /** A handshake failed (the peer got a fatal alert). */
  handshakeError: [string, Error];
}

export { DtlsPeerSession };

const DEFAULT_MAX_PEERS = 256;
const DEFAULT_IDLE_MS = 300_000;

/**
 * A DTLS 1.2 server on node:crypto and one UDP socket (Node has no DTLS at all, see
 * docs/dtls-certificates.md, "Server"). Stateless HelloVerifyRequest cookies (RFC 6347
 * §4.2.1) before any per-peer state; then one DtlsPeerSession per address:port.
 */
export class DtlsServer extends EventEmitter<DtlsServerEvents> {
  private readonly sock: UdpSocket = createDgramSocket();
  private readonly peers = new Map<string, DtlsPeerSession>();
  private readonly cookieSecret = randomBytes(32);
  private readonly config: PeerConfig;
  private closed = false;

  constructor(private readonly opts: DtlsServerOptions) {
    super();
    if (!opts.psk?.size && !(opts.cert && opts.key)) throw new Error('a DTLS server needs --cert and --key, or PSK identities');
    const chain = opts.cert ? (opts.cert.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((p) => new X509Certificate(p)) : [];
    if (opts.cert && chain.length === 0) throw new Error('the server certificate file holds no PEM certificate');
    const key: KeyObject | undefined = opts.key ? createPrivateKey(opts.key) : undefined;
    if (key && chain[0] && !chain[0].checkPrivateKey(key)) throw new Error('the server key does not match its certificate');
    const roots = opts.ca ? (opts.ca.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((p) => new X509Certificate(p)) : [];
    if (opts.ca && roots.length === 0) throw new Error('the CA file holds no PEM certificate');
    this.config = {
      chain,
      ...(key ? { key } : {}),
      roots,
      psk: opts.psk ?? new Map(),
      clock: opts.clock ?? systemClock,
      mtu: opts.mtu ?? 1200,
      idleMs: opts.idleMs ?? DEFAULT_IDLE_MS,
      now: opts.now ?? (() => Date.now()),
    };
    this.sock.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo.address, rinfo.port));
    // An ICMP error for one peer must not stop the server.
    this.sock.on('error', () => undefined);
  }

  listen(port: number, host = '127.0.0.1'): Promise<{ address: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.sock.once('error', reject);
      this.sock.bind(port, host, () => {
        this.sock.off('error', reject);
        const a = this.sock.address();
        resolve({ address: a.address, port: a.port });
      });
    });
  }

  get address(): { address: string; port: number } {
    const a = this.sock.address();
    return { address: a.address, port: a.port };
  }

  /** Peers with state now (handshaking or open). */
  get peerCount(): number {
    return this.peers.size;
  }

  /** Sends close_notify to every open peer and closes the socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of [...this.peers.values()]) p.close();
    await new Promise<void>((resolve) => this.sock.close(() => resolve()));
  }

  private onDatagram(msg: Buffer, address: string, port: number): void {
    if (this.closed) return;
    const key = `${address}:${port}`;
    const records = parseRecords(msg);
    if (records.length === 0) return;
    const existing = this.peers.get(key);
    const first = records[0]!;
    const hello = first.epoch === 0 && first.type === CONTENT.handshake ? this.clientHelloOf(first) : undefined;
    if (existing && !(hello && existing.isNewHandshake(hello.random))) return existing.onDatagram(records);
    if (!hello) return;
    // RFC 6347 §4.2.1: no state until the peer echoes a cookie bound to its address.
    const cookie = this.cookieFor(key, hello.random);
    if (!hello.cookie.equals(cookie)) return this.helloVerify(first, hello.messageSeq, cookie, address, port);
    if (existing) existing.forget();
    if (this.peers.size >= (this.opts.maxPeers ?? DEFAULT_MAX_PEERS)) return;
    const session = new DtlsPeerSession(this.config, address, port, (d) => this.sock.send(d, port, address), {
      open: (s) => this.emit('session', s),
      failed: (err) => this.emit('handshakeError', key, err),
      gone: (s) => {
        if (this.peers.get(key) === s) this.peers.delete(key);
      },
    }, { recordSeq: first.seq, messageSeq: hello.messageSeq });
    this.peers.set(key, session);
    session.onDatagram(records);
  }

  /** A whole, unfragmented ClientHello in the record, or undefined. */
  private clientHelloOf(r: DtlsRecord): { random: Buffer; cookie: Buffer; messageSeq: number } | undefined {
    const f = r.fragment;
    if (f.length < 12 || f[0] !== HS.clientHello) return undefined;
    const length = f.readUIntBE(1, 3);
    if (f.readUIntBE(6, 3) !== 0 || f.readUIntBE(9, 3) !== length || f.length < 12 + length) return undefined;
    try {
      const ch = parseClientHello(f.subarray(12, 12 + length));
      return { random: ch.random, cookie: ch.cookie, messageSeq: f.readUInt16BE(4) };
    } catch (err) {
      if (err instanceof DecodeError) return undefined;
      throw err;
    }
  }

  private cookieFor(peer: string, random: Buffer): Buffer {
    return createHmac('sha256', this.cookieSecret).update(peer).update(random).digest().subarray(0, 20);
  }

  /** HelloVerifyRequest with the ClientHello's record and message sequence numbers (RFC 6347 §4.2.1). */
  private helloVerify(ch: DtlsRecord, messageSeq: number, cookie: Buffer, address: string, port: number): void {
    const body = Buffer.concat([u16(0xfefd), vec(1, cookie)]);
    const h = Buffer.alloc(12);
    h[0] = HS.helloVerifyRequest;
    h.writeUIntBE(body.length, 1, 3);
    h.writeUInt16BE(messageSeq, 4);
    h.writeUIntBE(body.length, 9, 3);
    const frag = Buffer.concat([h, body]);
    const rec = Buffer.alloc(13);
    rec[0] = CONTENT.handshake;
    rec.writeUInt16BE(0xfefd, 1);
    rec.writeUIntBE(ch.seq, 5, 6);
    rec.writeUInt16BE(frag.length, 11);
    this.sock.send(Buffer.concat([rec, frag]), port, address);
  }
}
