/**
 * AtClient: sends AT commands over any byte stream (serial port, TCP socket, in-process
 * Duplex), one at a time, and routes what comes back: echo, information lines, final
 * result codes, prompts, raw binary blocks and URCs.
 *
 * Rules:
 * - Commands are queued and sent one at a time; each has a timeout (AtTimeoutError).
 * - A line is a URC when it starts with a registered prefix (`onUrc`, `waitForUrc`),
 *   except while a command runs whose expected prefix it carries (`expectPrefix`,
 *   by default the command's name: `AT+CEREG?` -> `+CEREG:`). Then it is a response line.
 * - The echo of the command line is dropped; blank lines are dropped.
 * - Nothing here sleeps: every wait ends on data, on its timeout, or on close.
 */
import type { Duplex } from 'node:stream';
import { AtTracer, type AtTraceOptions, type AtTraceSink } from './at-trace.js';
import { AtError, AtTimeoutError, CmeError, ConnectionClosedError, ModuleBusyError } from './errors.js';
import { LineSplitter } from './line-splitter.js';
import type { SdkLogger } from './logger.js';
import { OnlineLink } from './online-link.js';
import { parseFinalResult, verbosityAfter, type SuccessFinal } from './result-codes.js';
import { defaultExpectPrefix, matchesPrefix } from './urc-prefix.js';

export interface AtClientOptions {
  /** Timeout of a command when `send` gives none. Default 10 s. */
  defaultTimeoutMs?: number;
  /** What ends a command line. Default `\r` (S3). */
  lineEnding?: string;
  /** Start in V0 (numeric result codes) mode. `ATV0`/`ATV1` sent later switch it. */
  numeric?: boolean;
  /** Called when a URC handler throws. Default: ignore. */
  onHandlerError?: (error: unknown, line: string) => void;
  /**
   * Traces every chunk written to and received from the stream (commands, prompt data,
   * online data, `+++`) as trace records (at-trace.ts): a callback, a Writable for JSON
   * lines, or `{ sink, port }` to name the port in the records.
   */
  trace?: AtTraceSink | AtTraceOptions;
  /**
   * A pino-compatible logger: each command's outcome and URCs at debug, the link's close at
   * info (warn when the module refused this client as busy).
   */
  logger?: SdkLogger;
}

/**
 * What modemlab's TCP transport (and a serial-to-TCP bridge that says so) sends a second
 * client before closing: the link closes as ModuleBusyError, not "closed by the peer".
 */
const BUSY_LINE = /\bbusy, another client is attached\b/i;

export interface PromptOptions {
  /** Written (binary safe) once the module prints the prompt character. */
  data: Buffer | string;
  /** The prompt the module prints before accepting data. Default `>`. */
  char?: '>' | '@';
}

export interface SendOptions {
  timeoutMs?: number;
  prompt?: PromptOptions;
  /**
   * Prefix(es) of this command's response lines. Lines with it are response lines even
   * if a URC handler is registered for the same prefix. Default: the command's name
   * (`AT+CEREG?` -> `+CEREG:`); `null` for none.
   */
  expectPrefix?: string | readonly string[] | null;
  /**
   * Binary data inside a response line: when the line received so far matches this
   * pattern (anchored at the data start, e.g. `/^\+USORD: \d+,(\d+),"$/`), the number of
   * bytes given by capture group 1 is read raw into `AtResponse.binary`, then the line goes on.
   */
  binaryHeader?: RegExp;
  /** Set by `dial`: a CONNECT answer switches the link to online data mode. */
  online?: boolean;
  /**
   * Binary data after a response line: when a whole response line matches this pattern
   * (e.g. `/^#SSLRECV: ?(\d+)$/`), the number of bytes given by capture group 1 that
   * follow its line end are read raw into `AtResponse.binary`; then lines go on.
   */
  binaryAfterLine?: RegExp;
}

export interface AtResponse {
  command: string;
  /** Information lines (no echo, no URCs, no final result). */
  lines: string[];
  final: SuccessFinal;
  /** The final result line as received (e.g. `CONNECT 115200`, `0`). */
  finalLine: string;
  /** Blocks read because of `binaryHeader`, in order. */
  binary: Buffer[];
}

export interface WaitForUrcOptions {
  timeoutMs: number;
  /** Only a line for which this returns true ends the wait. */
  match?: (line: string) => boolean;
  /** Aborting rejects the wait with the signal's reason. */
  signal?: AbortSignal;
}

export type UrcHandler = (line: string) => void;

interface Job {
  command: string;
  opts: SendOptions;
  resolve: (r: AtResponse) => void;
  reject: (e: Error) => void;
  lines: string[];
  binary: Buffer[];
  expect: string[];
  echoSeen: boolean;
  awaitingPrompt: boolean;
  timer?: NodeJS.Timeout;
  /** Date.now() when it was written, for the logger. */
  startedAt?: number;
}

