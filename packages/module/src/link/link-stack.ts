import { EventEmitter } from 'node:events';
import type { Clock } from '@modemlab/at';
import type { BytePipe } from './byte-pipe.js';
import { Junction, type LinkTap } from './junction.js';
import { PORT_STALL_MS, type PortFlow } from './port-flow.js';

/** What a layer may ask of the module it runs in. */
export interface LayerHost {
  readonly clock: Clock;
  /**
   * Opens one more AT terminal of the module on `pipe` (a CMUX channel): a full terminal
   * with its own settings, reached by the module's URCs. It closes when `pipe` closes or
   * the stack closes.
   */
  openTerminal(pipe: BytePipe): void;
  log(message: string, detail?: unknown): void;
  /** How long a port may take no output before it is dropped (default PORT_STALL_MS). */
  readonly portStallMs?: number;
}

/**
 * A link layer: takes the pipe below and gives the pipe the terminal above speaks (the
 * +++ detector, a paced pipe, CMUX, chip-to-chip framing, a trace tap). A multiplexer
 * gives its main upper pipe to the terminal that was on top and opens further terminals
 * through `host.openTerminal`.
 */
export interface LinkLayer {
  readonly name: string;
  /** `stack.remove(this)` pops the layer itself (a CMUX close-down). */
  open(lower: BytePipe, host: LayerHost, stack: LinkStack): BytePipe;
  /** Popped, or the stack is closing: stop timers, close extra channels, let go of `lower`. */
  close(): void;
}

/** The terminal on top of a stack. */
export interface LinkTop {
  /** From now on the top speaks `pipe` (after a push or a pop). */
  bind(pipe: BytePipe): void;
  /** Bytes the top received but had not processed when the stack changed: they belong to the new layer. */
  takeUnread(): Buffer | undefined;
}

/** What a handler sees of its terminal's stack (`ctx.link`); a push takes effect after the final result code has left. */
export interface LinkControl {
  push(layer: LinkLayer): void;
  pop(): void;
  /** Layer names, bottom first. */
  readonly layers: readonly string[];
  /** Layer names of the stacks this one runs inside (a CMUX channel's port), outermost first. */
  readonly enclosing: readonly string[];
  /** The name of the pipe at the bottom of this stack ('uart', 'cmux/dlci2'). */
  readonly port: string;
}

interface Level {
  layer: LinkLayer;
  /** The junction above the layer's upper pipe. */
  above: Junction;
}

/**
 * One physical port's stack: the transport's pipe at the bottom, layers pushed and popped
 * at run time, one terminal on top. Closing the bottom closes the whole stack.
 */
export class LinkStack extends EventEmitter<{ closed: []; changed: [] }> {
  private readonly base: Junction;
  private readonly levels: Level[] = [];
  private topUser?: LinkTop;
  private tapFn?: LinkTap;
  private closed = false;

  constructor(
    readonly bottom: BytePipe,
    private readonly host: LayerHost,
    /** The stack whose layer opened this one (a CMUX channel's terminal), if any. */
    readonly parent?: LinkStack,
  ) {
    super();
    this.base = new Junction(bottom);
    this.base.once('closed', () => this.close());
    if (!parent && bottom.flow) this.watchStall(bottom.flow);
  }

  /** The flow control of the physical port under this stack (a CMUX channel's: its port's). */
  get flow(): PortFlow | undefined {
    return this.parent ? this.parent.flow : this.bottom.flow;
  }

  /**
   * A port that takes no output for the stall limit is dropped, with a log line: its
   * client stopped reading, and holding its output would let it pin memory for ever.
   */
  private watchStall(flow: PortFlow): void {
    const limit = this.host.portStallMs ?? PORT_STALL_MS;
    let timer: { cancel(): void } | undefined;
    const onBlocked = (): void => {
      timer?.cancel();
      timer = this.host.clock.setTimeout(() => {
        timer = undefined;
        if (this.closed || !flow.blocked) return;
        this.host.log(`port ${this.name}: its client took no output for ${limit} ms (${flow.queuedBytes} bytes queued): dropped`);
        flow.drop();
        this.close();
      }, limit);
    };
    const onDrain = (): void => {
      timer?.cancel();
      timer = undefined;
    };
    flow.on('blocked', onBlocked);
    flow.on('progress', onBlocked);
    flow.on('drain', onDrain);
    this.once('closed', () => {
      timer?.cancel();
      flow.off('blocked', onBlocked);
      flow.off('progress', onBlocked);
      flow.off('drain', onDrain);
    });
  }

  get name(): string {
    return this.bottom.name;
  }

  /** The pipe the top speaks now. */
  get top(): Junction {
    return this.levels.at(-1)?.above ?? this.base;
  }

  get layers(): readonly string[] {
    return this.levels.map((l) => l.layer.name);
  }

  get enclosing(): readonly string[] {
    return this.parent ? [...this.parent.enclosing, ...this.parent.layers] : [];
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Puts the terminal on top. */
  mount(top: LinkTop): void {
    this.topUser = top;
    top.bind(this.top);
  }

  /**
   * Stacks `layer` on top now: bytes the terminal has not processed yet go through it,
   * and the terminal speaks its upper pipe.
   */
  push(layer: LinkLayer): void {
    if (this.closed) throw new Error(`link ${this.name} is closed`);
    const lower = this.top;
    const unread = this.topUser?.takeUnread();
    lower.detach();
    const upper = layer.open(lower, this.host, this);
    const above = new Junction(upper);
    above.tap = this.tapFn;
    this.levels.push({ layer, above });
    this.topUser?.bind(above);
    if (unread) lower.inject(unread);
    this.emit('changed');
  }

  /** Takes the top layer off; the terminal speaks the pipe below it again. */
  pop(): LinkLayer | undefined {
    const level = this.levels.at(-1);
    if (!level) return undefined;
    this.remove(level.layer);
    return level.layer;
  }

  /** Takes `layer` and every layer above it off (a layer ending itself). */
  remove(layer: LinkLayer): void {
    const at = this.levels.findIndex((l) => l.layer === layer);
    if (at < 0) return;
    while (this.levels.length > at) {
      const level = this.levels.pop()!;
      level.above.release();
      level.layer.close();
    }
    this.top.detach();
    if (!this.closed) this.topUser?.bind(this.top);
    this.emit('changed');
  }

  /** Bytes as if the bottom pipe had delivered them (a test feeding a terminal). */
  input(bytes: Buffer): void {
    this.base.tap?.(this.base.name, 'up', bytes);
    this.base.inject(bytes);
  }

  /** Sees every byte at every level, bottom included; undefined removes the tap. */
  tap(fn: LinkTap | undefined): void {
    this.tapFn = fn;
    this.base.tap = fn;
    for (const l of this.levels) l.above.tap = fn;
  }

  /** Closes every layer (top first) and the bottom pipe; the terminals go with it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    while (this.levels.length > 0) {
      const level = this.levels.pop()!;
      level.above.release();
      level.layer.close();
    }
    this.base.release();
    this.bottom.close();
    this.emit('closed');
  }
}
