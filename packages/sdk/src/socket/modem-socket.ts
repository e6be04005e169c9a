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
}

export class ModemSocket extends Duplex {
  private available = 0;
  private wanted = false;
  private reading = false;
  private remoteClosed = false;
  private ended = false;
  private announcements = 0;

  constructor(private readonly backend: SocketBackend) {
    // The module buffers received data; reading only when asked is the backpressure.
    super({ allowHalfOpen: false });
    backend.onAvailable((n) => {
      this.announcements++;
      this.available = n;
      this.pump();
    });
    backend.onData?.((data) => {
      if (!this.ended && data.length > 0) this.push(data);
    });
    backend.onRemoteClose(() => {
      this.remoteClosed = true;
      this.pump();
    });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writeAll(chunk).then(() => callback(), callback);
  }

  private async writeAll(chunk: Buffer): Promise<void> {
    for (let offset = 0; offset < chunk.length; offset += this.backend.maxWrite) {
      await this.backend.write(chunk.subarray(offset, offset + this.backend.maxWrite));
    }
  }

  override _read(): void {
    this.wanted = true;
    this.pump();
  }

  /** Reads while the consumer wants data and the module has some; ends after a remote close. */
  private pump(): void {
    if (this.reading || this.ended) return;
    if (this.wanted && this.available > 0) {
      this.reading = true;
      const n = Math.min(this.available, this.backend.maxRead);
      // A +UUSORD that arrives while the read runs carries the newer count; keep it.
      const announced = this.announcements;
      this.backend
        .read(n)
        .then((data) => {
          if (this.announcements === announced) this.available = data.length === 0 ? 0 : Math.max(0, this.available - data.length);
          this.reading = false;
          if (data.length > 0) this.wanted = this.push(data);
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
    this.backend.close().then(
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
    this.backend
      .close()
      .catch(() => {})
      .finally(() => {
        this.backend.dispose();
        callback(error);
      });
  }

  /** Compatibility with net.Socket users (http agents call these). */
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  setTimeout(_ms: number, cb?: () => void): this {
    if (cb) this.once('timeout', cb);
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}
