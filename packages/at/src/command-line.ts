/**
 * The module-side command-line parser (V.250 §5.2): splits the text after "AT" into basic
 * commands (E0, V1, &W, I9, S3=13, D*99#) and extended commands (+CGMI, #SSLEN, +QSSLCFG)
 * with their form. Parameters stay raw text here; params.ts validates them per command.
 */
export type CommandForm = 'action' | 'set' | 'read' | 'test';

export type ParsedCommand =
  | { kind: 'extended'; name: string; form: CommandForm; args: string }
  | { kind: 'basic'; name: string; value?: number; valueText?: string }
  | { kind: 'sreg'; index: number; form: 'set' | 'read'; value?: number }
  | { kind: 'dial'; dialString: string };

export type CommandLineParse = { ok: true; commands: ParsedCommand[] } | { ok: false; reason: string };

const EXTENDED_PREFIXES = '+#$%^*';

/** Removes blanks outside double quotes: V.250 ignores them in command lines. */
function stripBlanks(text: string): string {
  let out = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && (ch === ' ' || ch === '\t')) continue;
    out += ch;
  }
  return out;
}

/** Finds the end of an extended command's argument text: the next ';' outside quotes. */
function argumentEnd(text: string, from: number): number {
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === ';' && !quoted) return i;
  }
  return quoted ? -1 : text.length;
}

/**
 * Parses a complete command line. `line` must start with "AT" (any case); the terminal has
 * already removed the S3 terminator and applied S5 editing.
 */
export function parseCommandLine(line: string): CommandLineParse {
  if (!/^at/i.test(line)) return { ok: false, reason: 'missing AT prefix' };
  const body = stripBlanks(line.slice(2));
  const commands: ParsedCommand[] = [];
  let i = 0;
  while (i < body.length) {
    const ch = body[i]!;
    if (ch === ';') {
      i++;
      continue;
    }
    if (EXTENDED_PREFIXES.includes(ch)) {
      const nameMatch = /^[A-Za-z0-9_.!%\-]+/.exec(body.slice(i + 1));
      if (!nameMatch) return { ok: false, reason: `bad command name at ${i}` };
      const name = ch + nameMatch[0].toUpperCase();
      i += 1 + nameMatch[0].length;
      if (body.startsWith('=?', i)) {
        commands.push({ kind: 'extended', name, form: 'test', args: '' });
        i += 2;
      } else if (body[i] === '?') {
        commands.push({ kind: 'extended', name, form: 'read', args: '' });
        i += 1;
      } else if (body[i] === '=') {
        const end = argumentEnd(body, i + 1);
        if (end < 0) return { ok: false, reason: 'unterminated string' };
        commands.push({ kind: 'extended', name, form: 'set', args: body.slice(i + 1, end) });
        i = end;
      } else {
        commands.push({ kind: 'extended', name, form: 'action', args: '' });
      }
      if (i < body.length && body[i] !== ';') return { ok: false, reason: `junk after ${name}` };
      continue;
    }
    const upper = ch.toUpperCase();
    if (upper === 'D') {
      commands.push({ kind: 'dial', dialString: body.slice(i + 1) });
      break;
    }
    if (upper === 'S') {
      const m = /^[Ss](\d+)(\?|=(\d*))?/.exec(body.slice(i));
      if (!m) return { ok: false, reason: 'bad S-register command' };
      const index = Number(m[1]);
      if (m[2] === '?') commands.push({ kind: 'sreg', index, form: 'read' });
      else if (m[2] !== undefined) commands.push({ kind: 'sreg', index, form: 'set', value: Number(m[3] || '0') });
      else return { ok: false, reason: 'bad S-register command' };
      i += m[0].length;
      continue;
    }
    const basic = /^(&?[A-Za-z])(\d*)/.exec(body.slice(i));
    if (!basic) return { ok: false, reason: `unexpected character ${JSON.stringify(ch)}` };
    const name = basic[1]!.toUpperCase();
    const digits = basic[2]!;
    commands.push(digits === '' ? { kind: 'basic', name } : { kind: 'basic', name, value: Number(digits), valueText: digits });
    i += basic[0].length;
  }
  return { ok: true, commands };
}
