import { createSocket as createUdpSocket, type Socket as UdpSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { createServer, Socket as TcpSocket, type Server } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Clock } from '@modemlab/at';
import type { DataPipe, DataSink } from '../../engine/data-pipe.js';
import type { SocketTable } from '../../models/socket-table.js';
import type { DnsService } from '../dns.js';
import { ServiceError } from '../errors.js';
import type { LabRoutes } from '../network/lab-routes.js';
import type { PdpContexts } from '../network/pdp.js';
import type { DtlsSession } from '../tls/dtls.js';
import { followSessions, negotiated, TlsFailure, type NegotiatedTls, type TlsService } from '../tls/tls-service.js';
import { errnoOf, SocketError, TLS_ERRNO, type SocketErrno } from './errors.js';

export { SocketError, type SocketErrno } from './errors.js';

export type SocketProtocol = 'tcp' | 'udp';

/** TCP states a socket reports (RFC 793 names; UDP sockets are always 'inactive'). */
export type SocketState = 'inactive' | 'listen' | 'syn-sent' | 'established' | 'fin-wait-1' | 'close-wait';

/** Options a socket keeps; values are one number, or two for linger (on/off, time). */
export type SocketOption = 'ip-tos' | 'ip-ttl' | 'tcp-nodelay' | 'tcp-keepidle' | 'reuseaddr' | 'keepalive' | 'broadcast' | 'linger' | 'reuseport';

const OPTION_DEFAULTS: Record<SocketOption, readonly number[]> = {
  'ip-tos': [0],
  'ip-ttl': [64],
  'tcp-nodelay': [0],
  'tcp-keepidle': [7_200_000],
  reuseaddr: [0],
  keepalive: [0],
  broadcast: [0],
  linger: [0],
  reuseport: [0],
};
const TCP_ONLY: readonly SocketOption[] = ['tcp-nodelay', 'tcp-keepidle', 'keepalive', 'linger'];
const UDP_ONLY: readonly SocketOption[] = ['broadcast'];

export interface SocketAddress {
  address: string;
  port: number;
}

export interface SocketInfo {
  id: number;
  protocol: SocketProtocol;
  state: SocketState;
  secure: boolean;
  profileId: number;
  /** The connected peer (TCP), or the default destination set by connect (UDP). */
  peer?: SocketAddress;
  /** Payload bytes handed to the network / received from it over the socket's life. */
  bytesSent: number;
  bytesReceived: number;
  /** Bytes written but still queued in the module (not yet taken by the network stack). */
  unsent: number;
  unread: number;
  lastError?: SocketErrno;
}

export interface TlsConnectionInfo extends NegotiatedTls {
  /** DER of the session, to resume it on a later connection (SecureConnectRequest.session). */
  session?: Buffer;
}

export interface Datagram extends SocketAddress {
  data: Buffer;
}

export interface SocketDataEvent {
  id: number;
  protocol: SocketProtocol;
  /** Unread bytes now (all datagrams for UDP). */
  unread: number;
  /** Bytes that arrived (the datagram's length for UDP); 0 after a partial read. */
  length: number;
  /** 'arrival': data reached an empty TCP buffer, or any datagram arrived; 'partial-read': a read left bytes behind. */
  cause: 'arrival' | 'partial-read';
}

export interface IncomingConnection {
  id: number;
  listener: number;
  remote: SocketAddress;
  /** The module's address and the listening port. */
  local: SocketAddress;
}

export type CloseCause = 'remote' | 'reset' | 'network' | 'local';

export interface SocketEvents {
  data: [SocketDataEvent];
  /** The socket is gone: the peer closed or reset it, the network dropped, or an asynchronous close finished. */
  closed: [{ id: number; cause: CloseCause }];
  /** Result of startConnect(); error undefined means connected. */
  'connect-result': [{ id: number; error?: SocketError }];
  incoming: [IncomingConnection];
}

export interface SocketServiceDeps {
  dns: DnsService;
  /** The lab's port forwards (a test server standing for a well-known port). */
  routes?: LabRoutes;
  pdp: PdpContexts;
  clock: Clock;
  /** Local address for listening and bound sockets; all interfaces when undefined. */
  bindAddress?: string;
}

type Ended = Exclude<CloseCause, 'local'>;

