/**
 * Recognition of final result codes (V.25ter verbose and numeric forms, `+CME ERROR`,
 * `+CMS ERROR`). Pure functions: no state, no I/O.
 */
import { cmeCodeOf, CME_TEXTS } from './cme-codes.js';

/** Final results a successful command resolves with. */
export type SuccessFinal = 'OK' | 'CONNECT';

export type FinalResult =
  | { kind: 'success'; final: SuccessFinal; line: string }
  | { kind: 'failure'; line: string }
  | { kind: 'cme'; errorKind: 'CME' | 'CMS'; code: number | undefined; text: string | undefined; line: string };

const VERBOSE_FAILURES = new Set([
  'ERROR',
  'NO CARRIER',
  'NO DIALTONE',
  'BUSY',
  'NO ANSWER',
  'NOT SUPPORT',
  'INVALID COMMAND LINE',
  'SIM DROP',
  'DISCONNECT',
  'ABORTED',
  'COMMAND ABORTED',
]);

/** V0 numeric codes (notes §E); 2 (RING) is unsolicited, not a final result. */
const NUMERIC: ReadonlyMap<string, string> = new Map([
  ['0', 'OK'],
  ['1', 'CONNECT'],
  ['3', 'NO CARRIER'],
  ['4', 'ERROR'],
  ['6', 'NO DIALTONE'],
  ['7', 'BUSY'],
  ['8', 'NO ANSWER'],
  ['9', 'CONNECT'],
  ['10', 'NOT SUPPORT'],
  ['11', 'INVALID COMMAND LINE'],
  ['13', 'SIM DROP'],
  ['14', 'DISCONNECT'],
  ['3000', 'COMMAND ABORTED'],
]);

const CME_RE = /^\+(CME|CMS) ERROR:\s*(.*)$/i;

/** Parses `+CME ERROR: 50`, `+CME ERROR: Incorrect parameters`, `+CMS ERROR: 500`. */
export function parseCmeError(line: string): { kind: 'CME' | 'CMS'; code: number | undefined; text: string | undefined } | undefined {
  const m = CME_RE.exec(line.trim());
  if (!m) return undefined;
  const kind = m[1]!.toUpperCase() as 'CME' | 'CMS';
  const arg = m[2]!.trim().replace(/^"(.*)"$/, '$1');
  if (/^\d+$/.test(arg)) {
    const code = Number(arg);
    return { kind, code, text: kind === 'CME' ? CME_TEXTS.get(code) : undefined };
  }
  return { kind, code: kind === 'CME' ? cmeCodeOf(arg) : undefined, text: arg === '' ? undefined : arg };
}

/**
 * Classifies a line as a final result code, or returns undefined for any other line.
 * `numeric` enables the V0 forms (`0`, `4`, ...).
 */
export function parseFinalResult(line: string, numeric: boolean): FinalResult | undefined {
  const s = line.trim();
  const cme = parseCmeError(s);
  if (cme) return { kind: 'cme', errorKind: cme.kind, code: cme.code, text: cme.text, line: s };
  const upper = s.toUpperCase();
  if (upper === 'OK') return { kind: 'success', final: 'OK', line: s };
  if (upper === 'CONNECT' || /^CONNECT \S+/.test(upper)) return { kind: 'success', final: 'CONNECT', line: s };
  if (VERBOSE_FAILURES.has(upper)) return { kind: 'failure', line: s };
  if (numeric) {
    const text = NUMERIC.get(s);
    if (text === 'OK' || text === 'CONNECT') return { kind: 'success', final: text, line: s };
    if (text) return { kind: 'failure', line: s };
  }
  return undefined;
}

/**
 * The verbosity a basic command line switches the module to (`ATV0` -> numeric,
 * `ATE0V1` -> verbose), or undefined if the line has no V command.
 */
export function verbosityAfter(command: string): 'numeric' | 'verbose' | undefined {
  const m = /^AT((?:[A-UW-Z]\d*)*)V(\d?)((?:[A-Z]\d*)*)$/i.exec(command.trim());
  if (!m) return undefined;
  return m[2] === '1' ? 'verbose' : 'numeric';
}
