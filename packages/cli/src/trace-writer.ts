/**
 * Appends a trace to a file: a start line, then one JSON line per chunk (packages/at/src/trace.ts).
 * Appending, so several runs of `modemlab serve --trace FILE` make one file of sessions.
 *
 * Lines are gathered while a write is in flight and written together: a direct link traces
 * thousands of chunks a second, and one large write costs far less than many small ones.
 */
import fs from 'node:fs/promises';
import { encodeTraceLine, type TraceChunk } from '@modemlab/at';
import { CliError } from './module-api.js';

export class TraceWriter {
  private failure: Error | undefined;
  private pending: string[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly file: fs.FileHandle,
  ) {}

  /** Opens `path` for appending (created if missing); fails at once if it cannot. */
  static async open(path: string, now: Date = new Date()): Promise<TraceWriter> {
    let file: fs.FileHandle;
    try {
      file = await fs.open(path, 'a');
    } catch (err) {
      throw new CliError(`modemlab: cannot open trace file ${path}: ${(err as Error).message}`, 2);
    }
    const writer = new TraceWriter(path, file);
    writer.add(encodeTraceLine({ kind: 'start', start: now.toISOString() }));
    return writer;
  }

  /** The error that stopped the trace, if one did. */
  get error(): Error | undefined {
    return this.failure;
  }

  write(chunk: TraceChunk): void {
    if (this.failure || this.closed) return;
    this.add(encodeTraceLine(chunk));
  }

  /** Writes what is gathered and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing) await this.flushing;
    await this.file.close();
  }

  private add(line: string): void {
    this.pending.push(line);
    this.flushing ??= this.flush();
  }

  private async flush(): Promise<void> {
    try {
      // Yield once, so the lines of this turn of the event loop go out in one write.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.pending.length > 0 && !this.failure) {
        const text = this.pending.join('\n') + '\n';
        this.pending = [];
        await this.file.appendFile(text, 'utf8');
      }
    } catch (err) {
      // A write error (disk full) ends the trace, never the modules it watches.
      this.failure = err as Error;
      this.pending = [];
    } finally {
      this.flushing = undefined;
    }
  }
}
