import { EventEmitter } from 'node:events';
import type { Socket as DgramSocket } from 'node:dgram';
import type { Dialer } from '../net/dialer.js';
import type { NetConnection } from '../net/dialer.js';
import type { DtlsSession } from '../tls/dtls.js';
import { decodeUdp, encodeTcp, encodeUdp, TcpFrameReader } from './codec.js';
import type { CoapMessage } from './message.js';

export interface TransportEvents {
  message: [CoapMessage];
  /**
   * The connection ended (the peer closed it, it failed): reliable transports and DTLS.
   * `security`: a TLS alert ended it (TLS 1.3 refuses a client certificate after the handshake).
   */
  close: [security?: boolean];
}

/**
 * Where CoAP messages go: a datagram transport (UDP, DTLS) carries types and message IDs
 * and needs retransmission; a reliable one (TCP, TLS, RFC 8323) carries neither.
 */
export interface CoapTransport extends EventEmitter<TransportEvents> {
  readonly reliable: boolean;
  send(m: CoapMessage): void;
  close(): void;
}

export type TransportKind = 'udp' | 'dtls' | 'tcp' | 'tls';

export interface TransportTarget {
  kind: TransportKind;
  host: string;
  port: number;
  /** The +USECPRF profile of DTLS and TLS. */
  profileId?: number;
}

/** Opens a transport through the module's one dialer; failures are the dialer's SocketError/ServiceError. */
export async function openTransport(dialer: Dialer, target: TransportTarget): Promise<CoapTransport> {
  if (target.kind === 'tcp' || target.kind === 'tls') {
    const conn = await dialer.connect({ host: target.host, port: target.port, ...(target.kind === 'tls' ? { secure: { profileId: target.profileId ?? 0 } } : {}) });
    return new StreamTransport(conn);
  }
  const cid = dialer.dataPath();
  const address = await dialer.resolve(target.host);
  if (target.kind === 'dtls') return new DtlsTransport(await dialer.dtls({ profileId: target.profileId ?? 0, address, port: target.port }), dialer, cid);
  // Routed like every datagram of the module: a --forward target, or EHOSTUNREACH where the lab refuses.
  const routed = dialer.udpRoute(address, target.port);
  const udp = dialer.udp();
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(0, () => {
      udp.off('error', reject);
      resolve();
    });
  });
  return new UdpTransport(udp, routed.host, routed.port, dialer, cid);
}

class UdpTransport extends EventEmitter<TransportEvents> implements CoapTransport {
  readonly reliable = false;
  private readonly meter;

  /** `address:port`: where the datagrams really go (the dialer's route of the server's address). */
  constructor(private readonly udp: DgramSocket, private readonly address: string, private readonly port: number, dialer: Dialer, cid: number) {
    super();
    this.meter = dialer.meter(cid);
    udp.on('error', () => {});
    udp.on('message', (msg, rinfo) => {
      this.meter.add(0, msg.length);
      // Only the server's datagrams; a stray or malformed one is ignored (RFC 7252 §4.2).
      if (rinfo.port !== this.port) return;
      try {
        this.emit('message', decodeUdp(msg));
      } catch {
        // not CoAP
      }
    });
  }

  private inflight = 0;
  private closing = false;

  send(m: CoapMessage): void {
    if (this.closing) return;
    const bytes = encodeUdp(m);
    this.meter.add(bytes.length, 0);
    this.inflight++;
    this.udp.send(bytes, this.port, this.address, () => {
      this.inflight--;
      if (this.closing && this.inflight === 0) this.shut();
    });
  }

  /** Closes once the datagrams already sent have left (a RST sent just before closing goes out). */
  close(): void {
    this.closing = true;
    if (this.inflight === 0) this.shut();
  }

  private shut(): void {
    try {
      this.udp.close();
    } catch {
      // closed already
    }
  }
}

class DtlsTransport extends EventEmitter<TransportEvents> implements CoapTransport {
  readonly reliable = false;
  private readonly meter;

  constructor(private readonly session: DtlsSession, dialer: Dialer, cid: number) {
    super();
    this.meter = dialer.meter(cid);
    session.on('error', () => {});
    session.on('message', (msg) => {
      this.meter.add(0, msg.length);
      try {
        this.emit('message', decodeUdp(msg));
      } catch {
        // not CoAP
      }
    });
    session.on('close', () => this.emit('close'));
  }

  send(m: CoapMessage): void {
    const bytes = encodeUdp(m);
    this.meter.add(bytes.length, 0);
    this.session.send(bytes).catch(() => {});
  }

  close(): void {
    this.session.close();
  }
}

class StreamTransport extends EventEmitter<TransportEvents> implements CoapTransport {
  readonly reliable = true;
  private readonly reader = new TcpFrameReader();

  constructor(private readonly conn: NetConnection) {
    super();
    const stream = conn.stream;
    stream.on('data', (bytes: Buffer) => {
      let messages: CoapMessage[];
      try {
        messages = this.reader.push(bytes);
      } catch {
        // A stream that is not CoAP cannot be resynchronised: end it.
        stream.destroy();
        return;
      }
      for (const m of messages) this.emit('message', m);
    });
    let alert = false;
    stream.on('close', () => {
      conn.activity();
      this.emit('close', alert);
    });
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code?.startsWith('ERR_SSL')) alert = true;
    });
  }

  send(m: CoapMessage): void {
    this.conn.stream.write(encodeTcp(m));
  }

  close(): void {
    this.conn.activity();
    this.conn.stream.destroy();
  }
}
