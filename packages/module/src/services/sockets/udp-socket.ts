import type { Socket as DgramSocket } from 'node:dgram';
import type { DataPipe } from '../../link/byte-pipe.js';
import type { ByteMeter } from '../net/byte-meter.js';
import { errnoOf } from '../net/errors.js';
import type { DtlsSession } from '../tls/dtls.js';
import { ModuleSocket, type SocketHost } from './socket-base.js';
import { socketPipe } from './socket-pipe.js';
import type { Datagram, SocketAddress, SocketState } from './types.js';
import type { SocketOptions } from './options.js';

const stripMapped = (address: string | undefined): string => (address ?? '').replace(/^::ffff:/i, '');

/**
 * A UDP socket: datagrams to any peer, a default peer set by connect, or, marked secure,
 * a DTLS 1.2 session (PSK) with one peer. Each received datagram is kept whole until read.
 */
export class UdpModuleSocket extends ModuleSocket {
  readonly protocol = 'udp' as const;
  private readonly udp: DgramSocket;
  private readonly meter: ByteMeter;
  private bound = false;
  /** The DTLS session of a secure socket, from its connect on. */
  private dtls?: DtlsSession;
  private datagrams: Datagram[] = [];

  constructor(host: SocketHost, id: number, cid: number, localPort: number | undefined, options?: SocketOptions) {
    super(host, id, cid, localPort, options);
    this.meter = host.dialer.meter(cid);
    this.udp = host.dialer.udp();
    this.udp.on('error', (err) => this.host.record(this, errnoOf(err)));
    this.udp.on('message', (msg, rinfo) => this.onDatagram(msg, host.dialer.udpSource(stripMapped(rinfo.address), rinfo.port)));
  }

  unread(): number {
    let n = 0;
    for (const d of this.datagrams) n += d.data.length;
    return n;
  }

  unsent(): number {
    return 0;
  }

  state(): SocketState {
    return 'inactive';
  }

  /** Records the default peer, or runs the DTLS handshake on a secure socket. */
  async connect(host: string, port: number): Promise<void> {
    if (this.secure && this.phase === 'open') throw this.host.err(this, 'EISCONN', 'DTLS session already open');
    const address = await this.resolve(host);
    if (this.released) throw this.host.err(undefined, 'ECONNABORTED');
    if (this.secure) return this.dtlsConnect(address, port);
    if (!this.bound) await this.bind(0).catch((err: unknown) => Promise.reject(this.host.failure(this, err)));
    this.peer = { address, port };
    this.phase = this.phase === 'listening' ? 'listening' : 'open';
  }

  checkWritable(): void {
    if (!this.peer) throw this.host.err(this, 'EDESTADDRREQ', 'no default peer: connect first');
    if (this.secure && (this.ended || !this.dtls)) throw this.host.err(this, 'EPIPE', 'DTLS session closed');
    this.host.requireDataPath(this);
  }

  /** Sends one datagram to the default peer. */
  write(data: Buffer): number {
    this.checkWritable();
    this.sendDatagram(data, this.peer!).catch(() => {});
    return data.length;
  }

  /** Sends one datagram to `host` (an address or a name the module resolves). */
  async sendTo(host: string, port: number, data: Buffer): Promise<number> {
    const address = await this.resolve(host);
    if (this.released) throw this.host.err(undefined, 'EBADF');
    // A DTLS socket talks to its connected peer only.
    if (this.secure && (!this.dtls || this.peer?.address !== address || this.peer.port !== port)) throw this.host.err(this, 'EOPNOTSUPP', 'secure UDP socket: send to the connected peer');
    await this.sendDatagram(data, { address, port });
    return data.length;
  }

  /** The next datagram's bytes, cut to `max` (the rest is discarded). */
  read(max: number): Buffer {
    return this.readFrom(max)?.data ?? Buffer.alloc(0);
  }

  /** The next datagram with its sender, cut to `max` bytes. */
  readFrom(max: number): Datagram | undefined {
    const d = this.datagrams.shift();
    this.finishIfDrained();
    return d && { address: d.address, port: d.port, data: d.data.length > max ? d.data.subarray(0, max) : d.data };
  }

  /** Receives on `port`. */
  async listen(port: number): Promise<void> {
    if (this.secure) throw this.host.err(this, 'EOPNOTSUPP', 'no DTLS server sockets');
    if (this.bound) {
      if (this.localPort !== port) throw this.host.err(this, 'EINVAL', 'bound to another port');
    } else {
      await this.bind(port).catch((err: unknown) => {
        throw this.host.failure(this, err);
      });
    }
    this.phase = 'listening';
  }

