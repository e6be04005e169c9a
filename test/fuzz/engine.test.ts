/**
 * Property tests of the engine over all five products: any byte sequence, in any chunking,
 * at any timing on the manual clock. The module never logs an internal fault, never leaves
 * a command without a final result, always comes back from its documented modes (prompt,
 * online, reboot) and answers AT; a command it rejects changes neither NVM nor the
 * terminal's settings nor what its read form reports.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { listModels } from '../../packages/module/src/models/index.js';
import type { CommandDef } from '../../packages/module/src/engine/registry.js';
import type { TerminalSession } from '../../packages/module/src/engine/session.js';
import { fuzz, hex } from './fuzz.testutil.js';
import { commandsOf, fuzzModule, LEAVES_AT, nvmSnapshot, recoverAndProbe, step } from './module.testutil.js';

const PRODUCTS = listModels();

interface Step {
  bytes: Buffer;
  advanceMs: number;
}

/** Parameters near and beyond what commands declare: ranges' edges, long and empty strings. */
const param = fc.oneof(
  fc.constantFrom('', '0', '1', '2', '-1', '255', '256', '65535', '65536', '99999999999', '1.5', 'x', '""', '"\x01"', '"a,b"'),
  fc.integer({ min: -5, max: 70000 }).map(String),
  fc.string({ maxLength: 300 }).map((s) => `"${s.replace(/"/g, '')}"`),
);

/** Tokens a hostile or confused host sends, weighted towards what reaches handlers. */
function vocabulary(commands: CommandDef[]): fc.Arbitrary<string> {
  const names = commands.map((c) => c.name).filter((n) => !LEAVES_AT.has(n));
  // Whole command lines, so handlers (not only the parser) see most of the input.
  const line = fc
    .tuple(fc.constantFrom(...names), fc.constantFrom('', '?', '=?', '='), fc.array(param, { maxLength: 6 }))
    .map(([name, form, params]) => `AT${name}${form}${form === '=' ? params.join(',') : ''}\r`);
  return fc.oneof(
    { weight: 8, arbitrary: line },
    { weight: 4, arbitrary: fc.constantFrom('AT', 'at', 'AT', 'AT') },
    { weight: 6, arbitrary: fc.constantFrom(...names) },
    { weight: 6, arbitrary: fc.constantFrom('=', '?', '=?', ',', ',', ';', '"', '\r', '\r', '\n', '\x1a', '\x1b', '+++', '\b', ' ', 'A/') },
    { weight: 4, arbitrary: fc.oneof(fc.integer({ min: -2, max: 300 }), fc.constantFrom(65535, 65536, 2147483648, -1)).map(String) },
    { weight: 2, arbitrary: fc.string({ maxLength: 12 }).map((s) => `"${s}"`) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => Buffer.from(b).toString('latin1')) },
  );
}

const advance = fc.oneof(
  { weight: 6, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 1500 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1500, max: 120_000 }) },
);

function steps(commands: CommandDef[]): fc.Arbitrary<Step[]> {
  return fc.array(
    fc.record({ tokens: fc.array(vocabulary(commands), { minLength: 1, maxLength: 12 }), advanceMs: advance }).map(({ tokens, advanceMs }) => ({
      bytes: Buffer.from(tokens.join(''), 'latin1'),
      advanceMs,
    })),
    { minLength: 1, maxLength: 10 },
  );
}

const stepsJson = {
  encoding: '{ model, registered, steps: [{ bytes (hex), advanceMs }] }',
  toJson: (x: { model: string; registered: boolean; steps: Step[] }) => ({
    model: x.model,
    registered: x.registered,
    steps: x.steps.map((s) => ({ bytes: hex.to(s.bytes), advanceMs: s.advanceMs })),
  }),
  fromJson: (j: unknown) => {
    const x = j as { model: string; registered?: boolean; steps: Array<{ bytes: string; advanceMs: number }> };
    return { model: x.model, registered: x.registered ?? false, steps: x.steps.map((s) => ({ bytes: hex.from(s.bytes), advanceMs: s.advanceMs })) };
  },
};

