import type { ParamSpec, ParamValues, RawParam } from '@modemlab/at';
import type { CommandContext, FinalResult } from './context.js';

export type { FinalResult };
/** What a handler may return: nothing (OK), or a different final result (CONNECT, NO CARRIER...). */
export type HandlerResult = void | FinalResult | Promise<void | FinalResult>;

/**
 * One AT command of a dialect. Set-form parameters declared in `params` are validated by
 * the shared parser before `set` runs; commands whose syntax depends on an op code take
 * `raw` and validate per op code with `ctx.validate`.
 */
export interface CommandDef {
  /** '+CGMI', '#SSLEN', or a basic command: 'E', '&W', 'I'. */
  name: string;
  /** Other spellings that reach the same handler (a seed's typo the real module accepts). */
  aliases?: string[];
  /** File of the handler, for docs/commands.md; filled by defineCommands. */
  source?: string;
  params?: readonly ParamSpec[];
  set?(ctx: CommandContext, args: ParamValues, raw: RawParam[]): HandlerResult;
  read?(ctx: CommandContext): HandlerResult;
  test?(ctx: CommandContext): HandlerResult;
  action?(ctx: CommandContext): HandlerResult;
  /** Basic (V.250) commands: ATE0, ATI9, AT&W. `value` undefined when no digits were given. */
  basic?(ctx: CommandContext, value: number | undefined): HandlerResult;
  /** Commands allowed while the module is in a restricted state are declared by the handler itself. */
}

/** Attaches the handler file to each command so the generated docs say where it lives. */
export function defineCommands(moduleUrl: string, defs: CommandDef[]): CommandDef[] {
  const marker = '/packages/module/src/';
  const at = moduleUrl.indexOf(marker);
  const source = at >= 0 ? moduleUrl.slice(at + marker.length) : moduleUrl;
  return defs.map((d) => ({ ...d, source: d.source ?? source }));
}

export function formsOf(def: CommandDef): string[] {
  const forms: string[] = [];
  if (def.basic) forms.push('basic');
  if (def.action) forms.push('action');
  if (def.set) forms.push('set');
  if (def.read) forms.push('read');
  if (def.test) forms.push('test');
  return forms;
}

export class CommandRegistry {
  private readonly byName = new Map<string, CommandDef>();

  constructor(defs: Iterable<CommandDef> = []) {
    for (const d of defs) this.add(d);
  }

  add(def: CommandDef): void {
    for (const name of [def.name, ...(def.aliases ?? [])]) this.byName.set(name.toUpperCase(), def);
  }

  get(name: string): CommandDef | undefined {
    return this.byName.get(name.toUpperCase());
  }

  /** Unique commands, sorted, for docs and coverage tables. */
  list(): CommandDef[] {
    return [...new Set(this.byName.values())].sort((a, b) => a.name.localeCompare(b.name));
  }
}