export class AtClient {
  private readonly splitter: LineSplitter;
  private readonly queue: Job[] = [];
  private active: Job | undefined;
  private readonly urcHandlers: Array<{ prefix: string; handler: UrcHandler }> = [];
  private readonly unhandled = new Set<UrcHandler>();
  private readonly closeListeners = new Set<(e: ConnectionClosedError) => void>();
  private closedError: ConnectionClosedError | undefined;
  private numeric: boolean;
  private readonly defaultTimeoutMs: number;
  private readonly lineEnding: string;
  /** The online data mode session, while one runs: commands wait for its end. */
  private onlineLink: OnlineLink | undefined;
  /** The link the last CONNECT opened, for `dial` to hand out. */
  private dialed: OnlineLink | undefined;
  private readonly tracer: AtTracer | undefined;
  private readonly logger: SdkLogger | undefined;
  /** The module's "busy" line, when it sent one: the close that follows is ModuleBusyError. */
  private busyLine: string | undefined;
  /** Every write to the module goes through here, so the trace sees it. */
  private readonly tx = {
    write: (data: Buffer | string, cb?: (err?: Error | null) => void): boolean => {
      this.tracer?.record('to-module', data);
      return this.stream.write(data, cb);
    },
  };

  constructor(
    readonly stream: Duplex,
    private readonly options: AtClientOptions = {},
  ) {
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 10_000;
    this.lineEnding = options.lineEnding ?? '\r';
    this.numeric = options.numeric ?? false;
    this.tracer = options.trace ? new AtTracer(options.trace) : undefined;
    this.logger = options.logger;
    this.splitter = new LineSplitter({
      line: (line) => this.onLine(line),
      prompt: (char) => this.onPrompt(char),
    });
    this.splitter.rawSink = (data) => this.active?.binary.push(data);
    stream.on('data', this.onData);
    stream.on('error', this.onError);
    stream.on('end', this.onEnd);
    stream.on('close', this.onEnd);
  }

  /** True once the link is closed; every `send` then rejects with ConnectionClosedError. */
  get closed(): boolean {
    return this.closedError !== undefined;
  }

  /** Queues a command line (without line ending) and resolves with its response. */
  send(command: string, opts: SendOptions = {}): Promise<AtResponse> {
    if (/[\r\n]/.test(command)) return Promise.reject(new TypeError(`command contains a line ending: ${JSON.stringify(command)}`));
    if (this.closedError) return Promise.reject(closedFor(this.closedError, command));
    const expect =
      opts.expectPrefix === null
        ? []
        : opts.expectPrefix === undefined
          ? [defaultExpectPrefix(command)].filter((p): p is string => p !== undefined)
          : typeof opts.expectPrefix === 'string'
            ? [opts.expectPrefix]
            : [...opts.expectPrefix];
    return new Promise<AtResponse>((resolve, reject) => {
      this.queue.push({ command, opts, resolve, reject, lines: [], binary: [], expect, echoSeen: false, awaitingPrompt: false });
      this.pump();
    });
  }

  /**
   * Calls `handler` with every URC line starting with `prefix` (`+UUPSDA` or `+UUPSDA:`).
   * Returns the function that unsubscribes.
   */
  onUrc(prefix: string, handler: UrcHandler): () => void {
    const entry = { prefix, handler };
    this.urcHandlers.push(entry);
    return () => {
      const i = this.urcHandlers.indexOf(entry);
      if (i >= 0) this.urcHandlers.splice(i, 1);
    };
  }

  /** Lines that arrive while no command runs and that no URC prefix claims. */
  onUnhandledLine(handler: UrcHandler): () => void {
    this.unhandled.add(handler);
    return () => this.unhandled.delete(handler);
  }

  /**
   * Resolves with the next URC line starting with `prefix` (and accepted by `match`).
   * Subscribe before sending the command that triggers the URC: lines are routed as
   * they arrive, and a URC that nobody waits for yet is not kept.
   */
  waitForUrc(prefix: string, opts: WaitForUrcOptions): Promise<string> {
    return this.watchUrcs([prefix], { ...opts, description: `URC ${prefix}` }, (line) =>
      !opts.match || opts.match(line) ? line : undefined,
    );
  }

