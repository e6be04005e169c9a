/**
 * Appends a trace to a file: a start line, then one JSON line per chunk (packages/at/src/trace.ts).
 * Appending, so several runs of `modemlab serve --trace FILE` make one file of sessions.
 */
import fs from 'node:fs/promises';
import { once } from 'node:events';
import type { WriteStream } from 'node:fs';
import { encodeTraceLine, type TraceChunk } from '@modemlab/at';
import { CliError } from './module-api.js';

export class TraceWriter {
  private failure: Error | undefined;

  private constructor(
    readonly path: string,
    private readonly out: WriteStream,
  ) {
    // A write error (disk full) ends the trace, never the modules it watches.
    out.on('error', (err) => (this.failure ??= err));
  }

  /** Opens `path` for appending (created if missing); fails at once if it cannot. */
  static async open(path: string, now: Date = new Date()): Promise<TraceWriter> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(path, 'a');
    } catch (err) {
      throw new CliError(`modemlab: cannot open trace file ${path}: ${(err as Error).message}`, 2);
    }
    const writer = new TraceWriter(path, handle.createWriteStream());
    writer.out.write(encodeTraceLine({ kind: 'start', start: now.toISOString() }) + '\n');
    return writer;
  }

  /** The error that stopped the trace, if one did. */
  get error(): Error | undefined {
    return this.failure;
  }

  write(chunk: TraceChunk): void {
    if (this.failure || this.out.writableEnded) return;
    this.out.write(encodeTraceLine(chunk) + '\n');
  }

  /** Flushes what is buffered and closes the file. */
  async close(): Promise<void> {
    if (this.out.closed) return;
    if (!this.out.writableEnded) this.out.end();
    await once(this.out, 'close').catch(() => {});
  }
}
