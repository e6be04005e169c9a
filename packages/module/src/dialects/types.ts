import type { CommandDef } from '../engine/registry.js';
import type { SessionDefaults, TerminalSession } from '../engine/session.js';
import type { TerminalErrors } from '../engine/terminal-host.js';
import type { ModuleHost } from '../module-host.js';

/**
 * A vendor's AT language: its commands, its error vocabulary and its URC wiring. Products
 * of one vendor share a dialect and differ by their model table.
 */
export interface Dialect {
  id: string;
  commands: readonly CommandDef[];
  sessionDefaults: SessionDefaults;
  /** Verbose text of an error number for +CMEE=2. */
  errorText(code: number): string;
  errors: TerminalErrors;
  /** Text shown for a prompt character, e.g. '\r\n>' (u-blox) or '\r\n> ' (Telit). */
  promptText(char: string): string;
  /** Subscribes the dialect's URC renderers to the module's service events. */
  wire(module: ModuleHost): void;
  /** An AT terminal went away (its host disconnected): state bound to it is released. */
  terminalClosed?(module: ModuleHost, session: TerminalSession): void;
}
