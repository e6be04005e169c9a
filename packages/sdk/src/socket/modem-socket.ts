import { isIP } from 'node:net';
import { Duplex } from 'node:stream';

/**
 * What a vendor driver provides for one connected socket of the module. The ModemSocket
 * turns it into a Node Duplex, so mqtt.js, https agents and pipeline() run over a module.
 */
export interface SocketBackend {
  /** Largest payload of one write command. */
  readonly maxWrite: number;
  /** Largest read of one read command. */
  readonly maxRead: number;
  write(data: Buffer): Promise<void>;
  /** Reads up to `max` bytes the module holds for this socket. */
  read(max: number): Promise<Buffer>;
  close(): Promise<void>;
  /**
   * Pull modules: the module says `available` bytes wait (a +UUSORD-like URC, the total
   * it holds for the socket); the socket then calls `read`.
   */
  onAvailable(listener: (available: number) => void): void;
  /**
   * Push modules (Quectel `+QSSLURC: "recv"`): the module hands data over unasked, with no
   * flow control; the socket buffers it until the consumer reads.
   */
  onData?(listener: (data: Buffer) => void): void;
  /** The peer closed; the module keeps what was not read yet. */
  onRemoteClose(listener: () => void): void;
  /** Stop delivering URCs to this backend (socket gone). */
  dispose(): void;
  /**
   * Socket options the module has (u-blox +USOSO): TCP_NODELAY and SO_KEEPALIVE. Absent:
   * `setNoDelay`/`setKeepAlive` are no-ops, as on a module without them.
   */
  setOption?(option: 'nodelay' | 'keepalive', value: boolean): Promise<void>;
}

/** What the module says of the two ends once connected (net.Socket's address fields). */
export interface SocketEnds {
  remoteAddress?: string;
  remotePort?: number;
  localAddress?: string;
  localPort?: number;
}

/**
 * A module's TCP (or TLS) connection as a Node Duplex with the net.Socket surface libraries
 * look at: `connecting`/`pending`/`readyState`, 'connect' and 'ready', the address fields,
 * `setTimeout` (an idle timer that emits 'timeout'), `setNoDelay`/`setKeepAlive`.
 *
 * Created connected (`new ModemSocket(backend)`) or pending (`new ModemSocket()`, then
 * `attach(backend)` and `established(ends)` by the driver): a pending socket takes writes
 * and sends them once connected, which is what a synchronous `createConnection` needs.
 */
export class ModemSocket extends Duplex {
  private available = 0;
  private wanted = false;
  private reading = false;
  private remoteClosed = false;
  private ended = false;
  private announcements = 0;
  private backend: SocketBackend | undefined;
  /** Resolves when the connection is established (writes wait for it). */
  private readonly ready: Promise<void>;
  private markReady!: () => void;
  private idleMs = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  /** True until the module reports the connection established (net.Socket). */
  connecting = true;
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  remoteFamily: string | undefined;
  localAddress: string | undefined;
  localPort: number | undefined;
  /** Payload bytes handed to the module / received from it. */
  bytesWritten = 0;
  bytesRead = 0;

  constructor(backend?: SocketBackend, ends?: SocketEnds) {
    // The module buffers received data; reading only when asked is the backpressure.
    super({ allowHalfOpen: false });
    this.ready = new Promise<void>((resolve) => (this.markReady = resolve));
    // A socket destroyed before it connected leaves nobody waiting on `ready`.
    this.ready.catch(() => {});
    if (backend) {
      this.attach(backend);
      this.established(ends);
    }
  }

  /** net.Socket: true while not yet connected. */
  get pending(): boolean {
    return this.connecting;
  }

