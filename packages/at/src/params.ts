/**
 * The one parameter parser every command shares. `splitParams` turns the raw argument text
 * into tokens (quoted strings may hold commas, omitted parameters stay visible);
 * `validateParams` checks them against a command's declared parameters and yields typed
 * values, or the reason they are wrong so the dialect can answer with its own error.
 */
export type RawParam =
  | { kind: 'omitted' }
  | { kind: 'string'; value: string }
  | { kind: 'bare'; text: string };

export function splitParams(text: string): RawParam[] | null {
  if (text === '') return [];
  const out: RawParam[] = [];
  let i = 0;
  for (;;) {
    while (text[i] === ' ') i++;
    if (text[i] === '"') {
      const close = text.indexOf('"', i + 1);
      if (close < 0) return null;
      out.push({ kind: 'string', value: text.slice(i + 1, close) });
      i = close + 1;
      while (text[i] === ' ') i++;
      if (i < text.length && text[i] !== ',') return null;
    } else {
      const comma = text.indexOf(',', i);
      const end = comma < 0 ? text.length : comma;
      const token = text.slice(i, end).trim();
      out.push(token === '' ? { kind: 'omitted' } : { kind: 'bare', text: token });
      i = end;
    }
    if (i >= text.length) return out;
    i++; // the comma
    if (i >= text.length) {
      out.push({ kind: 'omitted' });
      return out;
    }
  }
}

interface BaseSpec {
  name: string;
  optional?: boolean;
}

export interface IntSpec extends BaseSpec {
  type: 'int';
  min?: number;
  max?: number;
  /** Allowed values when they are not a plain range. */
  values?: readonly number[];
  default?: number;
}

export interface StringSpec extends BaseSpec {
  type: 'string';
  minLength?: number;
  maxLength?: number;
  pattern?: RegExp;
  /** Some commands accept an unquoted token where a string is documented. */
  allowBare?: boolean;
  default?: string;
}

/** A parameter that is a number on some lines and a string on others (e.g. +UPSD values). */
export interface AnySpec extends BaseSpec {
  type: 'any';
  default?: string | number;
}

export type ParamSpec = IntSpec | StringSpec | AnySpec;

export type ParamValue = number | string | undefined;
export type ParamValues = Record<string, ParamValue>;

export type Validation =
  | { ok: true; values: ParamValues }
  | { ok: false; reason: 'syntax' | 'range' | 'missing' | 'too-many' | 'too-long'; param?: string };

const INTEGER = /^[+-]?\d+$/;

export function validateParams(raw: RawParam[], specs: readonly ParamSpec[]): Validation {
  if (raw.length > specs.length) return { ok: false, reason: 'too-many' };
  const values: ParamValues = {};
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    const token = raw[i] ?? { kind: 'omitted' as const };
    if (token.kind === 'omitted') {
      if (!spec.optional) return { ok: false, reason: 'missing', param: spec.name };
      values[spec.name] = spec.default;
      continue;
    }
    if (spec.type === 'int') {
      if (token.kind !== 'bare' || !INTEGER.test(token.text)) return { ok: false, reason: 'syntax', param: spec.name };
      const n = Number(token.text);
      if (spec.values && !spec.values.includes(n)) return { ok: false, reason: 'range', param: spec.name };
      if (spec.min !== undefined && n < spec.min) return { ok: false, reason: 'range', param: spec.name };
      if (spec.max !== undefined && n > spec.max) return { ok: false, reason: 'range', param: spec.name };
      values[spec.name] = n;
    } else if (spec.type === 'string') {
      if (token.kind === 'bare' && !spec.allowBare) return { ok: false, reason: 'syntax', param: spec.name };
      const s = token.kind === 'string' ? token.value : token.text;
      if (spec.maxLength !== undefined && s.length > spec.maxLength) return { ok: false, reason: 'too-long', param: spec.name };
      if (spec.minLength !== undefined && s.length < spec.minLength) return { ok: false, reason: 'range', param: spec.name };
      if (spec.pattern && !spec.pattern.test(s)) return { ok: false, reason: 'range', param: spec.name };
      values[spec.name] = s;
    } else {
      values[spec.name] = token.kind === 'string' ? token.value : INTEGER.test(token.text) ? Number(token.text) : token.text;
    }
  }
  return { ok: true, values };
}

/** Formats a test-command range the way V.250 modules print them: (0-2), (1,4,16), ("IP","IPV6"). */
export function formatRange(spec: ParamSpec): string {
  if (spec.type === 'int') {
    if (spec.values) return `(${spec.values.join(',')})`;
    return `(${spec.min ?? 0}-${spec.max ?? 65535})`;
  }
  return '';
}

/** Quotes a string for an information response. */
export function q(value: string): string {
  return `"${value}"`;
}
