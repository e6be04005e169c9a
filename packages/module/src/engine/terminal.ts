import { parseCommandLine, splitParams, type ParsedCommand } from '@modemlab/at';
import { validateOrFail, type CommandContext, type PromptOutcome, type PromptSpec } from './context.js';
import type { BytePipe, DataPipe } from '../link/byte-pipe.js';
import { OnlineDataLayer } from '../link/online-layer.js';
import type { LinkControl, LinkLayer, LinkStack, LinkTop } from '../link/link-stack.js';
import type { PortFlow } from '../link/port-flow.js';
import { CommandFailure } from './failure.js';
import { ResponseWriter } from './response-writer.js';
import type { CommandDef, FinalResult, HandlerResult } from './registry.js';
import { TerminalSession } from './session.js';
import type { TerminalHost } from './terminal-host.js';

const CTRL_Z = 0x1a;
/** Room left in the input buffer when the terminal drops CTS: more than a paced line hands up at once. */
const CTS_MARGIN_BYTES = 1024;
const ESC = 0x1b;

type UrcSource = string | ((session: TerminalSession) => string | undefined);

interface PromptState {
  spec: PromptSpec;
  buffer: number[];
  /** Bytes handed to a binary prompt's sink so far. */
  streamed: number;
  resolve(outcome: PromptOutcome): void;
  guard?: { cancel(): void };
}

/**
 * One AT terminal of a module, on top of its port's link stack: bytes in, bytes out. It
 * edits and echoes the command line, dispatches commands, collects prompt input, and for
 * online data mode pushes the online layer (link/online-layer.ts) that joins the port to a
 * connection until +++ or NO CARRIER. URCs raised while a command runs wait for its final
 * result code, so they never split a response.
 */
export class Terminal implements LinkTop {
  readonly session: TerminalSession;
  /** The pipe the terminal speaks: the top of its link stack. */
  private pipe?: BytePipe;
  /** Stack changes a handler asked for: they run once its final result code has left. */
  private linkRequests: Array<() => void> = [];
  /** Runs once the gathered output has been written to the pipe. */
  private flushed: Array<() => void> = [];
  private mode: 'command' | 'busy' | 'prompt' | 'online' | 'off' = 'command';
  private line: number[] = [];
  private lineOverflow = false;
  /** Input that arrived while a command ran; processed after its final result. */
  private pending: Buffer[] = [];
  /** Bytes in `pending`: never more than the product's input buffer. */
  private pendingBytes = 0;
  /** Input bytes dropped because the input buffer was full: in total, and since the last log line. */
  droppedInputBytes = 0;
  private droppedUnlogged = 0;
  /** URCs dropped because the queue was full, since the last log line. */
  private droppedUrcs = 0;
  /** The flow control of the port under this terminal (none for an in-memory pipe). */
  private readonly flow?: PortFlow;
  /** Handlers waiting for the port to take output again (ctx.writable()). */
  private writableWaiters: Array<() => void> = [];
  private readonly urcQueue: UrcSource[] = [];
  private prompt?: PromptState;
  /** Online data mode: the layer that joins the port to a connection while it is on the stack. */
  private online?: OnlineDataLayer;
  private readonly writer: ResponseWriter;
  private closed = false;

  constructor(
    private readonly host: TerminalHost,
    /** The port's link stack; the terminal sits on its top. */
    readonly link: LinkStack,
  ) {
    this.session = new TerminalSession(host.sessionDefaults);
    this.writer = new ResponseWriter(this.session, (s) => this.emit(s));
    link.mount(this);
    this.flow = link.flow;
    this.flow?.on('drain', this.onPortDrain);
  }

  /** The port takes output again: waiting handlers go on, then queued URCs and typed-ahead input. */
  private readonly onPortDrain = (): void => {
    if (this.closed) return;
    this.wakeWritable();
    if (this.mode === 'command') this.drain();
  };

  private get portBlocked(): boolean {
    return this.flow?.blocked === true;
  }

