/**
 * Property tests of the AT language's two parsers (packages/at): the command-line parser
 * and the shared parameter parser/validator. Any text: a parse or a documented refusal,
 * never an exception; generated well-formed lines parse back to what generated them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseCommandLine, splitParams, validateParams, type ParamSpec, type ParsedCommand, type RawParam } from '@modemlab/at';
import { fuzz } from './fuzz.testutil.js';

/** Characters an AT line is made of, plus anything else now and then. */
const atChar = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...'AT+#$%^*=?,;"&SDEVQ0129 \tabz_.!-'.split('')) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)) },
);
const atText = fc.array(atChar, { maxLength: 80 }).map((cs) => cs.join(''));

const name = fc.stringMatching(/^[A-Z][A-Z0-9]{0,9}$/);
/** A quoted string: anything but the quote itself (V.250 has no escape for it). */
const quoted = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).filter((c) => c !== 0x22).map((c) => String.fromCharCode(c)), maxLength: 20 });
const rawParam: fc.Arbitrary<RawParam> = fc.oneof(
  fc.constant<RawParam>({ kind: 'omitted' }),
  quoted.map((value): RawParam => ({ kind: 'string', value })),
  fc.integer({ min: -100000, max: 100000 }).map((n): RawParam => ({ kind: 'bare', text: String(n) })),
);
const rawParams = fc.array(rawParam, { maxLength: 8 }).filter((ps) => !(ps.length === 1 && ps[0]!.kind === 'omitted'));
const joinParams = (ps: RawParam[]): string => ps.map((p) => (p.kind === 'omitted' ? '' : p.kind === 'string' ? `"${p.value}"` : p.text)).join(',');

type Extended = Extract<ParsedCommand, { kind: 'extended' }>;
const extended: fc.Arbitrary<Extended> = fc.record({
  prefix: fc.constantFrom('+', '#', '$', '%', '^', '*'),
  name,
  form: fc.constantFrom('action', 'set', 'read', 'test') as fc.Arbitrary<Extended['form']>,
  params: rawParams,
}).map(({ prefix, name, form, params }) => ({ kind: 'extended', name: prefix + name, form, args: form === 'set' ? joinParams(params) : '' }));

function lineOf(cmds: Extended[]): string {
  return 'AT' + cmds.map((c) => c.name + (c.form === 'set' ? `=${c.args}` : c.form === 'read' ? '?' : c.form === 'test' ? '=?' : '')).join(';');
}

/** Blanks V.250 ignores, inserted outside quoted strings. */
function withBlanks(line: string, at: number[]): string {
  let out = '';
  let quotedNow = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (!quotedNow && i >= 2 && at.includes(i)) out += i % 2 ? ' ' : '\t';
    out += ch;
    if (ch === '"') quotedNow = !quotedNow;
  }
  return out;
}

