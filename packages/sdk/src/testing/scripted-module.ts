/**
 * Test support: an in-process Duplex pair and a scripted fake module that answers
 * command lines with a handler. Used by the SDK's unit tests only (not exported).
 */
import { Duplex } from 'node:stream';

/** Two connected Duplex ends: what one writes, the other reads. */
export function duplexPair(): [host: Duplex, module: Duplex] {
  const ends: Duplex[] = [];
  const make = (peer: () => Duplex): Duplex =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        peer().push(chunk);
        callback();
      },
      final(callback) {
        peer().push(null);
        callback();
      },
      destroy(error, callback) {
        const other = peer();
        if (!other.destroyed) other.push(null);
        callback(error);
      },
    });
  ends.push(make(() => ends[1]!), make(() => ends[0]!));
  return [ends[0]!, ends[1]!];
}

export type CommandHandler = (command: string, module: ScriptedModule) => void | Promise<void>;

/** A fake module: splits command lines on CR, echoes them when `echo` is on, calls the handler. */
export class ScriptedModule {
  echo = false;
  /** Command lines received, in order. */
  readonly received: string[] = [];
  /** Set when a command line arrived while the previous one was still being answered. */
  overlap = false;

  private buffer = Buffer.alloc(0);
  private busy = false;
  /** A command was received and no final result has been written for it yet. */
  private awaitingFinal = false;
  private raw: { length: number; until?: number; resolve: (b: Buffer) => void } | undefined;

  constructor(
    readonly port: Duplex,
    private readonly handler: CommandHandler,
  ) {
    port.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      if (this.awaitingFinal && !this.raw && this.buffer.includes(0x0d)) this.overlap = true;
      this.drain();
    });
  }

  /** Writes raw text or bytes to the host. */
  write(data: string | Buffer): void {
    if (typeof data === 'string' && /(^|\n)(OK|ERROR|\+CM[ES] ERROR:[^\r]*|\d+)\r/.test(data)) this.awaitingFinal = false;
    this.port.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Writes `\r\n<line>\r\n` for each line (V1 framing). */
  lines(...lines: string[]): void {
    this.write(lines.map((l) => `\r\n${l}\r\n`).join(''));
  }

  /** Information lines then `OK`. */
  ok(...lines: string[]): void {
    this.lines(...lines, 'OK');
  }

  /** Reads exactly `length` raw bytes sent by the host (after a prompt). */
  readRaw(length: number): Promise<Buffer> {
    return new Promise((resolve) => {
      this.raw = { length, resolve };
      this.drain();
    });
  }

  /** Reads raw bytes sent by the host up to and including `byte` (e.g. Ctrl-Z); resolves without it. */
  readUntil(byte: number): Promise<Buffer> {
    return new Promise((resolve) => {
      this.raw = { length: 0, until: byte, resolve };
      this.drain();
    });
  }

  private drain(): void {
    if (this.raw?.until !== undefined) {
      const end = this.buffer.indexOf(this.raw.until);
      if (end < 0) return;
      const data = this.buffer.subarray(0, end);
      this.buffer = this.buffer.subarray(end + 1);
      const { resolve } = this.raw;
      this.raw = undefined;
      resolve(Buffer.from(data));
      return;
    }
    if (this.raw) {
      if (this.buffer.length < this.raw.length) return;
      const data = this.buffer.subarray(0, this.raw.length);
      this.buffer = this.buffer.subarray(this.raw.length);
      const { resolve } = this.raw;
      this.raw = undefined;
      resolve(Buffer.from(data));
      return;
    }
    if (this.busy) return;
    const cr = this.buffer.indexOf(0x0d);
    if (cr < 0) return;
    const line = this.buffer.subarray(0, cr).toString('latin1').replace(/^\n+/, '');
    this.buffer = this.buffer.subarray(this.buffer[cr + 1] === 0x0a ? cr + 2 : cr + 1);
    // More command bytes already waiting: the host did not wait for the final result.
    if (this.buffer.includes(0x0d)) this.overlap = true;
    if (this.echo) this.write(`${line}\r`);
    this.received.push(line);
    this.busy = true;
    this.awaitingFinal = true;
    void Promise.resolve(this.handler(line, this)).finally(() => {
      this.busy = false;
      this.drain();
    });
  }
}
