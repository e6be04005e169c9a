import { EventEmitter } from 'node:events';
import type { PortFlow } from './port-flow.js';

/**
 * Where a pipe delivers the bytes that come from its other end. `close` says the other end
 * went away (the remote closed the connection, the transport dropped, a CMUX channel was
 * disconnected): nothing more will arrive.
 */
export interface PipeReceiver {
  data(bytes: Buffer): void;
  close(): void;
}

/**
 * The smallest pipe: bytes one way by `write`, bytes the other way to one attached
 * receiver. What a terminal hands over to in online data mode (a socket's connection, an
 * FTP transfer) is this shape; every link layer speaks the fuller `BytePipe`.
 */
export interface DataPipe {
  /** Bytes toward the other end. */
  write(bytes: Buffer): void;
  /** Makes `receiver` the one that gets what arrives (replacing any other). */
  attach(receiver: PipeReceiver): void;
  /** No receiver any more; the pipe itself stays open (its owner may buffer). */
  detach(): void;
  /**
   * For a pipe whose +++ ends its job instead of suspending it (an FTP upload completes):
   * the terminal detaches, stays busy (host input waits) and prints the result this
   * resolves with. Without it the terminal prints OK at once and the owner keeps the
   * connection for a resume command.
   */
  escape?(): Promise<{ text: string; numeric: number }>;
}

export interface BytePipeEvents {
  /** The pipe can carry bytes (a CMUX channel after its SABM/UA). */
  open: [];
  /** The pipe is closed, from either end; it carries nothing more. */
  closed: [];
}

/**
 * The byte pipe every link layer speaks, after Zephyr's `modem_pipe`: the transport's
 * stream, each layer's upper side, each CMUX channel. A layer never knows what is above or
 * below it, only the pipe it was given and the pipe it gives.
 */
export interface BytePipe extends DataPipe {
  /** A name for logs and traces: 'tcp:127.0.0.1:50312', 'cmux/dlci2'. */
  readonly name: string;
  readonly isOpen: boolean;
  /** A transport's pipe: whether the port drains (only the bottom of a physical port has one). */
  readonly flow?: PortFlow;
  /** Closes both ends: the other end's receiver gets `close()`, both emit 'closed'. */
  close(): void;
  on<E extends keyof BytePipeEvents>(event: E, listener: (...args: BytePipeEvents[E]) => void): this;
  once<E extends keyof BytePipeEvents>(event: E, listener: (...args: BytePipeEvents[E]) => void): this;
  off<E extends keyof BytePipeEvents>(event: E, listener: (...args: BytePipeEvents[E]) => void): this;
}

/**
 * What every pipe end shares: one receiver at a time, bytes that arrive while none is
 * attached wait (like a UART's receive FIFO) and go to the next receiver in order, so a
 * layer swap never drops a byte; closing once, from either side.
 */
export abstract class PipeBase extends EventEmitter<BytePipeEvents> implements BytePipe {
  private receiver?: PipeReceiver;
  private held: Buffer[] = [];
  private open = true;

  constructor(readonly name: string) {
    super();
  }

  get isOpen(): boolean {
    return this.open;
  }

  abstract write(bytes: Buffer): void;

  attach(receiver: PipeReceiver): void {
    this.receiver = receiver;
    if (this.held.length > 0) {
      const held = this.held;
      this.held = [];
      // A receiver may detach while it takes a chunk: the rest waits for the next one.
      for (const b of held) {
        if (this.receiver === receiver) receiver.data(b);
        else this.held.push(b);
      }
    }
    if (!this.open && this.receiver === receiver) receiver.close();
  }

  detach(): void {
    this.receiver = undefined;
  }

  close(): void {
    this.shut();
  }

  /** Bytes from the other end, for the receiver. */
  protected deliver(bytes: Buffer): void {
    if (this.receiver) this.receiver.data(bytes);
    else this.held.push(Buffer.from(bytes));
  }

  /** Marks the pipe closed and tells the receiver; true the first time only. */
  protected shut(): boolean {
    if (!this.open) return false;
    this.open = false;
    const r = this.receiver;
    this.emit('closed');
    r?.close();
    return true;
  }
}

/** One end of an in-memory pipe pair. */
export class PipeEnd extends PipeBase {
  peer!: PipeEnd;

  write(bytes: Buffer): void {
    if (!this.isOpen || bytes.length === 0) return;
    this.peer.deliver(bytes);
  }

  override close(): void {
    if (this.shut()) this.peer.shut();
  }
}

/** Two pipe ends cross-wired: what `a` writes, `b`'s receiver gets, and back. */
export function pipePair(nameA: string, nameB = nameA): [PipeEnd, PipeEnd] {
  const a = new PipeEnd(nameA);
  const b = new PipeEnd(nameB);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
