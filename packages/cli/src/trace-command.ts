/** `modemlab trace FILE`: a trace file printed as a readable AT conversation. */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import readline from 'node:readline';
import { decodeTraceLine, TraceFormatError, type TraceLine } from '@modemlab/at';
import { CliError } from './module-api.js';
import { prettyTrace, type PrettyOptions } from './trace-pretty.js';

/**
 * Reads `path` line by line (a direct link's trace runs to hundreds of MB) and pretty-prints
 * it. A missing file or a bad line is a CliError (exit 1) naming it; a last line cut short
 * (no line end: the writer was killed mid-line) is left out with a warning, so the trace of
 * a crashed run still reads.
 */
export async function traceCommand(path: string, opts: PrettyOptions, print: (text: string) => void, warn: (text: string) => void): Promise<void> {
  const pretty = prettyTrace(await readTrace(path, warn), opts);
  if (pretty.length > 0) print(pretty.join('\n') + '\n');
}

async function readTrace(path: string, warn: (text: string) => void): Promise<TraceLine[]> {
  const unreadable = (err: unknown): CliError => new CliError(`modemlab: cannot read trace file ${path}: ${(err as Error).message}`, 1);
  let endsWithLineEnd: boolean;
  try {
    endsWithLineEnd = await lastByteIsLineEnd(path);
  } catch (err) {
    throw unreadable(err);
  }
  const lines: TraceLine[] = [];
  let bad: TraceFormatError | undefined;
  let lineNo = 0;
  const input = createReadStream(path, 'utf8');
  try {
    for await (const raw of readline.createInterface({ input, crlfDelay: Infinity })) {
      lineNo++;
      const text = raw.trim();
      if (text === '') continue;
      if (bad) break; // a bad line with more after it
      try {
        lines.push(decodeTraceLine(text, lineNo));
      } catch (err) {
        if (!(err instanceof TraceFormatError)) throw err;
        bad = err;
      }
    }
  } catch (err) {
    throw unreadable(err);
  } finally {
    input.destroy();
  }
  if (bad) {
    if (endsWithLineEnd || bad.line !== lineNo) throw new CliError(`modemlab: ${path}: ${bad.message}`, 1);
    warn(`modemlab: ${path}: line ${bad.line} is cut short; left out\n`);
  }
  return lines;
}

async function lastByteIsLineEnd(path: string): Promise<boolean> {
  const file = await fs.open(path, 'r');
  try {
    const { size } = await file.stat();
    if (size === 0) return true;
    const { buffer } = await file.read(Buffer.alloc(1), 0, 1, size - 1);
    return buffer[0] === 0x0a;
  } finally {
    await file.close();
  }
}
