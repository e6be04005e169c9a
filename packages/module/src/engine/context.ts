import { validateParams, type CommandForm, type ParamSpec, type ParamValues, type RawParam } from '@modemlab/at';
import type { DataPipe } from '../link/byte-pipe.js';
import type { LinkControl } from '../link/link-stack.js';
import { CommandFailure } from './failure.js';
import type { TerminalSession } from './session.js';

/** How a command ends: a result code, or the terminal handed to an online-data pipe. */
export type FinalResult = { kind: 'final'; text: string; numeric: number } | { kind: 'online' };

export type PromptSpec =
  | {
      kind: 'text';
      char?: string;
      /** Bytes kept; more are dropped (the terminal's promptMaxBytes when absent). */
      maxLength?: number;
      /** Silence that ends the prompt with 'timeout' (the terminal's promptIdleMs when absent). */
      guardMs?: number;
    }
  | {
      kind: 'binary';
      length: number;
      char?: string;
      guardMs: number;
      /**
       * Streams the bytes as they arrive instead of collecting them (large file downloads
       * never sit whole in memory); the outcome's `data` is then empty. A chunk is a view of
       * the input, valid only during the call.
       */
      sink?: (chunk: Buffer) => void;
    };

export type PromptOutcome =
  | { status: 'done'; data: Buffer }
  | { status: 'cancelled' }
  | { status: 'timeout'; received: number };

/**
 * What a handler sees of its module. Open here so the engine imports nothing above it;
 * module-host.ts fills it in with the ModuleHost (declaration merging).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface HandlerModule {}

/** What a handler sees: the module's services, its terminal's settings, and ways to answer. */
export interface CommandContext {
  readonly module: HandlerModule;
  readonly session: TerminalSession;
  readonly name: string;
  readonly form: CommandForm;
  /** An information response line. */
  info(line: string): void;
  /** Bytes written as they are (binary reads). */
  raw(bytes: Buffer | string): void;
  /**
   * Writes what was produced so far and resolves once the port takes output again (at
   * once when it drains, or when the terminal closes): a handler that streams much (a file
   * read) awaits it between chunks, so a client that stops reading stops the module.
   */
  writable(): Promise<void>;
  /** Shows the prompt and collects the host's input (text ended by Ctrl-Z, or exactly N bytes). */
  prompt(spec: PromptSpec): Promise<PromptOutcome>;
  /** Validates op-code-dependent parameters; throws the dialect's bad-parameter error. */
  validate(raw: RawParam[], specs: readonly ParamSpec[]): ParamValues;
  /** Ends the command with CONNECT and hands the terminal to the pipe. */
  goOnline(pipe: DataPipe): FinalResult;
  /** Runs after the final result code has been written (a reboot after +CFUN=16's OK). */
  afterResult(fn: () => void): void;
  /** Runs once the final result code has left the terminal into its pipe (+IPR: the new rate from the next byte). */
  afterOutput(fn: () => void): void;
  /**
   * The terminal's link stack. A push or pop takes effect once this command's final
   * result code has left: `OK` goes out in clear and the next byte through the new layer.
   * A command that fails changes nothing.
   */
  readonly link: LinkControl;
}

export function validateOrFail(raw: RawParam[], specs: readonly ParamSpec[], badParameterCode: number): ParamValues {
  const v = validateParams(raw, specs);
  if (!v.ok) throw new CommandFailure(badParameterCode, `${v.reason}${v.param ? ` (${v.param})` : ''}`);
  return v.values;
}
