import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { DataPipe } from '../../link/byte-pipe.js';
import type { ByteMeter } from '../net/byte-meter.js';
import { errnoOf, SocketError, type SocketErrno } from '../net/errors.js';
import { followSessions, negotiated } from '../tls/tls-service.js';
import { RxQueue } from './rx-queue.js';
import { ModuleSocket } from './socket-base.js';
import { socketPipe } from './socket-pipe.js';
import { TcpListener } from './tcp-listener.js';
import type { Ended, PeerCertificate, SocketAddress, SocketState, TlsConnectionInfo } from './types.js';

/**
 * A TCP socket: connected through the module's dialer (TLS by its security profile when
 * marked secure), or accepted by a listening one, or listening itself. Received bytes wait
 * in its queue until the host reads them; a full queue pauses the connection (TCP flow
 * control does the rest).
 */
export class TcpModuleSocket extends ModuleSocket {
  readonly protocol = 'tcp' as const;
  /** A TLS session to resume at connect (a fast redial), and the handshake's inactivity limit. */
  resume?: Buffer;
  handshakeInactivityMs?: number;
  private raw?: Socket;
  private stream?: Socket | TLSSocket;
  private meter?: ByteMeter;
  /** The TLS session of the connection, as the handshake (or a later ticket) gave it. */
  private tlsSession?: Buffer;
  private listener?: TcpListener;
  private readonly rx = new RxQueue();
  private paused = false;
  /** Stops the dial under way (close, network lost). */
  private dialing?: AbortController;

  unread(): number {
    return this.rx.bytes;
  }

  unsent(): number {
    return this.stream && !this.stream.destroyed ? this.stream.writableLength : 0;
  }

  state(): SocketState {
    if (this.phase === 'listening') return 'listen';
    if (this.phase === 'connecting') return 'syn-sent';
    if (this.phase !== 'open') return 'inactive';
    if (this.ended) return 'close-wait';
    return this.closing ? 'fin-wait-1' : 'established';
  }

  /** The TLS side: version, suite, resumption, and the session to resume later. */
  tlsInfo(): TlsConnectionInfo | undefined {
    const stream = this.stream;
    if (!this.secure || !stream || stream === this.raw) return undefined;
    return { ...negotiated(stream as TLSSocket), ...(this.tlsSession ? { session: this.tlsSession } : {}) };
  }

  /** The TLS peer's certificate (subject, issuer, validity, SHA-256 fingerprint), for the lab console. */
  peerCertificate(): PeerCertificate | undefined {
    const stream = this.stream;
    if (!this.secure || !stream || stream === this.raw) return undefined;
    const c = (stream as TLSSocket).getPeerCertificate?.();
    if (!c || Object.keys(c).length === 0) return undefined;
    return { subject: String(c.subject?.CN ?? ''), issuer: String(c.issuer?.CN ?? ''), validTo: c.valid_to, fingerprint256: c.fingerprint256 };
  }

  async connect(host: string, port: number): Promise<void> {
    this.phase = 'connecting';
    const dialing = new AbortController();
    this.dialing = dialing;
    try {
      const conn = await this.host.dialer.connect({
        host,
        port,
        cid: this.cid,
        connectTimeoutMs: this.host.table.connectTimeoutMs,
        signal: dialing.signal,
        ...(this.localPort !== undefined ? { localPort: this.localPort } : {}),
        onConnected: (raw) => this.options.applyTcp(raw),
        ...(this.secure
          ? { secure: { profileId: this.profileId, ...(this.resume ? { session: this.resume } : {}), ...(this.handshakeInactivityMs !== undefined ? { handshakeInactivityMs: this.handshakeInactivityMs } : {}) } }
          : {}),
      });
      if (this.released) {
        conn.stream.destroy();
        throw new SocketError('ECONNABORTED');
      }
      this.meter = conn.meter;
      this.open(conn.raw, conn.stream, { address: conn.address, port });
    } catch (err) {
      if (!this.released && this.phase === 'connecting') this.phase = 'idle';
      throw this.host.failure(this.released ? undefined : this, err);
    } finally {
      if (this.dialing === dialing) this.dialing = undefined;
    }
  }

  /** A connection a listening socket accepted. */
  adopt(sock: Socket, meter: ByteMeter, remote: SocketAddress): void {
    this.meter = meter;
    this.open(sock, sock, remote);
    this.applyOptions();
  }

  checkWritable(): void {
    if (this.phase === 'idle' || this.phase === 'connecting' || this.phase === 'listening') throw this.host.err(this, 'ENOTCONN');
    if (this.ended || this.closing || !this.stream || this.stream.destroyed) throw this.host.err(this, 'EPIPE', 'connection closed');
  }

  /** Queues bytes; fewer are taken when the transmit queue is nearly full, EAGAIN when it is full. */
  write(data: Buffer): number {
    this.checkWritable();
    const free = this.host.table.txBuffer - this.stream!.writableLength;
    if (free <= 0) throw this.host.err(this, 'EAGAIN', 'transmit queue full');
    const chunk = data.length <= free ? data : data.subarray(0, free);
    this.send(chunk);
    return chunk.length;
  }

