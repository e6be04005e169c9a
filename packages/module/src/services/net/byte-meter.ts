import type { Socket } from 'node:net';
import type { PdpContexts } from '../network/pdp.js';

/**
 * Counts a connection's bytes into its PDP context's counters (+UGCNTRD and the like): what
 * crossed the air interface, so TLS records and HTTP/FTP protocol bytes count, not only the
 * payload. A TCP connection is followed through its socket's own counters (node keeps them
 * on the handle, below any TLS layer); `sync()` adds what moved since the last look, so
 * looking often costs nothing and looking twice never counts twice. Datagrams are added
 * one by one.
 */
export class ByteMeter {
  private raw?: Socket;
  private read = 0;
  private written = 0;

  constructor(
    private readonly pdp: PdpContexts,
    /** The context whose counters the bytes go to. */
    readonly cid: number,
  ) {}

  /** Follows a TCP socket from now on: its bytes so far count at the next sync. */
  follow(raw: Socket): void {
    this.sync();
    this.raw = raw;
    this.read = 0;
    this.written = 0;
    // The last bytes count even when nobody looks again after the close.
    raw.once('close', () => this.sync());
  }

  /** Adds the followed socket's bytes moved since the last look; returns its byte total. */
  sync(): number {
    const raw = this.raw;
    if (!raw) return 0;
    const read = raw.bytesRead ?? this.read;
    const written = raw.bytesWritten ?? this.written;
    const dr = read - this.read;
    const dw = written - this.written;
    if (dr > 0 || dw > 0) {
      this.read = Math.max(read, this.read);
      this.written = Math.max(written, this.written);
      this.pdp.countBytes(this.cid, Math.max(dw, 0), Math.max(dr, 0));
    }
    return this.read + this.written;
  }

  /** Counts bytes that did not go through a followed socket (a datagram each way). */
  add(sent: number, received: number): void {
    this.pdp.countBytes(this.cid, sent, received);
  }
}
