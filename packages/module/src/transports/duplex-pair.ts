import { Duplex } from 'node:stream';

/**
 * One side of an in-memory byte pipe. Bytes written to one end are read from the other.
 * Binary safe (Buffers only), with backpressure, end (half-close) and destroy propagation.
 */
class PairEnd extends Duplex {
  peer: PairEnd | undefined;
  /** Write callback waiting until the peer's reader wants more data. */
  private pendingCallback: ((err?: Error | null) => void) | undefined;

  constructor() {
    super({ allowHalfOpen: true, decodeStrings: true });
  }

  override _read(): void {
    // Our reader wants data: release the peer's pending write, if any.
    const peer = this.peer;
    const cb = peer?.pendingCallback;
    if (peer && cb) {
      peer.pendingCallback = undefined;
      cb();
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    const peer = this.peer;
    if (!peer || peer.destroyed) {
      callback(new Error('duplexPair: peer is destroyed'));
      return;
    }
    if (peer.push(chunk)) callback();
    else this.pendingCallback = callback;
  }

  override _final(callback: (err?: Error | null) => void): void {
    const peer = this.peer;
    if (peer && !peer.destroyed) peer.push(null);
    callback();
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    const cb = this.pendingCallback;
    this.pendingCallback = undefined;
    if (cb) cb(err ?? new Error('duplexPair: destroyed'));
    const peer = this.peer;
    if (peer && !peer.destroyed) {
      // The peer sees the end of its input, then is destroyed (like a closed socket).
      peer.push(null);
      peer.destroy();
    }
    callback(err);
  }
}

/** Two Duplex streams cross-wired: what `a` writes, `b` reads, and vice versa. */
export function duplexPair(): [Duplex, Duplex] {
  const a = new PairEnd();
  const b = new PairEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