  private wakeWritable(): void {
    const waiters = this.writableWaiters;
    this.writableWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once what was produced so far is written and the port drains (or the terminal closes). */
  private writable(): Promise<void> {
    if (this.outChunks.length > 0) this.flushOutput();
    if (this.closed || !this.portBlocked) return Promise.resolve();
    return new Promise((resolve) => this.writableWaiters.push(resolve));
  }

  /**
   * Keeps host input for later, up to the product's input buffer: what does not fit is
   * dropped and counted, as a real module's full receive buffer loses bytes.
   */
  private hold(data: Buffer): void {
    const room = this.host.limits.inputBufferBytes - this.pendingBytes;
    const kept = Math.max(0, Math.min(room, data.length));
    if (kept > 0) {
      this.pending.push(Buffer.from(data.subarray(0, kept)));
      this.pendingBytes += kept;
    }
    // Nearly full: CTS off (a paced line with AT&K3 stops handing host bytes up).
    if (this.pendingBytes >= this.host.limits.inputBufferBytes - CTS_MARGIN_BYTES) this.flow?.holdInput(this, true);
    const dropped = data.length - kept;
    if (dropped > 0) {
      if (this.droppedUnlogged === 0) {
        this.host.log(`input buffer full (${this.host.limits.inputBufferBytes} bytes): dropping host input until it empties`);
      }
      this.droppedInputBytes += dropped;
      this.droppedUnlogged += dropped;
    }
  }

  /** Takes everything held. */
  private takePending(): Buffer {
    const all = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.flow?.holdInput(this, false);
    return all;
  }

  /** The log's account of what was dropped since the last time. */
  private logDrops(): void {
    if (this.droppedUnlogged > 0) {
      this.host.log(`input buffer full: dropped ${this.droppedUnlogged} bytes of host input (${this.droppedInputBytes} in all)`);
      this.droppedUnlogged = 0;
    }
    if (this.droppedUrcs > 0) {
      this.host.log(`URC queue full (${this.host.limits.urcQueueMax}): dropped ${this.droppedUrcs} URCs`);
      this.droppedUrcs = 0;
    }
  }

  /** LinkTop: the stack changed; from now on bytes come from and go to `pipe`. */
  bind(pipe: BytePipe): void {
    this.pipe = pipe;
    pipe.attach({ data: (bytes) => this.receive(bytes), close: () => {} });
  }

  /** LinkTop: input queued while a command ran belongs to the layer pushed after it. */
  takeUnread(): Buffer | undefined {
    if (this.pending.length === 0) return undefined;
    return this.takePending();
  }

  /** Bytes from the host, entering at the bottom of the terminal's stack (tests feed a terminal this way). */
  input(data: Buffer): void {
    this.link.input(data);
  }

  /** Bytes that reached the terminal through its stack. */
  private receive(data: Buffer): void {
    if (this.closed) return;
    // A port that does not drain stops command processing: nothing more is produced for it.
    if (this.mode === 'busy' || (this.mode === 'command' && this.portBlocked)) {
      this.hold(data);
      return;
    }
    for (let i = 0; i < data.length; i++) {
      // Handling a byte can change the mode (a line ends, a prompt completes).
      const mode = this.currentMode();
      if (mode === 'off') return;
      if (mode === 'busy') {
        this.hold(data.subarray(i));
        return;
      }
      if (mode === 'online') {
        // CONNECT has not left yet: these bytes go to the online layer once it is pushed.
        this.hold(data.subarray(i));
        return;
      }
      if (mode === 'prompt') {
        const used = this.promptInput(data.subarray(i));
        i += used - 1;
        continue;
      }
      this.commandByte(data[i]!);
    }
  }

  private currentMode(): Terminal['mode'] {
    return this.mode;
  }

  /** A URC from the module: written now, or queued until the running command ends. */
  urc(source: UrcSource): void {
    if (this.closed) return;
    if (this.mode === 'command' && !this.portBlocked) this.writeUrc(source);
    else if (this.mode !== 'off') {
      // A bounded queue: a host that never lets the terminal speak loses the oldest URCs.
      if (this.urcQueue.length >= this.host.limits.urcQueueMax) {
        this.urcQueue.shift();
        this.droppedUrcs++;
      }
      this.urcQueue.push(source);
    }
  }

  /** The module reboots: silence for `silentMs`, then power-up settings. */
  powerCycle(silentMs: number): void {
    this.abortActivity();
    this.mode = 'off';
    this.urcQueue.length = 0;
    this.takePending();
    this.host.clock.setTimeout(() => {
      if (this.closed) return;
      this.session.reset();
      this.line = [];
      this.lineOverflow = false;
      this.mode = 'command';
    }, silentMs);
  }

  close(): void {
    this.abortActivity();
    this.closed = true;
    this.flow?.off('drain', this.onPortDrain);
    this.flow?.holdInput(this, false);
    this.logDrops();
    this.wakeWritable();
  }

  isOnline(): boolean {
    return this.mode === 'online';
  }

  private abortActivity(): void {
    if (this.prompt) {
      this.prompt.guard?.cancel();
      const p = this.prompt;
      this.prompt = undefined;
      p.resolve({ status: 'cancelled' });
    }
    if (this.online) {
      const layer = this.online;
      this.online = undefined;
      this.link.remove(layer);
    }
  }

  /** Output is gathered and written once per turn of the event loop: a response leaves as one write, not one packet per line. */
  private outChunks: Buffer[] = [];

  private emit(text: string | Buffer): void {
    if (this.closed) return;
    this.outChunks.push(typeof text === 'string' ? Buffer.from(text, 'latin1') : Buffer.from(text));
    if (this.outChunks.length === 1) setImmediate(() => this.flushOutput());
  }

  private flushOutput(): void {
    const chunks = this.outChunks;
    this.outChunks = [];
    if (!this.closed && chunks.length > 0) this.pipe?.write(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    const after = this.flushed;
    this.flushed = [];
    for (const fn of after) fn();
  }

  /** Runs `fn` once everything emitted so far has been written to the pipe. */
  private afterFlush(fn: () => void): void {
    if (this.outChunks.length === 0) fn();
    else this.flushed.push(fn);
  }

  private writeUrc(source: UrcSource): void {
    const text = typeof source === 'string' ? source : source(this.session);
    if (text !== undefined) this.writer.urc(text);
  }

  // ---- command mode ------------------------------------------------------------------

  private commandByte(byte: number): void {
    const s = this.session;
    if (s.echo) this.emit(Buffer.from([byte]));
    if (byte === s.sreg(3)) {
      const text = Buffer.from(this.line).toString('latin1');
      const overflow = this.lineOverflow;
      this.line = [];
      this.lineOverflow = false;
      this.runLine(text, overflow);
      return;
    }
    if (byte === s.sreg(5)) {
      this.line.pop();
      return;
    }
    if (byte === s.sreg(4) && this.line.length === 0) return;
    if (this.line.length >= this.host.maxLineLength) {
      this.lineOverflow = true;
      return;
    }
    this.line.push(byte);
    // A/ repeats the previous line at once, without a terminator (V.250 §6.2.11).
    if (this.line.length >= 2) {
      const tail = String.fromCharCode(this.line[this.line.length - 2]!, byte).toUpperCase();
      if (tail === 'A/' && this.line.length === 2) {
        this.line = [];
        if (s.echo) this.emit('\r');
        this.runLine(s.lastLine, false);
      }
    }
  }

  private runLine(text: string, overflow: boolean): void {
    const start = text.search(/a[t]/i);
    if (overflow) {
      this.startCommand(async (w) => {
        throw new CommandFailure(this.host.errors.lineTooLong, 'line too long');
      });
      return;
    }
    if (start < 0) {
      // A bare terminator is ignored; any other text without the AT prefix is an error.
      if (text.trim() === '') return;
      this.startCommand(async () => {
        throw new CommandFailure(undefined, 'no AT prefix');
      });
      return;
    }
    const line = text.slice(start);
    this.session.lastLine = line;
    this.startCommand((w) => this.dispatchLine(line, w));
  }

  private startCommand(run: (w: ResponseWriter) => Promise<FinalResult | void>): void {
    this.mode = 'busy';
    const after: Array<() => void> = [];
    this.afterHooks = after;
    run(this.writer)
      .then((final) => this.finish(final ?? undefined, after))
      .catch((err: unknown) => {
        this.writer.failure(this.toFailure(err), (code) => this.host.errorText(code));
        this.finish('written', after);
      });
  }

  private afterHooks: Array<() => void> = [];

  private toFailure(err: unknown): CommandFailure {
    if (err instanceof CommandFailure) return err;
    this.host.log('handler crashed', err);
    return new CommandFailure(this.host.errors.internal, String(err));
  }

  private finish(final: FinalResult | 'written' | undefined, after: Array<() => void>): void {
    if (this.closed) return;
    if (final === undefined) this.writer.final('OK', 0);
    else if (final !== 'written') {
      if (final.kind === 'final') this.writer.final(final.text, final.numeric);
      else this.writer.final('CONNECT', 1);
    }
    const goesOnline = final !== undefined && final !== 'written' && final.kind === 'online';
    if (goesOnline && this.pendingOnline) {
      this.enterOnline(this.pendingOnline);
    } else {
      this.mode = 'command';
    }
    this.pendingOnline = undefined;
    for (const fn of after) fn();
    // A failed command changes nothing, its stack neither.
    if (final !== 'written' && this.linkRequests.length > 0 && this.mode === 'command') {
      // The result code leaves in clear; the next byte each way goes through the new stack.
      const requests = this.linkRequests;
      this.linkRequests = [];
      this.mode = 'busy';
      this.afterFlush(() => {
        if (this.closed) return;
        this.mode = 'command';
        for (const r of requests) r();
        this.drain();
      });
      return;
    }
    this.linkRequests = [];
    if (this.mode === 'command') this.drain();
  }

  /** After a command: queued URCs first, then input typed meanwhile. */
  private drain(): void {
    this.logDrops();
    // A blocked port hears nothing more until it drains (onPortDrain comes back here).
    if (this.portBlocked) return;
    while (this.mode === 'command' && this.urcQueue.length > 0) this.writeUrc(this.urcQueue.shift()!);
    if (this.mode !== 'command' || this.pending.length === 0) return;
    this.receive(this.takePending());
  }

  private async dispatchLine(line: string, w: ResponseWriter): Promise<FinalResult | void> {
    const parsed = parseCommandLine(line);
    if (!parsed.ok) throw new CommandFailure(undefined, parsed.reason);
    const gate = this.host.commandGate?.();
    if (gate) await gate;
    let last: FinalResult | void = undefined;
    for (const cmd of parsed.commands) {
      w.beginCommand();
      last = await this.dispatch(cmd);
      if (last && last.kind === 'online') return last;
      if (last && last.text !== 'OK') return last;
    }
    return last;
  }

  private async dispatch(cmd: ParsedCommand): Promise<FinalResult | void> {
    const registry = this.host.registry;
    const errors = this.host.errors;
    if (cmd.kind === 'sreg') return this.dispatchSreg(cmd.index, cmd.form, cmd.value);
    if (cmd.kind === 'dial') {
      const def = registry.get('D');
      if (!def?.basic) throw new CommandFailure(undefined, 'no dial');
      return def.basic(this.context('D', 'action', def), undefined);
    }
    const def = registry.get(cmd.name);
    if (!def) throw new CommandFailure(undefined, `unknown command ${cmd.name}`);
    if (cmd.kind === 'basic') {
      if (!def.basic) throw new CommandFailure(undefined, `${cmd.name} is not a basic command`);
      return def.basic(this.context(def.name, 'action', def), cmd.value);
    }
    const ctx = this.context(def.name, cmd.form, def);
    let result: HandlerResult;
    switch (cmd.form) {
      case 'action':
        if (!def.action) throw new CommandFailure(errors.formNotSupported);
        result = def.action(ctx);
        break;
      case 'read':
        if (!def.read) throw new CommandFailure(errors.formNotSupported);
        result = def.read(ctx);
        break;
      case 'test':
        // Every command answers its test form; with nothing to list it is a plain OK.
        result = def.test ? def.test(ctx) : undefined;
        break;
      case 'set': {
        if (!def.set) throw new CommandFailure(errors.formNotSupported);
        const raw = splitParams(cmd.args);
        if (raw === null) throw new CommandFailure(errors.badParameter, 'bad quoting');
        const values = def.params ? validateOrFail(raw, def.params, errors.badParameter) : {};
        result = def.set(ctx, values, raw);
        break;
      }
    }
    return await result;
  }

  private dispatchSreg(index: number, form: 'set' | 'read', value: number | undefined): void {
    const s = this.session;
    if (!s.sregs.has(index)) throw new CommandFailure(undefined, `no S${index}`);
    if (form === 'read') {
      this.writer.info(String(s.sreg(index)).padStart(3, '0'));
      return;
    }
    if (value === undefined || value < 0 || value > 255 || ([3, 4, 5].includes(index) && value > 127)) {
      throw new CommandFailure(undefined, 'S-register value out of range');
    }
    s.sregs.set(index, value);
  }

  private pendingOnline?: DataPipe;

  private context(name: string, form: CommandContext['form'], def: CommandDef): CommandContext {
    const errors = this.host.errors;
    return {
      module: this.host.handlerModule,
      session: this.session,
      name,
      form,
      info: (line) => this.writer.info(line),
      raw: (bytes) => this.emit(bytes),
      writable: () => this.writable(),
      prompt: (spec) => this.startPrompt(spec),
      validate: (raw, specs) => validateOrFail(raw, specs, errors.badParameter),
      goOnline: (pipe) => {
        this.pendingOnline = pipe;
        return { kind: 'online' };
      },
      afterResult: (fn) => this.afterHooks.push(fn),
      afterOutput: (fn) => this.afterHooks.push(() => this.afterFlush(fn)),
      link: this.linkControl,
    };
  }

  /** What handlers see of the stack: changes wait for the final result code. */
  private readonly linkControl: LinkControl = ((terminal: Terminal): LinkControl => ({
    push: (layer: LinkLayer) => terminal.linkRequests.push(() => terminal.link.push(layer)),
    pop: () => terminal.linkRequests.push(() => void terminal.link.pop()),
    get layers() {
      return terminal.link.layers;
    },
    get enclosing() {
      return terminal.link.enclosing;
    },
    get port() {
      return terminal.link.name;
    },
  }))(this);

  // ---- prompts -----------------------------------------------------------------------

  private startPrompt(spec: PromptSpec): Promise<PromptOutcome> {
    return new Promise((resolve) => {
      this.prompt = { spec, buffer: [], streamed: 0, resolve };
      this.emit(this.host.promptText(spec.char ?? '>'));
      this.mode = 'prompt';
      this.armGuard();
      if (spec.kind === 'binary' && spec.length === 0) this.endPrompt({ status: 'done', data: Buffer.alloc(0) });
      // Bytes typed before the prompt appeared belong to it.
      if (this.pending.length > 0) this.receive(this.takePending());
    });
  }

  /**
   * The guard timer restarts with every byte: it measures the host's silence. Every prompt
   * has one (a text prompt the terminal's promptIdleMs unless its command sets its own), so
   * a host that dies mid-upload never leaves the port in prompt mode for the next client.
   */
  private armGuard(): void {
    const p = this.prompt;
    if (!p) return;
    p.guard?.cancel();
    const guardMs = p.spec.guardMs ?? this.host.limits.promptIdleMs;
    p.guard = this.host.clock.setTimeout(() => {
      if (this.prompt === p) this.endPrompt({ status: 'timeout', received: p.buffer.length + p.streamed });
    }, guardMs);
  }

  private endPrompt(outcome: PromptOutcome): void {
    const p = this.prompt!;
    p.guard?.cancel();
    this.prompt = undefined;
    this.mode = 'busy';
    p.resolve(outcome);
  }

  /** Feeds prompt input; returns how many bytes it consumed. */
  private promptInput(data: Buffer): number {
    const p = this.prompt!;
    if (p.spec.kind === 'binary' && p.spec.sink) {
      const take = Math.min(p.spec.length - p.streamed, data.length);
      p.streamed += take;
      p.spec.sink(data.subarray(0, take));
      if (p.streamed === p.spec.length) this.endPrompt({ status: 'done', data: Buffer.alloc(0) });
      else this.armGuard();
      return take;
    }
    if (p.spec.kind === 'binary') {
      const need = p.spec.length - p.buffer.length;
      const take = Math.min(need, data.length);
      for (let i = 0; i < take; i++) p.buffer.push(data[i]!);
      if (p.buffer.length === p.spec.length) this.endPrompt({ status: 'done', data: Buffer.from(p.buffer) });
      else this.armGuard();
      return take;
    }
    const maxLength = p.spec.maxLength ?? this.host.limits.promptMaxBytes;
    for (let i = 0; i < data.length; i++) {
      const byte = data[i]!;
      if (byte === CTRL_Z) {
        this.endPrompt({ status: 'done', data: Buffer.from(p.buffer) });
        return i + 1;
      }
      if (byte === ESC) {
        this.endPrompt({ status: 'cancelled' });
        return i + 1;
      }
      if (this.session.echo) this.emit(Buffer.from([byte]));
      if (byte === this.session.sreg(5)) p.buffer.pop();
      else if (p.buffer.length < maxLength) p.buffer.push(byte);
    }
    this.armGuard();
    return data.length;
  }

  // ---- online data mode --------------------------------------------------------------

  /** After CONNECT has left, the online layer takes the port; bytes typed meanwhile go to it. */
  private enterOnline(pipe: DataPipe): void {
    this.mode = 'online';
    const layer: OnlineDataLayer = new OnlineDataLayer(pipe, this.session.escapeGuardMs(), {
      escaped: () => (pipe.escape ? this.endOnline(layer, pipe.escape()) : this.leaveOnline(layer, 'OK', 0)),
      carrierLost: () => this.leaveOnline(layer, 'NO CARRIER', 3),
    });
    this.online = layer;
    this.afterFlush(() => {
      if (this.closed || this.online !== layer) return;
      this.link.push(layer);
      // The connection may have been gone already: the layer reported it while opening.
      if (this.online !== layer) this.link.remove(layer);
    });
  }

  /** +++ ended the pipe's job: busy until its owner gives the final result. */
  private endOnline(layer: OnlineDataLayer, outcome: Promise<{ text: string; numeric: number }>): void {
    if (this.online !== layer) return;
    this.online = undefined;
    this.link.remove(layer);
    this.mode = 'busy';
    void outcome
      .catch(() => ({ text: 'NO CARRIER', numeric: 3 }))
      .then((result) => {
        if (this.closed || this.mode !== 'busy' || this.online) return;
        this.mode = 'command';
        this.writer.beginCommand();
        this.writer.final(result.text, result.numeric);
        this.drain();
      });
  }

  private leaveOnline(layer: OnlineDataLayer, text: string, numeric: number): void {
    if (this.online !== layer) return;
    this.online = undefined;
    this.link.remove(layer);
    this.mode = 'command';
    this.writer.beginCommand();
    this.writer.final(text, numeric);
    this.drain();
  }
}