interface Entry {
  id: number;
  protocol: SocketProtocol;
  /** The context whose counters this socket's bytes go to. */
  cid: number;
  localPort?: number;
  secure: boolean;
  profileId: number;
  /** A TLS session to resume at connect (a fast redial), and the handshake's inactivity limit. */
  resume?: Buffer;
  handshakeInactivityMs?: number;
  /** The TLS session of the connection, as the handshake (or a later ticket) gave it. */
  tlsSession?: Buffer;
  phase: 'idle' | 'connecting' | 'open' | 'listening';
  /** The peer or the network ended the socket; it is released once its data has been read. */
  ended?: Ended;
  closing: boolean;
  released: boolean;
  raw?: TcpSocket;
  stream?: TcpSocket | TLSSocket;
  server?: Server;
  udp?: UdpSocket;
  udpBound: boolean;
  /** The DTLS session of a secure UDP socket, from its connect on. */
  dtls?: DtlsSession;
  peer?: SocketAddress;
  rx: Buffer[];
  rxBytes: number;
  paused: boolean;
  datagrams: Datagram[];
  bytesSent: number;
  bytesReceived: number;
  /** Raw TCP bytes already added to the PDP counters. */
  wire: { read: number; written: number };
  lastError?: SocketErrno;
  options: Map<SocketOption, readonly number[]>;
  sink?: DataSink;
  abortConnect?: (err: SocketError) => void;
}

/** A socket as it starts: idle, nothing buffered or counted. */
function newEntry(base: Pick<Entry, 'id' | 'protocol' | 'cid' | 'localPort' | 'options'>): Entry {
  return {
    ...base,
    secure: false,
    profileId: 0,
    phase: 'idle',
    closing: false,
    released: false,
    udpBound: false,
    rx: [],
    rxBytes: 0,
    paused: false,
    datagrams: [],
    bytesSent: 0,
    bytesReceived: 0,
    wire: { read: 0, written: 0 },
  };
}

const stripMapped = (address: string | undefined): string => (address ?? '').replace(/^::ffff:/i, '');

/**
 * The module's sockets, vendor-neutral: u-blox +USO*, Telit #SSLD and Quectel +QSSLOPEN
 * all end here. Sockets are real node:net / node:dgram sockets; a socket marked secure is
 * wrapped by the TLS service after its TCP connect. Received bytes stay in the socket
 * until a dialect reads them; events tell the dialect when to announce them. Every failure
 * is a SocketError carrying an errno name (recorded as the socket's and the module's last
 * error), or a ServiceError when the module has no data path.
 */
export class SocketService extends EventEmitter<SocketEvents> {
  private readonly sockets = new Map<number, Entry>();
  private lastErrno?: SocketErrno;
  /** The socket of the asynchronous connect in progress: only one at a time. */
  private asyncConnectId?: number;
  private readonly dns: DnsService;
  private readonly pdp: PdpContexts;
  private readonly clock: Clock;
  private readonly bindAddress?: string;
  private readonly routes?: LabRoutes;

  constructor(
    readonly table: SocketTable,
    readonly tls: TlsService,
    deps: SocketServiceDeps,
  ) {
    super();
    this.dns = deps.dns;
    this.pdp = deps.pdp;
    this.clock = deps.clock;
    this.bindAddress = deps.bindAddress;
    this.routes = deps.routes;
    this.pdp.on('context', (e) => {
      if (!e.active) for (const s of [...this.sockets.values()]) if (s.cid === e.cid) this.networkLost(s);
    });
  }

  /** The module's last socket error (any socket), undefined when none happened yet. */
  get lastError(): SocketErrno | undefined {
    return this.lastErrno;
  }

  exists(id: number): boolean {
    return this.sockets.has(id);
  }

  /** Creates a socket on the lowest free id. UDP sockets given a local port are bound at once. */
  async create(protocol: SocketProtocol, localPort?: number): Promise<number> {
    const cid = this.requireDataPath();
    const id = this.freeId();
    if (id === undefined) throw this.err(undefined, 'ENOMEM', 'all sockets in use');
    const e = newEntry({ id, protocol, cid, localPort, options: new Map() });
    this.sockets.set(id, e);
    if (protocol === 'udp') {
      const udp = createUdpSocket('udp4');
      e.udp = udp;
      udp.on('error', (err) => this.record(e, errnoOf(err)));
      udp.on('message', (msg, rinfo) => this.onDatagram(e, msg, { address: stripMapped(rinfo.address), port: rinfo.port }));
      if (localPort !== undefined) {
        try {
          await this.bindUdp(e, localPort);
        } catch (err) {
          this.release(e);
          throw this.failure(undefined, err);
        }
      }
    }
    return id;
  }

  info(id: number): SocketInfo {
    const e = this.get(id);
    return {
      id,
      protocol: e.protocol,
      state: this.stateOf(e),
      secure: e.secure,
      profileId: e.profileId,
      ...(e.peer ? { peer: { ...e.peer } } : {}),
      bytesSent: e.bytesSent,
      bytesReceived: e.bytesReceived,
      unsent: e.stream && !e.stream.destroyed ? e.stream.writableLength : 0,
      unread: this.unreadOf(e),
      ...(e.lastError ? { lastError: e.lastError } : {}),
    };
  }

