/** `modemlab trace FILE`: a trace file printed as a readable AT conversation. */
import fs from 'node:fs/promises';
import { decodeTrace, TraceFormatError, type TraceLine } from '@modemlab/at';
import { CliError } from './module-api.js';
import { prettyTrace, type PrettyOptions } from './trace-pretty.js';

/**
 * Reads and pretty-prints `path`. A missing file or a bad line is a CliError (exit 1) naming
 * it; a last line cut short (no line end: the writer was killed mid-line) is left out with a
 * warning, so the trace of a crashed run still reads.
 */
export async function traceCommand(path: string, opts: PrettyOptions, print: (text: string) => void, warn: (text: string) => void): Promise<void> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (err) {
    throw new CliError(`modemlab: cannot read trace file ${path}: ${(err as Error).message}`, 1);
  }
  const pretty = prettyTrace(decodeFile(path, text, warn), opts);
  if (pretty.length > 0) print(pretty.join('\n') + '\n');
}

function decodeFile(path: string, text: string, warn: (text: string) => void): TraceLine[] {
  try {
    return decodeTrace(text);
  } catch (err) {
    if (!(err instanceof TraceFormatError)) throw err;
    const cut = text.lastIndexOf('\n') + 1;
    const lastLine = text.slice(0, cut).split('\n').length;
    if (!text.endsWith('\n') && err.line === lastLine) {
      warn(`modemlab: ${path}: line ${lastLine} is cut short; left out\n`);
      return decodeFile(path, text.slice(0, cut), warn);
    }
    throw new CliError(`modemlab: ${path}: ${err.message}`, 1);
  }
}