  /** Takes up to `max` received bytes; a socket its peer closed is released once read empty. */
  read(max: number): Buffer {
    if (this.phase === 'listening') throw this.host.err(this, 'EINVAL', 'listening socket');
    const data = this.rx.take(max);
    this.resumeIfRoom();
    if (data.length > 0 && this.rx.bytes > 0) this.host.emit('data', { id: this.id, protocol: 'tcp', unread: this.rx.bytes, length: 0, cause: 'partial-read' });
    this.finishIfDrained();
    return data;
  }

  async listen(port: number): Promise<void> {
    if (this.secure) throw this.host.err(this, 'EOPNOTSUPP', 'no TLS server sockets');
    const listener = new TcpListener(
      (sock) => this.host.accept(this, sock),
      (err) => this.host.record(this, errnoOf(err)),
    );
    this.listener = listener;
    this.phase = 'listening';
    try {
      await listener.listen(port, this.host.bindAddress);
    } catch (err) {
      listener.close();
      if (this.listener === listener) {
        this.listener = undefined;
        this.phase = 'idle';
      }
      throw this.host.failure(this, err);
    }
    if (this.released) {
      listener.close();
      throw this.host.err(undefined, 'EBADF');
    }
    this.localPort = port;
  }

  openPipe(): DataPipe {
    if (this.phase !== 'open' || (this.ended && this.unread() === 0)) throw this.host.err(this, 'ENOTCONN');
    return socketPipe(
      this,
      (bytes) => this.send(bytes),
      () => {
        const all = this.rx.drain();
        this.resumeIfRoom();
        return all;
      },
    );
  }

  networkLost(): void {
    if (this.released || this.ended) return;
    this.host.record(this, 'ENETDOWN');
    this.dialing?.abort(new SocketError('ENETDOWN', 'network lost'));
    this.ended = 'network';
    this.meter?.sync();
    this.stream?.destroy();
    this.listener?.close();
    this.listener = undefined;
    this.endSink();
  }

  async shutdown(): Promise<void> {
    this.dialing?.abort(new SocketError('ECONNABORTED', 'closed'));
    this.listener?.close();
    const stream = this.stream;
    if (!stream || stream.destroyed || this.phase !== 'open' || this.ended) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        timer.cancel();
        stream.off('finish', done);
        stream.off('close', done);
        resolve();
      };
      const timer = this.host.clock.setTimeout(done, this.host.table.closeTimeoutMs);
      stream.once('finish', done);
      stream.once('close', done);
      stream.end();
    });
  }

  protected applyOptions(): void {
    this.options.applyTcp(this.raw);
  }

  protected releaseResources(): void {
    this.dialing?.abort(new SocketError('ECONNABORTED', 'closed'));
    this.meter?.sync();
    this.stream?.destroy();
    if (this.raw !== this.stream) this.raw?.destroy();
    this.listener?.close();
    this.rx.drain();
  }

  /** The peer or the network failed the connection. */
  streamFailed(stream: Socket | TLSSocket, err: Error): void {
    const errno = errnoOf(err);
    this.peerGone(stream, errno === 'ECONNRESET' || errno === 'EPIPE' ? 'reset' : 'remote', errno);
  }

  /** A connected stream (plain or TLS) starts delivering into the socket's queue. */
  private open(raw: Socket, stream: Socket | TLSSocket, peer: SocketAddress): void {
    this.raw = raw;
    this.stream = stream;
    this.peer = peer;
    this.phase = 'open';
    this.meter?.sync();
    raw.on('error', (err) => this.streamFailed(raw, err));
    if (stream !== raw) {
      stream.on('error', (err) => this.streamFailed(stream, err));
      followSessions(stream as TLSSocket, (der) => {
        this.tlsSession = der ?? this.tlsSession ?? this.resume;
      });
    }
    stream.on('data', (chunk: Buffer) => this.onData(stream, chunk));
    stream.on('end', () => this.peerGone(stream, 'remote'));
    stream.on('close', () => this.peerGone(stream, 'remote'));
  }

  private onData(stream: Socket | TLSSocket, chunk: Buffer): void {
    if (this.released || this.stream !== stream) return;
    this.bytesReceived += chunk.length;
    this.meter?.sync();
    if (this.sink) {
      this.sink.data(chunk);
      return;
    }
    const wasEmpty = this.rx.bytes === 0;
    this.rx.push(chunk);
    if (this.rx.bytes >= this.host.table.rxBuffer && !this.paused) {
      this.paused = true;
      stream.pause();
    }
    if (wasEmpty) this.host.emit('data', { id: this.id, protocol: 'tcp', unread: this.rx.bytes, length: chunk.length, cause: 'arrival' });
  }

  private resumeIfRoom(): void {
    if (this.paused && this.rx.bytes < this.host.table.rxBuffer) {
      this.paused = false;
      this.stream?.resume();
    }
  }

  private send(chunk: Buffer): void {
    this.stream!.write(chunk, (err) => {
      if (!err) this.bytesSent += chunk.length;
      this.meter?.sync();
    });
  }

  /** The peer closed or reset the connection: the socket ends once its data has been read. */
  private peerGone(stream: Socket | TLSSocket, cause: Ended, errno?: SocketErrno): void {
    if (this.released || this.ended || (this.stream !== stream && this.raw !== stream)) return;
    if (errno) this.host.record(this, errno);
    this.ended = cause;
    this.meter?.sync();
    // Nothing more will be read or written: the connection is torn down now, its data stays.
    if (!this.closing) this.stream?.destroy();
    this.endSink();
  }
}
