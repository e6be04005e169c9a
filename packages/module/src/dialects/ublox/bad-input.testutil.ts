/**
 * The pieces every u-blox bad-input sweep uses: read a command's ops back one by one (to show
 * nothing changed), send each bad line and keep the ones not refused as documented, and wait for
 * a URC's whole line.
 */
import type { ModuleHarness } from '../../testing/harness.js';
import { at, atUntil, cmeError } from './ublox.testutil.js';

export const BAD = cmeError('Incorrect parameters');
/** A form the command does not have (a bare action, no '='). */
export const NO_FORM = cmeError('operation not supported');

/** `AT<command>=<op>` for each op, one answer per op. */
export async function readOps(h: ModuleHarness, command: string, ops: readonly number[]): Promise<string[]> {
  const out: string[] = [];
  for (const op of ops) out.push(await at(h, `${command}=${op}`));
  return out;
}

/** Sends each line; returns the ones NOT answered with the documented refusal (NO_FORM for the `bare` forms, BAD otherwise). */
export async function refusals(h: ModuleHarness, lines: string[], bare: RegExp): Promise<string[]> {
  const wrong: string[] = [];
  for (const line of lines) {
    const out = await at(h, line);
    const expected = bare.test(line) ? NO_FORM : BAD;
    if (out !== expected) wrong.push(`${line} → ${JSON.stringify(out)}`);
  }
  return wrong;
}

/** The command's output up to and including the whole line that starts with `until`. */
export async function atUntilLine(h: ModuleHarness, line: string, until: string): Promise<string> {
  const out = await atUntil(h, line, until);
  return out.endsWith('\r\n') ? out : out + (await h.waitFor('\r\n'));
}