  openPipe(): DataPipe {
    if (!this.peer) throw this.host.err(this, 'EDESTADDRREQ', 'no default peer');
    return socketPipe(
      this,
      (bytes) => void this.sendDatagram(bytes, this.peer!).catch(() => {}),
      () => this.datagrams.splice(0).map((d) => d.data),
    );
  }

  networkLost(): void {
    if (this.released || this.ended) return;
    this.host.record(this, 'ENETDOWN');
    this.ended = 'network';
    this.dtls?.close();
    this.endSink();
  }

  async shutdown(): Promise<void> {
    // Datagrams leave at once: nothing to wait for.
  }

  /** Binds the socket to `port` (0: any), exclusively. */
  bind(port: number): Promise<void> {
    const udp = this.udp;
    return new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      udp.once('error', onError);
      udp.bind({ port, ...(this.host.bindAddress ? { address: this.host.bindAddress } : {}), exclusive: true }, () => {
        udp.off('error', onError);
        this.markBound();
        resolve();
      });
    });
  }

  protected applyOptions(): void {
    if (this.bound) this.options.applyUdp(this.udp);
  }

  protected releaseResources(): void {
    const session = this.dtls;
    this.dtls = undefined;
    session?.close();
    try {
      this.udp.close();
    } catch {
      // already closed
    }
    this.datagrams = [];
  }

  private async resolve(host: string): Promise<string> {
    try {
      return await this.host.dialer.resolve(host);
    } catch (err) {
      throw this.host.failure(this, err);
    }
  }

  /** A secure socket's connect: the DTLS handshake with the profile's pre-shared key. */
  private async dtlsConnect(address: string, port: number): Promise<void> {
    this.phase = 'connecting';
    let session: DtlsSession;
    try {
      session = await this.host.dialer.dtls({ profileId: this.profileId, address, port });
    } catch (err) {
      if (!this.released && this.phase === 'connecting') this.phase = 'idle';
      throw this.host.failure(this.released ? undefined : this, err);
    }
    if (this.released) {
      session.close();
      throw this.host.err(undefined, 'ECONNABORTED');
    }
    this.dtls = session;
    this.peer = { address, port };
    this.phase = 'open';
    session.on('message', (msg) => this.onDatagram(msg, { address, port }));
    session.on('error', (err) => this.host.record(this, errnoOf(err)));
    session.on('close', () => {
      if (this.released || this.ended || this.dtls !== session) return;
      // The peer ended the session: the socket ends once its datagrams have been read.
      this.ended = 'remote';
      this.endSink();
    });
  }

  private onDatagram(msg: Buffer, from: SocketAddress): void {
    if (this.released) return;
    this.bytesReceived += msg.length;
    this.meter.add(0, msg.length);
    if (this.sink) {
      this.sink.data(msg);
      return;
    }
    if (this.datagrams.length >= this.host.table.maxDatagrams) return;
    this.datagrams.push({ ...from, data: msg });
    this.host.emit('data', { id: this.id, protocol: 'udp', unread: this.unread(), length: msg.length, cause: 'arrival' });
  }

  private sendDatagram(data: Buffer, to: SocketAddress): Promise<void> {
    const session = this.dtls;
    if (session) {
      return session.send(data).then(
        () => {
          this.bytesSent += data.length;
          this.meter.add(data.length, 0);
        },
        (err: unknown) => Promise.reject(this.host.err(this, errnoOf(err), String(err))),
      );
    }
    let target: { host: string; port: number };
    try {
      target = this.host.dialer.udpRoute(to.address, to.port);
    } catch (err) {
      return Promise.reject(this.host.failure(this, err));
    }
    return new Promise<void>((resolve, reject) => {
      try {
        this.udp.send(data, target.port, target.host, (err) => {
          if (err) {
            reject(this.host.err(this, errnoOf(err), err.message));
            return;
          }
          this.bytesSent += data.length;
          this.meter.add(data.length, 0);
          if (!this.bound) this.markBound();
          resolve();
        });
      } catch (err) {
        reject(this.host.err(this, errnoOf(err), String(err)));
      }
    });
  }

  private markBound(): void {
    this.bound = true;
    try {
      this.localPort = this.udp.address().port;
    } catch {
      // not bound after all
    }
    this.applyOptions();
  }
}
