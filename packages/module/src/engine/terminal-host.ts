import type { Clock } from '@modemlab/at';
import type { HandlerModule } from './context.js';
import type { CommandRegistry } from './registry.js';
import type { SessionDefaults } from './session.js';

/** The error numbers a terminal answers with on its own, before or around a handler. */
export interface TerminalErrors {
  /** Wrong syntax or value of a parameter. */
  badParameter: number;
  /** A form the command lacks (e.g. read of an action-only command). */
  formNotSupported: number;
  /** An exception inside a handler: never a crash, always this. */
  internal: number;
  /** Line longer than the product's limit; undefined means plain ERROR. */
  lineTooLong?: number;
}

/**
 * Everything the engine knows of the module it runs in: time, the command table, the
 * product's line limit and the dialect's error and prompt text. Handlers get
 * `handlerModule` as `ctx.module`; the engine itself never looks inside it.
 */
export interface TerminalHost {
  readonly clock: Clock;
  readonly registry: CommandRegistry;
  readonly maxLineLength: number;
  readonly sessionDefaults: SessionDefaults;
  readonly errors: TerminalErrors;
  /** Verbose text of an error number for +CMEE=2. */
  errorText(code: number): string;
  /** Text shown for a prompt character, e.g. '\r\n>' (u-blox) or '\r\n> ' (Telit). */
  promptText(char: string): string;
  /** Internal faults (a crashed handler); never to the AT interface. */
  log(message: string, detail?: unknown): void;
  readonly handlerModule: HandlerModule;
}