  /**
   * Marks a socket secure with security profile `profileId` at connect (TLS for TCP, DTLS
   * 1.2 with the profile's pre-shared key for UDP), or plain again.
   */
  setSecure(id: number, enabled: boolean, profileId: number, opts: { resume?: Buffer; handshakeInactivityMs?: number } = {}): void {
    const e = this.get(id);
    if (e.phase !== 'idle' || e.ended) throw this.err(e, 'EISCONN', 'security must be set before connect');
    e.secure = enabled;
    e.profileId = profileId;
    e.resume = enabled ? opts.resume : undefined;
    e.handshakeInactivityMs = enabled ? opts.handshakeInactivityMs : undefined;
  }

  /**
   * The TLS side of a connected secure TCP socket: version, negotiated suite (IANA name),
   * whether the handshake resumed a session, and the session to resume it later.
   */
  tlsInfo(id: number): TlsConnectionInfo | undefined {
    const e = this.get(id);
    const stream = e.stream;
    if (!e.secure || !stream || stream === e.raw) return undefined;
    return { ...negotiated(stream as TLSSocket), ...(e.tlsSession ? { session: e.tlsSession } : {}) };
  }

  /** Connects (TCP handshake, then TLS when the socket is secure); UDP only records the default peer. */
  async connect(id: number, host: string, port: number): Promise<void> {
    const e = this.get(id);
    this.checkConnectable(e);
    await this.runConnect(e, host, port);
  }

  /**
   * Starts a connect and returns at once; 'connect-result' follows. Only one asynchronous
   * connect runs at a time. A second connect on a socket whose asynchronous connect is
   * still running aborts it and closes the socket (u-blox documents this for +USOCO).
   */
  startConnect(id: number, host: string, port: number): void {
    const e = this.get(id);
    if (e.phase === 'connecting') {
      this.release(e);
      this.emit('closed', { id, cause: 'local' });
      throw this.err(undefined, 'ECONNABORTED', 'connect already in progress: socket closed');
    }
    this.checkConnectable(e);
    this.requireDataPath(e);
    this.asyncConnectId = id;
    this.runConnect(e, host, port).then(
      () => this.connectDone(e),
      (err: unknown) => this.connectDone(e, err instanceof SocketError ? err : new SocketError('ENETDOWN', String(err))),
    );
  }

  /** Throws what a write would fail with now (for dialects that prompt for the data first). */
  checkWrite(id: number): void {
    const e = this.get(id);
    this.writable(e);
  }

  /**
   * Queues bytes toward the peer (TCP, or the default peer of a UDP socket); returns how
   * many were accepted: fewer than given when the module's transmit queue is nearly full,
   * EAGAIN when it is full.
   */
  write(id: number, data: Buffer): number {
    const e = this.get(id);
    this.writable(e);
    if (e.protocol === 'udp') {
      this.sendDatagram(e, data, e.peer!).catch(() => {});
      return data.length;
    }
    const stream = e.stream!;
    const free = this.table.txBuffer - stream.writableLength;
    if (free <= 0) throw this.err(e, 'EAGAIN', 'transmit queue full');
    const chunk = data.length <= free ? data : data.subarray(0, free);
    this.writeStream(e, chunk);
    return chunk.length;
  }

  /** Sends one datagram from a UDP socket to `host` (an address or a name the module resolves). */
  async sendTo(id: number, host: string, port: number, data: Buffer): Promise<number> {
    const e = this.get(id);
    if (e.protocol !== 'udp') throw this.err(e, 'EOPNOTSUPP', 'send-to needs a UDP socket');
    this.requireDataPath(e);
    const address = await this.resolve(e, host);
    if (e.released) throw this.err(undefined, 'EBADF');
    // A DTLS socket talks to its connected peer only.
    if (e.secure && (!e.dtls || e.peer?.address !== address || e.peer.port !== port)) throw this.err(e, 'EOPNOTSUPP', 'secure UDP socket: send to the connected peer');
    await this.sendDatagram(e, data, { address, port });
    return data.length;
  }

  /** Throws what sendTo would fail with before any data is given. */
  checkSendTo(id: number): void {
    const e = this.get(id);
    if (e.protocol !== 'udp') throw this.err(e, 'EOPNOTSUPP', 'send-to needs a UDP socket');
    this.requireDataPath(e);
  }

  /** Unread bytes (for UDP: of all queued datagrams). */
  unread(id: number): number {
    return this.unreadOf(this.get(id));
  }

