import { afterEach } from 'node:test';
import type { ModuleHarness } from '../../testing/harness.js';
import type { ModuleOptions } from '../../module.js';
import { atUntil, ublox } from './ublox.testutil.js';

/**
 * SARA-R5 harnesses that are closed after each test even when it fails (a failed test must
 * not leave real sockets open and hang the run). Call once per test file, at top level.
 */
export function socketHarnesses(): (opts?: Partial<ModuleOptions> & { registered?: boolean }) => Promise<ModuleHarness> {
  const open: ModuleHarness[] = [];
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });
  return async (opts = {}) => {
    const h = await ublox(opts);
    open.push(h);
    return h;
  };
}

/**
 * Sends a command and collects output up to and including the URC line `last`: loopback
 * peers answer so fast that a URC often lands right behind the command's final result.
 */
export const atThrough = (h: ModuleHarness, command: string, last: string): Promise<string> => atUntil(h, command, `${last}\r\n`);
