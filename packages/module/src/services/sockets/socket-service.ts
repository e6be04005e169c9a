import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Clock } from '@modemlab/at';
import type { DataPipe } from '../../link/byte-pipe.js';
import type { SocketTable } from '../../models/socket-table.js';
import { ServiceError } from '../errors.js';
import type { Dialer } from '../net/dialer.js';
import { errnoOf, SocketError, type SocketErrno } from '../net/errors.js';
import type { PdpContexts } from '../network/pdp.js';
import { SocketOptions, type SocketOption } from './options.js';
import type { ModuleSocket, SocketHost } from './socket-base.js';
import { TcpModuleSocket } from './tcp-socket.js';
import type { Datagram, PeerCertificate, SocketEvents, SocketInfo, SocketProtocol, TlsConnectionInfo } from './types.js';
import { UdpModuleSocket } from './udp-socket.js';

export { SocketError, type SocketErrno } from '../net/errors.js';
export type { SocketOption } from './options.js';
export type * from './types.js';

export interface SocketServiceDeps {
  /** The module's one way out (data path, resolve, lab route, connect, TLS, byte accounting). */
  dialer: Dialer;
  pdp: PdpContexts;
  clock: Clock;
  /** Local address for listening and bound sockets; all interfaces when undefined. */
  bindAddress?: string;
}

const stripMapped = (address: string | undefined): string => (address ?? '').replace(/^::ffff:/i, '');

/**
 * The module's sockets, vendor-neutral: u-blox +USO*, Telit #SSLD and Quectel +QSSLOPEN
 * all end here. This is the table of socket ids and the module-wide rules (the lowest free
 * id, one asynchronous connect at a time, the last error, the data path, the network
 * dropping); each socket is a TCP or UDP socket object (tcp-socket.ts, udp-socket.ts) that
 * dials through the module's dialer. Received bytes stay in the socket until a dialect
 * reads them; events tell the dialect when to announce them. Every failure is a
 * SocketError carrying an errno name (recorded as the socket's and the module's last
 * error), or a ServiceError when the module has no data path.
 */
export class SocketService extends EventEmitter<SocketEvents> {
  private readonly sockets = new Map<number, ModuleSocket>();
  private lastErrno?: SocketErrno;
  /** The socket of the asynchronous connect in progress: only one at a time. */
  private asyncConnectId?: number;
  private readonly host: SocketHost;