/** Does the module's last answer end in a rejection (ERROR, +CME ERROR)? */
const rejected = (out: string): boolean => /(?:^|\r\n)(?:ERROR|\+CME ERROR: [^\r\n]*)\r\n$/.test(out);
const finished = (out: string): boolean => /\r\n(?:OK|ERROR|\+CME ERROR: [^\r\n]*|CONNECT[^\r\n]*|NO CARRIER)\r\n$|> ?$|@$/.test(out);

/** The terminal's settings; `lastLine` is left out: A/ repeats the last line, rejected or not (V.250 §6.2.11). */
const sessionSnapshot = (s: TerminalSession): string =>
  JSON.stringify({ echo: s.echo, verbose: s.verbose, quiet: s.quiet, cmee: s.cmee, sregs: [...s.sregs], urcModes: [...s.urcModes] });

const vocabularies = new Map<string, CommandDef[]>();
before(async () => {
  for (const model of PRODUCTS) vocabularies.set(model, await commandsOf(model));
});

describe('fuzz: engine over every product', () => {
  for (const model of PRODUCTS) {
    it(`${model}: any bytes, chunking and timing — no internal fault, always back to answering AT`, async () => {
      const commands = vocabularies.get(model)!;
      await fuzz({
        target: `engine-any-${model}`,
        ...stepsJson,
        // Registered modules reach the handlers that need the network (sockets, DNS, HTTP...).
        arbitrary: fc.record({ model: fc.constant(model), registered: fc.boolean(), steps: steps(commands) }),
        shortRuns: 25,
        check: async ({ model: m, registered, steps: input }) => {
          const fm = await fuzzModule(m, { registered });
          try {
            for (const s of input) await step(fm.h, s.bytes, s.advanceMs);
            const probe = await recoverAndProbe(fm.h);
            assert.deepEqual(fm.faults, []);
            assert.match(probe, /\r\nOK\r\n$/, `the module did not answer AT after the input; it said ${JSON.stringify(probe)}`);
          } finally {
            await fm.close();
          }
        },
      });
    });
  }
});

describe('fuzz: a rejected command changes no state', () => {
  for (const model of PRODUCTS) {
    it(`${model}: NVM, terminal settings and the command's read form are unchanged by any rejected set command`, async () => {
      const settable = vocabularies.get(model)!.filter((c) => c.set && !c.basic);
      await fuzz({
        target: `engine-rejected-${model}`,
        encoding: '{ model, line: the command line without its terminator }',
        toJson: (x) => x,
        fromJson: (j) => j as { model: string; line: string },
        arbitrary: fc
          .tuple(fc.constantFrom(...settable.map((c) => c.name)), fc.array(param, { minLength: 0, maxLength: 8 }))
          .map(([name, params]) => ({ model, line: `AT${name}=${params.join(',')}` })),
        shortRuns: 60,
        check: async ({ model: m, line }) => {
          const fm = await fuzzModule(m);
          const { h } = fm;
          try {
            const name = /^AT([^=]+)=/.exec(line)![1]!;
            const def = h.module.registry.get(name)!;
            const read = async (): Promise<string | undefined> => (def.read ? h.send(`AT${name}?\r`) : undefined);
            const before = { nvm: nvmSnapshot(h.module.nvm.dir), session: sessionSnapshot(h.terminal.session), read: await read() };
            // A read form that changes by itself (a clock, a counter) proves nothing.
            const stableRead = before.read === (await read());
            let out = await h.send(`${line}\r`);
            for (let i = 0; i < 5 && !finished(out); i++) out += await h.advance(1000);
            assert.deepEqual(fm.faults, []);
            if (!rejected(out)) return;
            assert.deepEqual(nvmSnapshot(h.module.nvm.dir), before.nvm, `${line} was rejected (${JSON.stringify(out)}) but changed NVM`);
            assert.equal(sessionSnapshot(h.terminal.session), before.session, `${line} was rejected but changed the terminal's settings`);
            if (stableRead) assert.equal(await read(), before.read, `${line} was rejected but changed what AT${name}? reports`);
          } finally {
            await fm.close();
          }
        },
      });
    });
  }
});