  /**
   * Takes up to `max` received bytes. On a UDP socket this is the next datagram, the rest
   * of which is discarded. A socket its peer has closed is released once it is read empty.
   */
  read(id: number, max: number): Buffer {
    const e = this.get(id);
    if (e.protocol === 'udp') return this.readFrom(id, max)?.data ?? Buffer.alloc(0);
    if (e.phase === 'listening') throw this.err(e, 'EINVAL', 'listening socket');
    const parts: Buffer[] = [];
    let need = max;
    while (need > 0 && e.rx.length > 0) {
      const head = e.rx[0]!;
      if (head.length <= need) {
        parts.push(head);
        e.rx.shift();
        need -= head.length;
      } else {
        parts.push(head.subarray(0, need));
        e.rx[0] = head.subarray(need);
        need = 0;
      }
    }
    const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    e.rxBytes -= data.length;
    this.resumeIfRoom(e);
    if (data.length > 0 && e.rxBytes > 0) this.emit('data', { id, protocol: 'tcp', unread: e.rxBytes, length: 0, cause: 'partial-read' });
    this.finishIfDrained(e);
    return data;
  }

  /** Takes the next datagram of a UDP socket, cut to `max` bytes (the rest is discarded). */
  readFrom(id: number, max: number): Datagram | undefined {
    const e = this.get(id);
    if (e.protocol !== 'udp') throw this.err(e, 'EOPNOTSUPP', 'receive-from needs a UDP socket');
    const d = e.datagrams.shift();
    this.finishIfDrained(e);
    return d && { address: d.address, port: d.port, data: d.data.length > max ? d.data.subarray(0, max) : d.data };
  }