  constructor(
    readonly table: SocketTable,
    private readonly deps: SocketServiceDeps,
  ) {
    super();
    this.host = {
      table,
      dialer: deps.dialer,
      clock: deps.clock,
      ...(deps.bindAddress ? { bindAddress: deps.bindAddress } : {}),
      record: (s, errno) => this.record(s, errno),
      err: (s, errno, message) => this.err(s, errno, message),
      failure: (s, err) => this.failure(s, err),
      emit: (event, ...args) => (this.emit as (e: typeof event, ...a: typeof args) => boolean)(event, ...args),
      forget: (s) => this.forget(s),
      requireDataPath: (s) => this.requireDataPath(s),
      accept: (listener, sock) => this.accept(listener, sock),
    };
    deps.pdp.on('context', (e) => {
      if (!e.active) for (const s of [...this.sockets.values()]) if (s.cid === e.cid) s.networkLost();
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
    const s = protocol === 'udp' ? new UdpModuleSocket(this.host, id, cid, localPort) : new TcpModuleSocket(this.host, id, cid, localPort);
    this.sockets.set(id, s);
    if (s instanceof UdpModuleSocket && localPort !== undefined) {
      try {
        await s.bind(localPort);
      } catch (err) {
        s.release();
        throw this.failure(undefined, err);
      }
    }
    return id;
  }

  info(id: number): SocketInfo {
    return this.get(id).info();
  }

  /**
   * Marks a socket secure with security profile `profileId` at connect (TLS for TCP, DTLS
   * 1.2 with the profile's pre-shared key for UDP), or plain again.
   */
  setSecure(id: number, enabled: boolean, profileId: number, opts: { resume?: Buffer; handshakeInactivityMs?: number } = {}): void {
    const s = this.get(id);
    if (s.phase !== 'idle' || s.ended) throw this.err(s, 'EISCONN', 'security must be set before connect');
    s.secure = enabled;
    s.profileId = profileId;
    if (s instanceof TcpModuleSocket) {
      s.resume = enabled ? opts.resume : undefined;
      s.handshakeInactivityMs = enabled ? opts.handshakeInactivityMs : undefined;
    }
  }

  /**
   * The TLS side of a connected secure TCP socket: version, negotiated suite (IANA name),
   * whether the handshake resumed a session, and the session to resume it later.
   */
  tlsInfo(id: number): TlsConnectionInfo | undefined {
    const s = this.get(id);
    return s instanceof TcpModuleSocket ? s.tlsInfo() : undefined;
  }

  /** The TLS peer's certificate of a connected secure TCP socket (lab console). */
  peerCertificate(id: number): PeerCertificate | undefined {
    const s = this.get(id);
    return s instanceof TcpModuleSocket ? s.peerCertificate() : undefined;
  }

  /** Connects (TCP handshake, then TLS when the socket is secure); UDP only records the default peer. */
  async connect(id: number, host: string, port: number): Promise<void> {
    const s = this.get(id);
    this.checkConnectable(s);
    this.requireDataPath(s);
    await s.connect(host, port);
  }

  /**
   * Starts a connect and returns at once; 'connect-result' follows. Only one asynchronous
   * connect runs at a time. A second connect on a socket whose asynchronous connect is
   * still running aborts it and closes the socket (u-blox documents this for +USOCO).
   */
  startConnect(id: number, host: string, port: number): void {
    const s = this.get(id);
    if (s.phase === 'connecting') {
      s.release();
      this.emit('closed', { id, cause: 'local' });
      throw this.err(undefined, 'ECONNABORTED', 'connect already in progress: socket closed');
    }
    this.checkConnectable(s);
    this.requireDataPath(s);
    this.asyncConnectId = id;
    s.connect(host, port).then(
      () => this.connectDone(s),
      (err: unknown) => this.connectDone(s, err instanceof SocketError ? err : new SocketError('ENETDOWN', String(err))),
    );
  }

  /** Throws what a write would fail with now (for dialects that prompt for the data first). */
  checkWrite(id: number): void {
    this.get(id).checkWritable();
  }

  /**
   * Queues bytes toward the peer (TCP, or the default peer of a UDP socket); returns how
   * many were accepted: fewer than given when the module's transmit queue is nearly full,
   * EAGAIN when it is full.
   */
  write(id: number, data: Buffer): number {
    return this.get(id).write(data);
  }

  /** Sends one datagram from a UDP socket to `host` (an address or a name the module resolves). */
  async sendTo(id: number, host: string, port: number, data: Buffer): Promise<number> {
    const s = this.udpSocket(id, 'send-to');
    this.requireDataPath(s);
    return s.sendTo(host, port, data);
  }

  /** Throws what sendTo would fail with before any data is given. */
  checkSendTo(id: number): void {
    this.requireDataPath(this.udpSocket(id, 'send-to'));
  }

  /** Unread bytes (for UDP: of all queued datagrams). */
  unread(id: number): number {
    return this.get(id).unread();
  }

  /**
   * Takes up to `max` received bytes. On a UDP socket this is the next datagram, the rest
   * of which is discarded. A socket its peer has closed is released once it is read empty.
   */
  read(id: number, max: number): Buffer {
    return this.get(id).read(max);
  }

  /** Takes the next datagram of a UDP socket, cut to `max` bytes (the rest is discarded). */
  readFrom(id: number, max: number): Datagram | undefined {
    return this.udpSocket(id, 'receive-from').readFrom(max);
  }

  /** TCP: accept connections on `port` ('incoming' events). UDP: receive on `port`. */
  async listen(id: number, port: number): Promise<void> {
    const s = this.get(id);
    this.requireDataPath(s);
    if (s.phase === 'listening') throw this.err(s, 'EINVAL', 'already listening');
    if (s.phase !== 'idle' || s.ended) throw this.err(s, 'EISCONN');
    await s.listen(port);
  }

  /** Closes and waits until queued data has left (or the linger time has passed). */
  async close(id: number): Promise<void> {
    const s = this.get(id);
    if (s.closing) throw this.err(s, 'EINVAL', 'already closing');
    s.closing = true;
    await s.shutdown();
    s.release();
  }

  /** Closes in the background; 'closed' with cause 'local' follows. */
  closeAsync(id: number): void {
    const s = this.get(id);
    if (s.closing) throw this.err(s, 'EINVAL', 'already closing');
    s.closing = true;
    void s.shutdown().then(() => {
      if (s.released) return;
      s.release();
      this.emit('closed', { id, cause: 'local' });
    });
  }

  setOption(id: number, option: SocketOption, value: readonly number[]): void {
    this.get(id).setOption(option, value);
  }

  getOption(id: number, option: SocketOption): readonly number[] {
    return this.get(id).getOption(option);
  }

  /**
   * The socket as an online-mode byte pipe (u-blox direct link, Telit #SSLD online): bytes
   * both ways, unread data first. Detached, the socket buffers again as usual.
   */
  openPipe(id: number): DataPipe {
    const s = this.get(id);
    if (s.sink) throw this.err(s, 'EINVAL', 'already in online mode');
    return s.openPipe();
  }

  /** Power-off or reboot: every socket is gone, silently. */
  closeAll(): void {
    for (const s of [...this.sockets.values()]) s.release();
    this.asyncConnectId = undefined;
  }

  // ---- internals ---------------------------------------------------------------------

  private get(id: number): ModuleSocket {
    const s = this.sockets.get(id);
    if (!s || s.released) throw this.err(undefined, 'EBADF', `no socket ${id}`);
    return s;
  }

  private udpSocket(id: number, what: string): UdpModuleSocket {
    const s = this.get(id);
    if (!(s instanceof UdpModuleSocket)) throw this.err(s, 'EOPNOTSUPP', `${what} needs a UDP socket`);
    return s;
  }

  private freeId(): number | undefined {
    for (let id = 0; id < this.table.count; id++) if (!this.sockets.has(id)) return id;
    return undefined;
  }

  private forget(s: ModuleSocket): void {
    if (this.sockets.get(s.id) === s) this.sockets.delete(s.id);
    if (this.asyncConnectId === s.id) this.asyncConnectId = undefined;
  }

  private checkConnectable(s: ModuleSocket): void {
    if (this.asyncConnectId !== undefined && this.asyncConnectId !== s.id) throw this.err(s, 'EINPROGRESS', 'another connect is in progress');
    s.checkConnectable();
  }

  private connectDone(s: ModuleSocket, error?: SocketError): void {
    if (this.asyncConnectId === s.id) this.asyncConnectId = undefined;
    if (s.released) return;
    this.emit('connect-result', { id: s.id, ...(error ? { error } : {}) });
  }

  private accept(listener: ModuleSocket, sock: Socket): void {
    // Errors before the socket has an owner must not crash the module.
    sock.on('error', () => {});
    const id = listener.released || listener.phase !== 'listening' ? undefined : this.freeId();
    if (id === undefined) {
      // No socket free: the connection is refused the way a full stack does, with a reset.
      sock.resetAndDestroy();
      return;
    }
    const child = new TcpModuleSocket(this.host, id, listener.cid, listener.localPort, new SocketOptions(listener.options));
    this.sockets.set(id, child);
    const remote = { address: stripMapped(sock.remoteAddress), port: sock.remotePort ?? 0 };
    const meter = this.deps.dialer.meter(listener.cid);
    meter.follow(sock);
    // The announcement comes before any data the new connection brings.
    this.emit('incoming', { id, listener: listener.id, remote, local: { address: this.deps.dialer.moduleAddress(listener.cid), port: listener.localPort ?? 0 } });
    child.adopt(sock, meter, remote);
  }

  private record(s: ModuleSocket | undefined, errno: SocketErrno): void {
    this.lastErrno = errno;
    if (s) s.lastError = errno;
  }

  private err(s: ModuleSocket | undefined, errno: SocketErrno, message?: string): SocketError {
    this.record(s, errno);
    return new SocketError(errno, message);
  }

  /** Any error as what the caller should see: a SocketError (recorded) or a data-path ServiceError (ENETDOWN). */
  private failure(s: ModuleSocket | undefined, err: unknown): Error {
    if (err instanceof ServiceError) {
      this.record(s, 'ENETDOWN');
      return err;
    }
    if (err instanceof SocketError) {
      this.record(s, err.errno);
      return err;
    }
    return this.err(s, errnoOf(err), String(err));
  }

  /** The module must have a context with an address; returns the context sockets use. */
  private requireDataPath(s?: ModuleSocket): number {
    try {
      return this.deps.dialer.dataPath();
    } catch (err) {
      this.record(s, 'ENETDOWN');
      throw err;
    }
  }
}
