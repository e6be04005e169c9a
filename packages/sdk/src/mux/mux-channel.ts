/**
 * One 27.010 channel (DLCI) as a Node Duplex: what is written goes out in UIH frames,
 * what the module sends on the DLCI is read. Destroying it closes the DLCI (DISC); an
 * AtClient on it therefore closes its channel when it closes.
 */
import { Duplex } from 'node:stream';

export interface ChannelOwner {
  /** False when the transport's buffer is full: wait for `whenDrained` before writing more. */
  sendData(dlci: number, data: Buffer): boolean;
  /** Calls `fn` once the transport can take more (or the mux is gone). */
  whenDrained(fn: () => void): void;
  /** A promise when the channel's end should wait for it (the mux closing after its last channel). */
  channelDestroyed(dlci: number): Promise<void> | undefined;
}

export class MuxChannel extends Duplex {
  constructor(
    readonly dlci: number,
    private readonly owner: ChannelOwner,
  ) {
    super();
  }

  override _read(): void {}

  override _write(chunk: Buffer | string, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // The transport's backpressure reaches the channel's writer.
    if (this.owner.sendData(this.dlci, typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk)) callback();
    else this.owner.whenDrained(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const pending = this.owner.channelDestroyed(this.dlci);
    // 'close' waits for the mux close-down it caused, so a caller awaiting it sees the port free.
    if (pending) void pending.then(() => callback(error));
    else callback(error);
  }

  /** Data the module sent on this DLCI. */
  receive(data: Buffer): void {
    if (!this.destroyed) this.push(data);
  }

  /** The DLCI was closed from the other side (DISC, DM, CLD, the link ended). */
  remoteClosed(): void {
    if (this.destroyed) return;
    this.push(null);
    this.destroy();
  }
}
