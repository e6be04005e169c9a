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

/** What bounds a terminal's memory and time, whatever its host does. */
export interface TerminalLimits {
  /**
   * Host input held while a command runs or the port is blocked (the product's receive
   * buffer): bytes beyond it are dropped and counted in the log, never accumulated.
   */
  inputBufferBytes: number;
  /** A prompt that hears nothing from the host this long ends with the command's error. */
  promptIdleMs: number;
  /** Longest text a text prompt keeps when its command sets no limit of its own. */
  promptMaxBytes: number;
  /** URCs held while the terminal cannot write them; beyond, the oldest are dropped and counted. */
  urcQueueMax: number;
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
  readonly limits: TerminalLimits;
  readonly sessionDefaults: SessionDefaults;
  readonly errors: TerminalErrors;
  /** Verbose text of an error number for +CMEE=2. */
  errorText(code: number): string;
  /** Text shown for a prompt character, e.g. '\r\n>' (u-blox) or '\r\n> ' (Telit). */
  promptText(char: string): string;
  /** Internal faults (a crashed handler); never to the AT interface. */
  log(message: string, detail?: unknown): void;
  readonly handlerModule: HandlerModule;
  /**
   * Something the module is doing that holds every command line until it is over (SARA-R5's
   * heartbeat cycle); undefined when nothing does. Asked before each command line runs.
   */
  commandGate?(): Promise<void> | undefined;
}

/** TerminalLimits.promptMaxBytes where no product says: 64 KiB, above any certificate or key a prompt takes. */
export const PROMPT_MAX_BYTES = 64 * 1024;
/** TerminalLimits.urcQueueMax: 256 URCs wait for a busy or blocked terminal; older ones are dropped. */
export const URC_QUEUE_MAX = 256;
