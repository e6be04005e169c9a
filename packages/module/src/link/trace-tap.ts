/**
 * The trace tap: sees every byte each way on every link stack of a module, at every level
 * it crosses, and hands it on as trace records (packages/at/src/trace.ts).
 *
 * - `port`: one name per physical connection: the bottom pipe's name, as the transport gave
 *   it (`tcp:127.0.0.1:50312`, `pty:/tmp/ttyV0`, `in-process`), `#2`, `#3`... added when a
 *   name comes again, after an optional prefix (`sara-r5-0:` when several modules write one
 *   trace).
 * - `channel`: the DLCI of a CMUX channel's level (`cmux/dlci2`). A stack opened by a layer
 *   of another stack (a CMUX channel's terminal) belongs to that stack's port.
 * - `layer`: the level the bytes crossed, named by its pipe: the bottom (named as the port) is the wire;
 *   `cmux/dlci1` is DLCI 1 above the multiplexer.
 * - `dir`: 'up' (toward the terminal) is to-module, 'down' is from-module.
 * - `time`: milliseconds since the tap started, on a monotonic clock (performance.now), not
 *   the module clock: a manual test clock would stand still.
 */
import { performance } from 'node:perf_hooks';
import type { TraceChunk } from '@modemlab/at';
import type { LinkStack } from './link-stack.js';

export interface TraceTapOptions {
  /** Gets every record, in the order the bytes crossed. */
  sink: (chunk: TraceChunk) => void;
  /** Put before every port name (several modules in one trace). Default none. */
  portPrefix?: string;
  /** Monotonic milliseconds; default performance.now. */
  now?: () => number;
}

/** The source of stacks a tap watches: VirtualModule.onLinkStack. */
export interface LinkStackSource {
  onLinkStack(watch: (stack: LinkStack, parent?: LinkStack) => void): () => void;
}

const DLCI = /(?:^|\/)dlci(\d+)$/;

export class TraceTap {
  private readonly t0: number;
  private readonly now: () => number;
  private readonly ports = new WeakMap<LinkStack, string>();
  private readonly connections = new Map<string, number>();
  private readonly tapped = new Set<LinkStack>();
  private readonly stops: Array<() => void> = [];

  constructor(private readonly opts: TraceTapOptions) {
    this.now = opts.now ?? (() => performance.now());
    this.t0 = this.now();
  }

  /** Taps every stack `source` opens from now on. */
  watch(source: LinkStackSource): this {
    this.stops.push(source.onLinkStack((stack, parent) => this.tap(stack, parent)));
    return this;
  }

  /** Taps one stack; `parent` is the stack whose layer opened it. */
  tap(stack: LinkStack, parent?: LinkStack): void {
    const port = (parent && this.ports.get(parent)) ?? this.newPort(stack.name);
    this.ports.set(stack, port);
    this.tapped.add(stack);
    stack.once('closed', () => this.tapped.delete(stack));
    stack.tap((level, direction, bytes) => {
      const dlci = DLCI.exec(level)?.[1];
      this.opts.sink({
        kind: 'chunk',
        time: this.now() - this.t0,
        dir: direction === 'up' ? 'to-module' : 'from-module',
        port,
        ...(dlci === undefined ? {} : { channel: Number(dlci) }),
        layer: level,
        bytes: Buffer.from(bytes),
      });
    });
  }

  /** Stops watching and takes the tap off every stack it is on. */
  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
    for (const stack of this.tapped) stack.tap(undefined);
    this.tapped.clear();
  }

  private newPort(bottomName: string): string {
    const base = `${this.opts.portPrefix ?? ''}${bottomName}`;
    const n = (this.connections.get(base) ?? 0) + 1;
    this.connections.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
  }
}