  /** TCP: accept connections on `port` ('incoming' events). UDP: receive on `port`. */
  async listen(id: number, port: number): Promise<void> {
    const e = this.get(id);
    this.requireDataPath(e);
    if (e.phase === 'listening') throw this.err(e, 'EINVAL', 'already listening');
    if (e.phase !== 'idle' || e.ended) throw this.err(e, 'EISCONN');
    if (e.protocol === 'udp') {
      if (e.secure) throw this.err(e, 'EOPNOTSUPP', 'no DTLS server sockets');
      if (e.udpBound) {
        if (e.localPort !== port) throw this.err(e, 'EINVAL', 'bound to another port');
      } else {
        await this.bindUdp(e, port).catch((err: unknown) => {
          throw this.failure(e, err);
        });
      }
      e.phase = 'listening';
      return;
    }
    if (e.secure) throw this.err(e, 'EOPNOTSUPP', 'no TLS server sockets');
    const server = createServer();
    e.server = server;
    e.phase = 'listening';
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port, host: this.bindAddress ?? '0.0.0.0', exclusive: true }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      server.close();
      if (e.server === server) {
        e.server = undefined;
        e.phase = 'idle';
      }
      throw this.failure(e, err);
    }
    if (e.released) {
      server.close();
      throw this.err(undefined, 'EBADF');
    }
    e.localPort = port;
    server.on('error', (err) => this.record(e, errnoOf(err)));
    server.on('connection', (sock) => this.accept(e, sock));
  }

  /** Closes and waits until queued data has left (or the linger time has passed). */
  async close(id: number): Promise<void> {
    const e = this.get(id);
    if (e.closing) throw this.err(e, 'EINVAL', 'already closing');
    e.closing = true;
    await this.shutdown(e);
    this.release(e);
  }

  /** Closes in the background; 'closed' with cause 'local' follows. */
  closeAsync(id: number): void {
    const e = this.get(id);
    if (e.closing) throw this.err(e, 'EINVAL', 'already closing');
    e.closing = true;
    void this.shutdown(e).then(() => {
      if (e.released) return;
      this.release(e);
      this.emit('closed', { id, cause: 'local' });
    });
  }

  setOption(id: number, option: SocketOption, value: readonly number[]): void {
    const e = this.get(id);
    this.checkOption(e, option);
    e.options.set(option, [...value]);
    this.applyOptions(e);
  }

  getOption(id: number, option: SocketOption): readonly number[] {
    const e = this.get(id);
    this.checkOption(e, option);
    return [...(e.options.get(option) ?? OPTION_DEFAULTS[option])];
  }

  /**
   * The socket as an online-mode byte pipe (u-blox direct link, Telit #SSLD online): bytes
   * both ways, unread data first. Detached, the socket buffers again as usual.
   */
  openPipe(id: number): DataPipe {
    const e = this.get(id);
    if (e.sink) throw this.err(e, 'EINVAL', 'already in online mode');
    if (e.protocol === 'udp') {
      if (!e.peer) throw this.err(e, 'EDESTADDRREQ', 'no default peer');
    } else if (e.phase !== 'open' || (e.ended && this.unreadOf(e) === 0)) {
      throw this.err(e, 'ENOTCONN');
    }
    let mine: DataSink | undefined;
    return {
      write: (bytes) => {
        if (e.released || e.ended) return;
        if (e.protocol === 'udp') this.sendDatagram(e, Buffer.from(bytes), e.peer!).catch(() => {});
        else this.writeStream(e, Buffer.from(bytes));
      },
      attach: (sink) => {
        if (e.released) {
          queueMicrotask(() => sink.close());
          return;
        }
        mine = sink;
        e.sink = sink;
        for (const chunk of e.rx.splice(0)) sink.data(chunk);
        for (const d of e.datagrams.splice(0)) sink.data(d.data);
        e.rxBytes = 0;
        this.resumeIfRoom(e);
        if (e.ended) {
          queueMicrotask(() => {
            if (e.sink !== sink) return;
            e.sink = undefined;
            sink.close();
            this.finishIfDrained(e);
          });
        }
      },
      detach: () => {
        if (mine && e.sink === mine) e.sink = undefined;
        mine = undefined;
      },
    };
  }

  /** Power-off or reboot: every socket is gone, silently. */
  closeAll(): void {
    for (const e of [...this.sockets.values()]) this.release(e);
    this.asyncConnectId = undefined;
  }

  // ---- internals ---------------------------------------------------------------------

  private get(id: number): Entry {
    const e = this.sockets.get(id);
    if (!e || e.released) throw this.err(undefined, 'EBADF', `no socket ${id}`);
    return e;
  }

  private freeId(): number | undefined {
    for (let id = 0; id < this.table.count; id++) if (!this.sockets.has(id)) return id;
    return undefined;
  }

  private record(e: Entry | undefined, errno: SocketErrno): void {
    this.lastErrno = errno;
    if (e) e.lastError = errno;
  }

  private err(e: Entry | undefined, errno: SocketErrno, message?: string): SocketError {
    this.record(e, errno);
    return new SocketError(errno, message);
  }

  /** Any error as what the caller should see: a SocketError (recorded) or a data-path ServiceError. */
  private failure(e: Entry | undefined, err: unknown): Error {
    if (err instanceof ServiceError) return err;
    if (err instanceof SocketError) {
      this.record(e, err.errno);
      return err;
    }
    return this.err(e, errnoOf(err), String(err));
  }

  /** The module must have a context with an address; returns the context sockets use. */
  private requireDataPath(e?: Entry): number {
    try {
      this.dns.checkDataPath();
    } catch (err) {
      this.record(e, 'ENETDOWN');
      throw err;
    }
    const ctx = this.pdp.activeList().find((c) => c.ipv4 !== undefined) ?? this.pdp.activeList().find((c) => c.ipv6 !== undefined);
    return ctx!.cid;
  }

  private moduleAddress(cid: number): string {
    const c = this.pdp.context(cid);
    return c?.ipv4 ?? c?.ipv6 ?? '0.0.0.0';
  }

  private async resolve(e: Entry, host: string): Promise<string> {
    try {
      return await this.dns.resolve(host);
    } catch (err) {
      if (err instanceof ServiceError && err.reason === 'host-not-found') throw this.err(e, 'DNS_NOT_FOUND', err.message);
      if (err instanceof ServiceError && err.reason === 'dns-failure') throw this.err(e, 'DNS_FAILURE', err.message);
      if (err instanceof ServiceError) this.record(e, 'ENETDOWN');
      throw err;
    }
  }

  private checkConnectable(e: Entry): void {
    if (this.asyncConnectId !== undefined && this.asyncConnectId !== e.id) throw this.err(e, 'EINPROGRESS', 'another connect is in progress');
    if (e.phase === 'connecting') throw this.err(e, 'EINPROGRESS');
    if (e.phase === 'listening') throw this.err(e, 'EINVAL', 'listening socket');
    if (e.closing || e.ended || (e.protocol === 'tcp' && e.phase === 'open')) throw this.err(e, 'EISCONN');
  }

  private async runConnect(e: Entry, host: string, port: number): Promise<void> {
    this.requireDataPath(e);
    if (e.protocol === 'udp') {
      if (e.secure && e.phase === 'open') throw this.err(e, 'EISCONN', 'DTLS session already open');
      const address = await this.resolve(e, host);
      if (e.released) throw this.err(undefined, 'ECONNABORTED');
      if (e.secure) return this.dtlsConnect(e, address, port);
      if (!e.udpBound) await this.bindUdp(e, 0).catch((err: unknown) => Promise.reject(this.failure(e, err)));
      e.peer = { address, port };
      e.phase = e.phase === 'listening' ? 'listening' : 'open';
      return;
    }
    e.phase = 'connecting';
    try {
      const address = await this.resolve(e, host);
      if (e.released) throw new SocketError('ECONNABORTED');
      await this.tcpConnect(e, host, address, port);
    } catch (err) {
      if (!e.released && e.phase === 'connecting') e.phase = 'idle';
      throw this.failure(e.released ? undefined : e, err);
    }
  }

  private tcpConnect(e: Entry, host: string, address: string, port: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const raw = new TcpSocket();
      e.raw = raw;
      e.wire = { read: 0, written: 0 };
      let settled = false;
      const finish = (err?: SocketError) => {
        if (settled) return;
        settled = true;
        timer.cancel();
        e.abortConnect = undefined;
        if (err) {
          this.account(e);
          raw.destroy();
          if (e.raw === raw) e.raw = undefined;
          reject(err);
        } else resolve();
      };
      const timer = this.clock.setTimeout(() => finish(new SocketError('ETIMEDOUT', 'connect timed out')), this.table.connectTimeoutMs);
      e.abortConnect = finish;
      raw.on('error', (err) => {
        if (!settled) finish(new SocketError(errnoOf(err), err.message));
        else this.streamFailed(e, raw, err);
      });
      const target = this.routes?.tcpTarget(address, port) ?? { host: address, port };
      raw.connect({ ...target, ...(e.localPort !== undefined ? { localPort: e.localPort } : {}) }, () => {
        if (settled) return;
        this.applyOptions(e);
        if (!e.secure) {
          finish();
          this.open(e, raw, raw, { address, port });
          return;
        }
        this.tls.connect({ profileId: e.profileId, host, port, socket: raw,
          ...(e.resume ? { session: e.resume } : {}),
          ...(e.handshakeInactivityMs !== undefined ? { handshakeInactivityMs: e.handshakeInactivityMs } : {}),
        }).then(
          (secure) => {
            if (settled) {
              secure.destroy();
              return;
            }
            finish();
            this.open(e, raw, secure, { address, port });
          },
          (err: unknown) => {
            const reason = err instanceof TlsFailure ? err.reason : undefined;
            finish(new SocketError(reason ? TLS_ERRNO[reason] : 'EPROTO', String(err), reason));
          },
        );
      });
    });
  }

  /** A secure UDP socket's connect: the DTLS handshake with the profile's pre-shared key. */
  private async dtlsConnect(e: Entry, address: string, port: number): Promise<void> {
    e.phase = 'connecting';
    let session: DtlsSession;
    try {
      session = await this.tls.openDtls({ profileId: e.profileId, host: address, port });
    } catch (err) {
      if (!e.released && e.phase === 'connecting') e.phase = 'idle';
      const reason = err instanceof TlsFailure ? err.reason : undefined;
      throw this.failure(e.released ? undefined : e, new SocketError(reason ? TLS_ERRNO[reason] : 'EPROTO', String(err), reason));
    }
    if (e.released) {
      session.close();
      throw this.err(undefined, 'ECONNABORTED');
    }
    e.dtls = session;
    e.peer = { address, port };
    e.phase = 'open';
    session.on('message', (msg) => this.onDatagram(e, msg, { address, port }));
    session.on('error', (err) => this.record(e, errnoOf(err)));
    session.on('close', () => {
      if (e.released || e.ended || e.dtls !== session) return;
      // The peer ended the session: the socket ends once its datagrams have been read.
      e.ended = 'remote';
      this.endSink(e);
    });
  }

  private connectDone(e: Entry, error?: SocketError): void {
    if (this.asyncConnectId === e.id) this.asyncConnectId = undefined;
    if (e.released) return;
    this.emit('connect-result', { id: e.id, ...(error ? { error } : {}) });
  }

  /** A connected TCP stream (plain or TLS) starts delivering into the socket's buffer. */
  private open(e: Entry, raw: TcpSocket, stream: TcpSocket | TLSSocket, peer: SocketAddress): void {
    e.raw = raw;
    e.stream = stream;
    e.peer = peer;
    e.phase = 'open';
    this.account(e);
    if (stream !== raw) {
      stream.on('error', (err) => this.streamFailed(e, stream, err));
      followSessions(stream as TLSSocket, (der) => {
        e.tlsSession = der ?? e.tlsSession ?? e.resume;
      });
    }
    stream.on('data', (chunk: Buffer) => this.onData(e, stream, chunk));
    stream.on('end', () => this.peerGone(e, stream, 'remote'));
    stream.on('close', () => this.peerGone(e, stream, 'remote'));
  }

  private accept(listener: Entry, sock: TcpSocket): void {
    let child: Entry | undefined;
    sock.on('error', (err) => {
      if (child) this.streamFailed(child, sock, err);
    });
    const id = listener.released || listener.phase !== 'listening' ? undefined : this.freeId();
    if (id === undefined) {
      // No socket free: the connection is refused the way a full stack does, with a reset.
      sock.resetAndDestroy();
      return;
    }
    child = newEntry({ id, protocol: 'tcp', cid: listener.cid, localPort: listener.localPort, options: new Map(listener.options) });
    this.sockets.set(id, child);
    const remote = { address: stripMapped(sock.remoteAddress), port: sock.remotePort ?? 0 };
    // The announcement comes before any data the new connection brings.
    this.emit('incoming', { id, listener: listener.id, remote, local: { address: this.moduleAddress(listener.cid), port: listener.localPort ?? 0 } });
    this.open(child, sock, sock, remote);
    this.applyOptions(child);
  }

  private onData(e: Entry, stream: TcpSocket | TLSSocket, chunk: Buffer): void {
    if (e.released || e.stream !== stream) return;
    e.bytesReceived += chunk.length;
    this.account(e);
    if (e.sink) {
      e.sink.data(chunk);
      return;
    }
    const wasEmpty = e.rxBytes === 0;
    e.rx.push(chunk);
    e.rxBytes += chunk.length;
    if (e.rxBytes >= this.table.rxBuffer && !e.paused) {
      e.paused = true;
      stream.pause();
    }
    if (wasEmpty) this.emit('data', { id: e.id, protocol: 'tcp', unread: e.rxBytes, length: chunk.length, cause: 'arrival' });
  }

  private onDatagram(e: Entry, msg: Buffer, from: SocketAddress): void {
    if (e.released) return;
    e.bytesReceived += msg.length;
    this.pdp.countBytes(e.cid, 0, msg.length);
    if (e.sink) {
      e.sink.data(msg);
      return;
    }
    if (e.datagrams.length >= this.table.maxDatagrams) return;
    e.datagrams.push({ ...from, data: msg });
    this.emit('data', { id: e.id, protocol: 'udp', unread: this.unreadOf(e), length: msg.length, cause: 'arrival' });
  }

  private resumeIfRoom(e: Entry): void {
    if (e.paused && e.rxBytes < this.table.rxBuffer) {
      e.paused = false;
      e.stream?.resume();
    }
  }

  private streamFailed(e: Entry, stream: TcpSocket | TLSSocket, err: Error): void {
    const errno = errnoOf(err);
    this.peerGone(e, stream, errno === 'ECONNRESET' || errno === 'EPIPE' ? 'reset' : 'remote', errno);
  }

  /** The peer closed or reset the connection: the socket ends once its data has been read. */
  private peerGone(e: Entry, stream: TcpSocket | TLSSocket, cause: Ended, errno?: SocketErrno): void {
    if (e.released || e.ended || (e.stream !== stream && e.raw !== stream)) return;
    if (errno) this.record(e, errno);
    e.ended = cause;
    this.account(e);
    // Nothing more will be read or written: the connection is torn down now, its data stays.
    if (!e.closing) e.stream?.destroy();
    this.endSink(e);
  }

  private networkLost(e: Entry): void {
    if (e.released || e.ended) return;
    this.record(e, 'ENETDOWN');
    e.abortConnect?.(new SocketError('ENETDOWN', 'network lost'));
    e.ended = 'network';
    this.account(e);
    e.stream?.destroy();
    e.dtls?.close();
    e.server?.close();
    e.server = undefined;
    this.endSink(e);
  }

  private endSink(e: Entry): void {
    const sink = e.sink;
    e.sink = undefined;
    sink?.close();
    this.finishIfDrained(e);
  }

  /** An ended socket whose data has all been read is released and announced. */
  private finishIfDrained(e: Entry): void {
    if (!e.ended || e.released || e.closing || this.unreadOf(e) > 0) return;
    const cause = e.ended;
    this.release(e);
    this.emit('closed', { id: e.id, cause });
  }

  private unreadOf(e: Entry): number {
    if (e.protocol === 'tcp') return e.rxBytes;
    let n = 0;
    for (const d of e.datagrams) n += d.data.length;
    return n;
  }

  private stateOf(e: Entry): SocketState {
    if (e.protocol === 'udp') return 'inactive';
    if (e.phase === 'listening') return 'listen';
    if (e.phase === 'connecting') return 'syn-sent';
    if (e.phase !== 'open') return 'inactive';
    if (e.ended) return 'close-wait';
    return e.closing ? 'fin-wait-1' : 'established';
  }

  private writable(e: Entry): void {
    if (e.protocol === 'udp') {
      if (!e.peer) throw this.err(e, 'EDESTADDRREQ', 'no default peer: connect first');
      if (e.secure && (e.ended || !e.dtls)) throw this.err(e, 'EPIPE', 'DTLS session closed');
      this.requireDataPath(e);
      return;
    }
    if (e.phase === 'idle' || e.phase === 'connecting' || e.phase === 'listening') throw this.err(e, 'ENOTCONN');
    if (e.ended || e.closing || !e.stream || e.stream.destroyed) throw this.err(e, 'EPIPE', 'connection closed');
  }

  private writeStream(e: Entry, chunk: Buffer): void {
    e.stream!.write(chunk, (err) => {
      if (!err) e.bytesSent += chunk.length;
      this.account(e);
    });
  }

  private sendDatagram(e: Entry, data: Buffer, to: SocketAddress): Promise<void> {
    const session = e.dtls;
    if (session) {
      return session.send(data).then(
        () => {
          e.bytesSent += data.length;
          this.pdp.countBytes(e.cid, data.length, 0);
        },
        (err: unknown) => Promise.reject(this.err(e, errnoOf(err), String(err))),
      );
    }
    const udp = e.udp!;
    return new Promise<void>((resolve, reject) => {
      try {
        udp.send(data, to.port, to.address, (err) => {
          if (err) {
            reject(this.err(e, errnoOf(err), err.message));
            return;
          }
          e.bytesSent += data.length;
          this.pdp.countBytes(e.cid, data.length, 0);
          if (!e.udpBound) this.markBound(e);
          resolve();
        });
      } catch (err) {
        reject(this.err(e, errnoOf(err), String(err)));
      }
    });
  }

  private bindUdp(e: Entry, port: number): Promise<void> {
    const udp = e.udp!;
    return new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      udp.once('error', onError);
      udp.bind({ port, ...(this.bindAddress ? { address: this.bindAddress } : {}), exclusive: true }, () => {
        udp.off('error', onError);
        this.markBound(e);
        resolve();
      });
    });
  }

  private markBound(e: Entry): void {
    e.udpBound = true;
    try {
      e.localPort = e.udp!.address().port;
    } catch {
      // not bound after all
    }
    this.applyOptions(e);
  }

  /** Applies what node can apply; the others are kept and reported. */
  private applyOptions(e: Entry): void {
    const opt = (o: SocketOption) => (e.options.get(o) ?? OPTION_DEFAULTS[o])[0]!;
    try {
      if (e.raw && !e.raw.destroyed) {
        e.raw.setNoDelay(opt('tcp-nodelay') === 1);
        e.raw.setKeepAlive(opt('keepalive') === 1, opt('tcp-keepidle'));
      }
      if (e.udp && e.udpBound) {
        e.udp.setBroadcast(opt('broadcast') === 1);
        if (e.options.has('ip-ttl')) e.udp.setTTL(Math.max(1, opt('ip-ttl')));
      }
    } catch {
      // a socket closing underneath: nothing to apply to
    }
  }

  private checkOption(e: Entry, option: SocketOption): void {
    if (e.protocol === 'udp' && TCP_ONLY.includes(option)) throw this.err(e, 'ENOPROTOOPT', `${option} is a TCP option`);
    if (e.protocol === 'tcp' && UDP_ONLY.includes(option)) throw this.err(e, 'ENOPROTOOPT', `${option} is a UDP option`);
  }

  /** Adds the raw TCP bytes (TLS records included) moved since the last look to the PDP counters. */
  private account(e: Entry): void {
    const raw = e.raw;
    if (!raw) return;
    const read = raw.bytesRead ?? e.wire.read;
    const written = raw.bytesWritten ?? e.wire.written;
    const dr = read - e.wire.read;
    const dw = written - e.wire.written;
    if (dr <= 0 && dw <= 0) return;
    e.wire = { read: Math.max(read, e.wire.read), written: Math.max(written, e.wire.written) };
    this.pdp.countBytes(e.cid, Math.max(dw, 0), Math.max(dr, 0));
  }

  /** Lets queued data leave before a close: up to the close timeout (linger), then the connection is reset. */
  private async shutdown(e: Entry): Promise<void> {
    e.abortConnect?.(new SocketError('ECONNABORTED', 'closed'));
    e.server?.close();
    const stream = e.stream;
    if (!stream || stream.destroyed || e.phase !== 'open' || e.ended) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        timer.cancel();
        stream.off('finish', done);
        stream.off('close', done);
        resolve();
      };
      const timer = this.clock.setTimeout(done, this.table.closeTimeoutMs);
      stream.once('finish', done);
      stream.once('close', done);
      stream.end();
    });
  }

  private release(e: Entry): void {
    if (e.released) return;
    e.released = true;
    e.abortConnect?.(new SocketError('ECONNABORTED', 'closed'));
    this.account(e);
    e.stream?.destroy();
    if (e.raw !== e.stream) e.raw?.destroy();
    e.server?.close();
    const session = e.dtls;
    e.dtls = undefined;
    session?.close();
    if (e.udp) {
      try {
        e.udp.close();
      } catch {
        // already closed
      }
    }
    e.rx = [];
    e.rxBytes = 0;
    e.datagrams = [];
    if (this.sockets.get(e.id) === e) this.sockets.delete(e.id);
    if (this.asyncConnectId === e.id) this.asyncConnectId = undefined;
    const sink = e.sink;
    e.sink = undefined;
    sink?.close();
  }
}