describe('fuzz: AT command-line parser', () => {
  it('answers any text with a parse or a reason, never an exception', () =>
    fuzz({
      target: 'command-line-any',
      encoding: 'the line as a JSON string',
      toJson: (s) => s,
      fromJson: (j) => String(j),
      arbitrary: fc.oneof(atText, atText.map((s) => `AT${s}`)),
      shortRuns: 3000,
      check: (line) => {
        const r = parseCommandLine(line);
        if (!r.ok) {
          assert.equal(typeof r.reason, 'string');
          return;
        }
        for (const c of r.commands) {
          if (c.kind === 'extended') assert.match(c.name, /^[+#$%^*][A-Z0-9_.!%-]+$/);
          if (c.kind === 'sreg') assert.ok(Number.isInteger(c.index) && c.index >= 0);
          if (c.kind === 'basic') assert.match(c.name, /^&?[A-Z]$/);
        }
      },
    }));

  it('parses generated lines back to their commands, blanks outside quotes ignored', () =>
    fuzz({
      target: 'command-line-roundtrip',
      encoding: '{ cmds: ParsedCommand[], blanks: positions }',
      toJson: (x) => x,
      fromJson: (j) => j as { cmds: Extended[]; blanks: number[] },
      arbitrary: fc.record({ cmds: fc.array(extended, { minLength: 1, maxLength: 5 }), blanks: fc.array(fc.nat({ max: 200 }), { maxLength: 6 }) }),
      shortRuns: 2000,
      check: ({ cmds, blanks }) => {
        const line = withBlanks(lineOf(cmds), blanks);
        const r = parseCommandLine(line);
        assert.ok(r.ok, `${JSON.stringify(line)}: ${r.ok ? '' : r.reason}`);
        assert.deepEqual(r.commands, cmds);
      },
    }));
});

const spec: fc.Arbitrary<ParamSpec> = fc.oneof(
  fc.record({
    name: fc.constantFrom('a', 'b', 'c'),
    type: fc.constant('int' as const),
    min: fc.option(fc.integer({ min: -10, max: 10 }), { nil: undefined }),
    max: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
    values: fc.option(fc.array(fc.integer({ min: -5, max: 20 }), { minLength: 1, maxLength: 4 }), { nil: undefined }),
    optional: fc.boolean(),
    default: fc.option(fc.integer(), { nil: undefined }),
  }, { requiredKeys: ['name', 'type'] }),
  fc.record({
    name: fc.constantFrom('s', 't'),
    type: fc.constant('string' as const),
    minLength: fc.option(fc.nat({ max: 3 }), { nil: undefined }),
    maxLength: fc.option(fc.nat({ max: 12 }), { nil: undefined }),
    pattern: fc.option(fc.constantFrom(/^[a-z]*$/, /^\d+$/), { nil: undefined }),
    allowBare: fc.boolean(),
    optional: fc.boolean(),
  }, { requiredKeys: ['name', 'type'] }),
  fc.record({ name: fc.constant('x'), type: fc.constant('any' as const), optional: fc.boolean() }),
);

describe('fuzz: AT parameter parser', () => {
  it('splits any argument text or refuses it, never throws; joined parameters split back', () =>
    fuzz({
      target: 'params-split',
      encoding: '{ text: argument text, params: RawParam[] }',
      toJson: (x) => x,
      fromJson: (j) => j as { text: string; params: RawParam[] },
      arbitrary: fc.record({ text: atText, params: rawParams }),
      shortRuns: 3000,
      check: ({ text, params }) => {
        const any = splitParams(text);
        assert.ok(any === null || Array.isArray(any));
        assert.deepEqual(splitParams(joinParams(params)), params);
      },
    }));

  it('validates any tokens against any declared parameters: values inside the declaration, or a documented reason', () =>
    fuzz({
      target: 'params-validate',
      encoding: '{ raw: RawParam[], specs: ParamSpec[] (patterns as source) }',
      toJson: ({ raw, specs }) => ({ raw, specs: specs.map((s) => ('pattern' in s && s.pattern ? { ...s, pattern: s.pattern.source } : s)) }),
      fromJson: (j) => {
        const x = j as { raw: RawParam[]; specs: Array<ParamSpec & { pattern?: string }> };
        return { raw: x.raw, specs: x.specs.map((s) => (typeof s.pattern === 'string' ? { ...s, pattern: new RegExp(s.pattern) } : s)) as ParamSpec[] };
      },
      arbitrary: fc.record({ raw: fc.array(rawParam, { maxLength: 5 }), specs: fc.array(spec, { maxLength: 4 }) }),
      shortRuns: 3000,
      check: ({ raw, specs }) => {
        const v = validateParams(raw, specs);
        if (!v.ok) {
          assert.ok(['syntax', 'range', 'missing', 'too-many', 'too-long'].includes(v.reason));
          return;
        }
        specs.forEach((s, i) => {
          const value = v.values[s.name];
          const token = raw[i] ?? { kind: 'omitted' };
          // Later specs of the same name overwrite earlier ones: check only the last.
          if (specs.slice(i + 1).some((o) => o.name === s.name)) return;
          if (token.kind === 'omitted') {
            assert.ok(s.optional);
            assert.equal(value, s.default);
            return;
          }
          if (s.type === 'int') {
            assert.ok(typeof value === 'number' && Number.isInteger(value));
            if (s.values) assert.ok(s.values.includes(value));
            if (s.min !== undefined) assert.ok(value >= s.min);
            if (s.max !== undefined) assert.ok(value <= s.max);
          } else if (s.type === 'string') {
            assert.equal(typeof value, 'string');
            const str = value as string;
            if (s.maxLength !== undefined) assert.ok(str.length <= s.maxLength);
            if (s.minLength !== undefined) assert.ok(str.length >= s.minLength);
            if (s.pattern) assert.ok(s.pattern.test(str));
            if (token.kind === 'bare') assert.ok(s.allowBare);
          }
        });
      },
    }));
});
