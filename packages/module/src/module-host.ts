import type { Clock } from '@modemlab/at';
import type { TerminalSession } from './engine/session.js';
import type { BytePipe } from './link/byte-pipe.js';
import type { ModelTable } from './models/types.js';
import type { NvmStore } from './nvm/store.js';
import type { ModuleServices } from './services/index.js';

/** A URC's text, or a function that renders it per terminal (its +CEREG mode...) or skips it (undefined). */
export type UrcSource = string | ((session: TerminalSession) => string | undefined);

/**
 * What a dialect sees of its module (module.ts implements it): the product table, the
 * services, the clock and NVM, URC routing, a log, a reboot, and a place for the dialect's
 * own RAM state. Handlers reach it as `ctx.module`; `wire()` gets it once.
 */
export interface ModuleHost {
  readonly model: ModelTable;
  readonly services: ModuleServices;
  readonly clock: Clock;
  readonly nvm: NvmStore;
  /**
   * An unsolicited result code: to every terminal, or only to the terminal whose session
   * is `to` (the one that owns a socket or enabled a feature). A terminal busy with a
   * command gets it after the final result code.
   */
  urc(source: UrcSource, to?: TerminalSession): void;
  log(message: string, detail?: unknown): void;
  /** +CFUN=15/16 and the like: RAM state is lost, NVM stays, terminals fall silent while it boots. */
  reboot(): void;
  /**
   * The dialect's RAM state under `key`, made by `init` on first use after each power-up:
   * a reboot or power-off drops it (Telit's SSL channel, Quectel's +QSSLCFG settings).
   */
  state<T>(key: string, init: () => T): T;
  /** Another AT terminal on `pipe` (a multiplexer channel); it closes with the pipe. */
  openTerminal(pipe: BytePipe): { readonly session: TerminalSession };
}

// The engine declares `ctx.module` as the open interface HandlerModule and never imports
// this file; filling it in here gives every handler the ModuleHost without an upward import.
declare module './engine/context.js' {
  interface HandlerModule extends ModuleHost {}
}
