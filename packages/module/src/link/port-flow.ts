import { EventEmitter } from 'node:events';

/** Default of how long a port may take no output before it is dropped (module clock). */
export const PORT_STALL_MS = 30_000;

/**
 * The flow control of one physical port, as RTS/CTS is on a UART: `blocked` while the
 * port's stream is not draining (its write() returned false), 'drain' when it takes bytes
 * again. The terminals and the online layer above stop producing while it is blocked; the
 * port's link stack drops a port blocked longer than its stall limit.
 */
export class PortFlow extends EventEmitter<{ blocked: []; drain: []; input: []; progress: [] }> {
  private isBlocked = false;
  /** Who holds the port's input (a terminal whose input buffer is full: the module's CTS). */
  private readonly inputHolders = new Set<object>();

  constructor(
    /** Bytes written to the port and not yet taken by it. */
    private readonly queued: () => number,
    /** Disconnects the port's client (the stream is destroyed, its queue freed). */
    private readonly disconnect: () => void,
  ) {
    super();
  }

  get blocked(): boolean {
    return this.isBlocked;
  }

  /** Bytes the port holds that its client has not taken yet. */
  get queuedBytes(): number {
    return this.queued();
  }

  /** The port's stream refused more (write() returned false). */
  block(): void {
    if (this.isBlocked) return;
    this.isBlocked = true;
    this.emit('blocked');
  }

  /** The port's stream drained. */
  release(): void {
    if (!this.isBlocked) return;
    this.isBlocked = false;
    this.emit('drain');
  }

  /** Whether some terminal on the port wants no more host input now (CTS off; honoured by a paced line with AT&K3). */
  get inputHeld(): boolean {
    return this.inputHolders.size > 0;
  }

  /** `holder` (a terminal) can take no more host input, or can again; 'input' when the sum changes. */
  holdInput(holder: object, held: boolean): void {
    const was = this.inputHeld;
    if (held) this.inputHolders.add(holder);
    else this.inputHolders.delete(holder);
    if (was !== this.inputHeld) this.emit('input');
  }

  /**
   * Output is moving although the port is still blocked (a paced line sending a long
   * response at its rate): the client is reading, so the stall limit starts again.
   */
  progressed(): void {
    if (this.isBlocked) this.emit('progress');
  }

  /** Drops the port's client. */
  drop(): void {
    this.disconnect();
  }
}
