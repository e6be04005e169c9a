import { ModuleHarness } from '../../testing/harness.js';
import type { ModuleOptions } from '../../module.js';

/** Shapes of u-blox answers with echo off (ATE0) and verbose results. */
export const OK = '\r\nOK\r\n';
export const ERROR = '\r\nERROR\r\n';
export const answer = (...lines: string[]): string => `\r\n${lines.join('\r\n')}\r\n${OK}`;
export const cmeError = (codeOrText: number | string): string => `\r\n+CME ERROR: ${codeOrText}\r\n`;
export const urc = (...lines: string[]): string => lines.map((l) => `\r\n${l}\r\n`).join('');

/** The default registration delay of the simulated network. */
export const REGISTRATION_MS = 2000;

/** A SARA-R5 with echo off; registered (default bearer up) unless told otherwise. */
export async function ublox(opts: Partial<ModuleOptions> & { registered?: boolean } = {}): Promise<ModuleHarness> {
  const { registered = true, ...rest } = opts;
  const h = await ModuleHarness.create(rest);
  await h.send('ATE0\r');
  if (registered) await h.advance(REGISTRATION_MS);
  h.take();
  return h;
}

/** Sends one command line with its terminator. */
export const at = (h: ModuleHarness, command: string): Promise<string> => h.send(`${command}\r`);

/** Sends a command whose answer waits on real I/O (DNS, ping) and collects output until `until` shows. */
export async function atUntil(h: ModuleHarness, command: string, until: string, timeoutMs = 10_000): Promise<string> {
  h.take();
  h.terminal.input(Buffer.from(`${command}\r`, 'latin1'));
  return h.waitFor(until, timeoutMs);
}
