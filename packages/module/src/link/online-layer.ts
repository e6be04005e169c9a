import { pipePair, type BytePipe, type DataPipe, type PipeReceiver } from './byte-pipe.js';
import { EscapeDetector } from './escape.js';
import type { LayerHost, LinkLayer, LinkStack } from './link-stack.js';

export interface OnlineEvents {
  /** The host sent +++ with its guard times. */
  escaped(): void;
  /** The remote side went away (NO CARRIER). */
  carrierLost(): void;
}

/**
 * Online data mode as a layer: pushed on a terminal's stack after CONNECT has left, it
 * joins the pipe below straight to a connection's data pipe (a socket, an FTP transfer)
 * through the +++ detector; the terminal above hears nothing until the layer is popped
 * (escape or NO CARRIER). Bytes from the remote go down at once, not through the terminal.
 */
export class OnlineDataLayer implements LinkLayer {
  readonly name = 'online';
  private escape?: EscapeDetector;
  private lower?: BytePipe;
  private parked?: BytePipe;
  private active = false;
  private unwatch?: () => void;

  constructor(
    readonly data: DataPipe,
    private readonly guardMs: number,
    private readonly events: OnlineEvents,
  ) {}

  open(lower: BytePipe, host: LayerHost, stack: LinkStack): BytePipe {
    this.active = true;
    this.lower = lower;
    const escape = new EscapeDetector(host.clock, this.guardMs, {
      forward: (bytes) => this.data.write(bytes),
      escaped: () => this.active && this.events.escaped(),
    });
    this.escape = escape;
    lower.attach({ data: (bytes) => escape.input(bytes), close: () => {} });
    const receiver: PipeReceiver = {
      data: (bytes) => this.active && lower.write(bytes),
      close: () => this.active && this.events.carrierLost(),
    };
    this.data.attach(receiver);
    // A port that does not drain stops the connection's data: detached, its owner keeps the
    // bytes in its bounded receive queue (a full one pauses the remote), as CTS stops a UART.
    const flow = stack.flow;
    if (flow) {
      const stop = (): void => {
        if (this.active) this.data.detach();
      };
      const go = (): void => {
        if (this.active) this.data.attach(receiver);
      };
      flow.on('blocked', stop);
      flow.on('drain', go);
      this.unwatch = () => {
        flow.off('blocked', stop);
        flow.off('drain', go);
      };
      if (flow.blocked) stop();
    }
    // The terminal above is parked: it has nothing to say while online, and hears nothing.
    const [upper, parked] = pipePair('online');
    parked.attach({ data: () => {}, close: () => {} });
    this.parked = parked;
    return upper;
  }

  close(): void {
    if (!this.active) return;
    this.active = false;
    this.unwatch?.();
    this.escape?.stop();
    this.data.detach();
    this.lower?.detach();
    this.parked?.close();
  }
}
