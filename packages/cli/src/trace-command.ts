/** `modemlab trace FILE`: a trace file printed as a readable AT conversation. */
import fs from 'node:fs/promises';
import { decodeTrace, TraceFormatError } from '@modemlab/at';
import { CliError } from './module-api.js';
import { prettyTrace, type PrettyOptions } from './trace-pretty.js';

/** Reads and pretty-prints `path`; a missing file or a bad line is a CliError (exit 1) naming it. */
export async function traceCommand(path: string, opts: PrettyOptions, print: (text: string) => void): Promise<void> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (err) {
    throw new CliError(`modemlab: cannot read trace file ${path}: ${(err as Error).message}`, 1);
  }
  let lines;
  try {
    lines = decodeTrace(text);
  } catch (err) {
    if (err instanceof TraceFormatError) throw new CliError(`modemlab: ${path}: ${err.message}`, 1);
    throw err;
  }
  const pretty = prettyTrace(lines, opts);
  if (pretty.length > 0) print(pretty.join('\n') + '\n');
}