  get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.connecting) return 'opening';
    if (this.destroyed) return 'closed';
    if (this.readable && this.writable) return 'open';
    return this.readable ? 'readOnly' : this.writable ? 'writeOnly' : 'closed';
  }

  /** The local end, as net.Socket.address() gives it (empty when the module does not say). */
  address(): { address: string; port: number; family: string } | Record<string, never> {
    if (this.localAddress === undefined) return {};
    return { address: this.localAddress, port: this.localPort ?? 0, family: familyOf(this.localAddress) };
  }

  /** The driver hands over the module socket's backend (before connecting: its URCs may come first). */
  attach(backend: SocketBackend): void {
    if (this.backend) throw new Error('ModemSocket already has a backend');
    this.backend = backend;
    backend.onAvailable((n) => {
      this.announcements++;
      this.available = n;
      this.pump();
    });
    backend.onData?.((data) => {
      if (!this.ended && data.length > 0) this.received(data);
    });
    backend.onRemoteClose(() => {
      this.remoteClosed = true;
      this.pump();
    });
  }

  /** The driver says the module connected: what it knows of the two ends, then 'connect' and 'ready'. */
  established(ends: SocketEnds = {}): void {
    if (!this.connecting || this.destroyed) return;
    this.remoteAddress = ends.remoteAddress;
    this.remotePort = ends.remotePort;
    this.remoteFamily = ends.remoteAddress === undefined ? undefined : familyOf(ends.remoteAddress);
    this.localAddress = ends.localAddress;
    this.localPort = ends.localPort;
    this.connecting = false;
    this.markReady();
    this.touch();
    this.emit('connect');
    this.emit('ready');
    this.pump();
  }

  /** The driver gives up on a pending socket: its backend is gone, the socket is the caller's to destroy. */
  detach(): void {
    this.backend?.dispose();
    this.backend = undefined;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.ready.then(() => this.writeAll(chunk)).then(() => callback(), callback);
  }

  private async writeAll(chunk: Buffer): Promise<void> {
    const backend = this.backend;
    if (!backend) throw new Error('the socket has no connection');
    for (let offset = 0; offset < chunk.length; offset += backend.maxWrite) {
      const part = chunk.subarray(offset, offset + backend.maxWrite);
      await backend.write(part);
      this.bytesWritten += part.length;
      this.touch();
    }
  }

  private received(data: Buffer): boolean {
    this.bytesRead += data.length;
    this.touch();
    return this.push(data);
  }

  override _read(): void {
    this.wanted = true;
    this.pump();
  }

  /** Reads while the consumer wants data and the module has some; ends after a remote close. */
  private pump(): void {
    const backend = this.backend;
    if (this.reading || this.ended || this.connecting || !backend) return;
    if (this.wanted && this.available > 0) {
      this.reading = true;
      const n = Math.min(this.available, backend.maxRead);
      // A +UUSORD that arrives while the read runs carries the newer count; keep it.
      const announced = this.announcements;
      backend
        .read(n)
        .then((data) => {
          if (this.announcements === announced) this.available = data.length === 0 ? 0 : Math.max(0, this.available - data.length);
          this.reading = false;
          if (data.length > 0) this.wanted = this.received(data);
          this.pump();
        })
        .catch((err: Error) => {
          this.reading = false;
          this.destroy(err);
        });
      return;
    }
    if (this.remoteClosed && this.available === 0) {
      this.ended = true;
      this.push(null);
    }
  }

  /**
   * The module has no half-close: ending the writable side closes the module socket, as
   * net.Socket users expect end() to let the peer see the end.
   */
  override _final(callback: (error?: Error | null) => void): void {
    const backend = this.backend;
    if (!backend) return callback();
    backend.close().then(
      () => {
        // The module socket is gone, and what it held with it.
        this.remoteClosed = true;
        this.available = 0;
        this.pump();
        callback();
      },
      (err: Error) => callback(err),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.ended = true;
    this.clearIdle();
    const backend = this.backend;
    if (!backend) return callback(error);
    backend
      .close()
      .catch(() => {})
      .finally(() => {
        backend.dispose();
        callback(error);
      });
  }

  /**
   * TCP_NODELAY on the module's socket where it has the option (u-blox +USOSO 6,1), else a
   * no-op. A pending socket applies it once connected. Failures are ignored, as Node does.
   */
  setNoDelay(noDelay = true): this {
    return this.option('nodelay', noDelay);
  }

  /** SO_KEEPALIVE on the module's socket where it has the option (u-blox +USOSO 65535,8), else a no-op. */
  setKeepAlive(enable = false, _initialDelay?: number): this {
    return this.option('keepalive', enable);
  }

  private option(option: 'nodelay' | 'keepalive', value: boolean): this {
    void this.ready.then(() => this.backend?.setOption?.(option, value)).catch(() => {});
    return this;
  }

  /**
   * As net.Socket: after `ms` without a byte read or written, emit 'timeout' (the socket
   * stays open: the listener decides). 0 turns it off. `cb` is added as a 'timeout' listener.
   */
  setTimeout(ms: number, cb?: () => void): this {
    this.idleMs = ms;
    if (cb) {
      if (ms === 0) this.off('timeout', cb);
      else this.once('timeout', cb);
    }
    this.touch();
    return this;
  }

  /** Restarts the idle timer after activity. */
  private touch(): void {
    this.clearIdle();
    if (this.idleMs > 0 && !this.destroyed) {
      this.idleTimer = setTimeout(() => this.emit('timeout'), this.idleMs);
      // Like net.Socket's timer, it alone does not keep the process alive.
      this.idleTimer.unref();
    }
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

const familyOf = (address: string): string => (isIP(address) === 6 ? 'IPv6' : 'IPv4');