  /**
   * Feeds every URC line carrying one of `prefixes` to `step` until it returns a value
   * (other than undefined), which resolves the promise; if `step` throws, the promise
   * rejects with that error. Rejects with AtTimeoutError after `timeoutMs`, with
   * ConnectionClosedError if the link closes, with the signal's reason on abort.
   * For URC sequences (e.g. four `+UUPING` replies) that must not lose a line between waits.
   */
  watchUrcs<T>(
    prefixes: readonly string[],
    opts: { timeoutMs: number; signal?: AbortSignal; description?: string },
    step: (line: string) => T | undefined,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.closedError) return reject(this.closedError);
      if (opts.signal?.aborted) return reject(opts.signal.reason);
      const offs: Array<() => void> = [];
      let settled = false;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        for (const off of offs) off();
        this.closeListeners.delete(onClose);
        opts.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const onClose = (e: ConnectionClosedError): void => settle(() => reject(e));
      const onAbort = (): void => settle(() => reject(opts.signal!.reason));
      const timer = setTimeout(
        () => settle(() => reject(new AtTimeoutError(`waiting for ${opts.description ?? prefixes.join(' | ')}`, opts.timeoutMs))),
        opts.timeoutMs,
      );
      const onLine = (line: string): void => {
        if (settled) return;
        let value: T | undefined;
        try {
          value = step(line);
        } catch (error) {
          settle(() => reject(error));
          return;
        }
        if (value !== undefined) settle(() => resolve(value));
      };
      for (const prefix of prefixes) offs.push(this.onUrc(prefix, onLine));
      this.closeListeners.add(onClose);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Reads the next `length` bytes from the module raw, bypassing line splitting.
   * Call it synchronously from a URC handler (or while idle) so that no byte is parsed
   * as text before the read is armed.
   */
  readBinary(length: number, opts: { timeoutMs?: number } = {}): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      if (this.closedError) return reject(this.closedError);
      const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
      const cleanup = (): void => {
        clearTimeout(timer);
        this.closeListeners.delete(onClose);
      };
      const onClose = (e: ConnectionClosedError): void => {
        cleanup();
        cancel();
        reject(e);
      };
      const timer = setTimeout(() => {
        cleanup();
        cancel();
        reject(new AtTimeoutError(`reading ${length} binary bytes`, timeoutMs));
      }, timeoutMs);
      this.closeListeners.add(onClose);
      const cancel = this.splitter.readRaw(length, (data) => {
        cleanup();
        resolve(data);
      });
    });
  }

  /**
   * Sends a command that answers CONNECT (e.g. `AT+USODL=0`) and returns the online data
   * mode link. Commands sent meanwhile wait until the link ends (NO CARRIER, or OK after
   * the link's `escape()`).
   */
  async dial(command: string, opts: Omit<SendOptions, 'online' | 'prompt' | 'binaryHeader'> = {}): Promise<OnlineLink> {
    const r = await this.send(command, { ...opts, online: true });
    // The link may already have ended (a peer that sent a little and closed): it keeps that for its listeners.
    const link = this.dialed;
    this.dialed = undefined;
    if (r.final !== 'CONNECT' || !link) throw new AtError(command, r.lines, `${command}: expected CONNECT, got ${r.finalLine}`);
    return link;
  }

  /** Closes the link; pending and queued commands reject with ConnectionClosedError. */
  async close(): Promise<void> {
    const s = this.stream;
    const closed = s.closed
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          // Bounded wait, for streams created with emitClose: false.
          const timer = setTimeout(resolve, 2_000).unref();
          s.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
        });
    this.shutdown(new ConnectionClosedError('closed by the host'));
    await closed;
  }

  // ---- internals -------------------------------------------------------------------

  private readonly onData = (chunk: Buffer | string): void => {
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    this.tracer?.record('from-module', data);
    this.splitter.push(data);
  };

  private readonly onError = (error: Error): void => {
    this.shutdown(new ConnectionClosedError(`stream error: ${error.message}`, { cause: error }));
  };

  private readonly onEnd = (): void => {
    this.shutdown(this.busyLine !== undefined ? new ModuleBusyError(this.busyLine) : new ConnectionClosedError('connection closed by the peer'));
  };

  private shutdown(error: ConnectionClosedError): void {
    if (this.closedError) return;
    this.closedError = error;
    if (error instanceof ModuleBusyError) this.logger?.warn({ reason: error.reason }, 'module refused the link: busy');
    else this.logger?.info({ reason: error.message }, 'link closed');
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.off('close', this.onEnd);
    // Keep an error listener: a late stream error must not crash the process.
    this.stream.off('error', this.onError);
    this.stream.on('error', () => {});
    this.splitter.reset();
    this.splitter.divert = undefined;
    this.onlineLink?.close();
    this.onlineLink = undefined;
    const jobs = this.active ? [this.active, ...this.queue] : [...this.queue];
    this.active = undefined;
    this.queue.length = 0;
    for (const job of jobs) {
      clearTimeout(job.timer);
      job.reject(closedFor(error, job.command));
    }
    for (const listener of [...this.closeListeners]) listener(error);
    this.closeListeners.clear();
    if (!this.stream.destroyed) this.stream.destroy();
  }

  private pump(): void {
    if (this.active || this.closedError || this.onlineLink) return;
    const job = this.queue.shift();
    if (!job) return;
    this.active = job;
    const v = verbosityAfter(job.command);
    if (v) this.numeric = v === 'numeric';
    if (job.opts.prompt) {
      job.awaitingPrompt = true;
      this.splitter.promptChars = job.opts.prompt.char ?? '>';
    }
    const header = job.opts.binaryHeader;
    this.splitter.headerMatcher = header
      ? (partial) => {
          const m = header.exec(partial);
          return m ? Number(m[1]) : undefined;
        }
      : undefined;
    const timeoutMs = job.opts.timeoutMs ?? this.defaultTimeoutMs;
    job.timer = setTimeout(() => {
      this.splitter.reset();
      this.finish(job, new AtTimeoutError(job.command, timeoutMs, job.lines));
    }, timeoutMs);
    job.startedAt = Date.now();
    this.tx.write(job.command + this.lineEnding);
  }

  private goOnline(): void {
    const link = new OnlineLink(this.tx, (rest) => {
      this.splitter.divert = undefined;
      this.onlineLink = undefined;
      if (rest.length > 0) this.splitter.push(rest);
      this.pump();
    });
    this.onlineLink = link;
    this.dialed = link;
    this.splitter.divert = (data) => link.receive(data);
  }

  private finish(job: Job, outcome: AtResponse | Error): void {
    if (this.active !== job) return;
    clearTimeout(job.timer);
    this.active = undefined;
    this.splitter.promptChars = '';
    this.splitter.headerMatcher = undefined;
    if (this.logger) {
      const ms = Date.now() - (job.startedAt ?? Date.now());
      if (outcome instanceof Error) this.logger.debug({ command: job.command, error: outcome.message, ms }, 'at command failed');
      else this.logger.debug({ command: job.command, final: outcome.finalLine, lines: outcome.lines.length, ms }, 'at command');
    }
    if (outcome instanceof Error) job.reject(outcome);
    else job.resolve(outcome);
    this.pump();
  }

  private onPrompt(_char: string): void {
    const job = this.active;
    if (!job?.awaitingPrompt || !job.opts.prompt) return;
    job.awaitingPrompt = false;
    this.splitter.promptChars = '';
    const { data } = job.opts.prompt;
    this.tx.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }

  private onLine(line: string): void {
    if (BUSY_LINE.test(line)) this.busyLine = line;
    const job = this.active;
    if (!job) {
      if (!this.dispatchUrc(line)) for (const h of [...this.unhandled]) this.callHandler(h, line);
      return;
    }
    if (!job.echoSeen && job.lines.length === 0 && line.toUpperCase() === job.command.trim().toUpperCase()) {
      job.echoSeen = true;
      return;
    }
    const final = parseFinalResult(line, this.numeric);
    if (final) {
      const response = [...job.lines, final.line];
      if (final.kind === 'success') {
        if (final.final === 'CONNECT' && job.opts.online) this.goOnline();
        this.finish(job, { command: job.command, lines: job.lines, final: final.final, finalLine: final.line, binary: job.binary });
      } else if (final.kind === 'cme') {
        this.finish(job, new CmeError(job.command, response, final.errorKind, final.code, final.text));
      } else {
        this.finish(job, new AtError(job.command, response, undefined, { final: final.line }));
      }
      return;
    }
    if (job.expect.some((p) => matchesPrefix(line, p))) {
      job.lines.push(line);
      const after = job.opts.binaryAfterLine?.exec(line);
      if (after) this.splitter.readRaw(Number(after[1]), (data) => job.binary.push(data));
      return;
    }
    if (this.dispatchUrc(line)) return;
    job.lines.push(line);
  }

  /** Delivers a line to the URC handlers whose prefix it carries; false if none. */
  private dispatchUrc(line: string): boolean {
    const targets = this.urcHandlers.filter((h) => matchesPrefix(line, h.prefix));
    if (targets.length > 0) this.logger?.debug({ urc: line }, 'urc');
    for (const t of targets) this.callHandler(t.handler, line);
    return targets.length > 0;
  }

  private callHandler(handler: UrcHandler, line: string): void {
    try {
      handler(line);
    } catch (error) {
      this.options.onHandlerError?.(error, line);
    }
  }
}

/** The error a command gets on a closed link: the close's own class (ModuleBusyError stays one), naming the command. */
function closedFor(error: ConnectionClosedError, command: string): ConnectionClosedError {
  if (error instanceof ModuleBusyError) return new ModuleBusyError(error.reason, { cause: error, command });
  return new ConnectionClosedError(error.message, { cause: error, command });
}
