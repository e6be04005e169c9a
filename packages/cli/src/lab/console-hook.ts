import type { Logger } from 'pino';

/** What the lab started, for a console that shows it. */
export interface LabConsoleContext {
  /** Every module listener (tcp://HOST:PORT). */
  modules: string[];
  peers: Array<{ what: string; endpoint: string }>;
  log?: Logger;
}

/**
 * THE `startConsole` HOOK (issue 13): `modemlab lab` calls this once everything is up. It is
 * a no-op until a console module exists (`--console`, built by another change): replace the
 * body with its start, keeping the signature; the returned close runs at shutdown.
 */
export async function startConsole(_ctx: LabConsoleContext): Promise<{ close(): Promise<void> }> {
  return { async close() {} };
}
