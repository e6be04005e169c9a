/**
 * How every property test of test/fuzz runs, and its corpus.
 *
 * - `npm test` runs each property with a fixed seed and a small number of runs, so the suite
 *   is deterministic and short; `npm run fuzz` (FUZZ_RUNS=n, default 2000 per property)
 *   draws a fresh seed unless FUZZ_SEED is given, and prints the seed of any failure so
 *   `FUZZ_SEED=<seed> FUZZ_RUNS=<n> npm run fuzz` replays it.
 * - The corpus (test/fuzz/corpus/<target>.json) holds every input that ever found a bug.
 *   Each property replays its corpus before its random runs, in `npm test` too. A failure
 *   found by `npm run fuzz` is appended to the corpus automatically (FUZZ_SAVE=0 turns that
 *   off), shrunk, with the seed that found it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';

const CORPUS_DIR = join(import.meta.dirname, 'corpus');

/** `npm run fuzz` sets FUZZ_RUNS; without it, this is the short run of `npm test`. */
export const longRun = process.env.FUZZ_RUNS !== undefined;

export interface CorpusEntry<T> {
  input: T;
  /** What the input found, and when. */
  found: string;
}

export interface CorpusFile<T> {
  target: string;
  /** How `input` is written, for readers of the file. */
  encoding: string;
  entries: CorpusEntry<T>[];
}

export function readCorpus<T>(target: string): CorpusEntry<T>[] {
  const file = join(CORPUS_DIR, `${target}.json`);
  if (!existsSync(file)) return [];
  return (JSON.parse(readFileSync(file, 'utf8')) as CorpusFile<T>).entries;
}

function saveToCorpus<T>(target: string, encoding: string, entry: CorpusEntry<T>): void {
  mkdirSync(CORPUS_DIR, { recursive: true });
  const file = join(CORPUS_DIR, `${target}.json`);
  const doc: CorpusFile<T> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CorpusFile<T>) : { target, encoding, entries: [] };
  doc.entries.push(entry);
  writeFileSync(file, `${JSON.stringify(doc, null, 1)}\n`);
}

/** A stable default seed per property, so `npm test` runs the same inputs every time. */
function defaultSeed(target: string): number {
  let h = 0x5eed;
  for (const ch of target) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}

export interface FuzzTarget<T> {
  /** Names the corpus file and the seed. */
  target: string;
  /** How an input is written into the corpus (JSON), and read back. */
  encoding: string;
  toJson(input: T): unknown;
  fromJson(json: unknown): T;
  arbitrary: fc.Arbitrary<T>;
  /** Throws (an assertion) when the input shows a bug. */
  check(input: T): void | Promise<void>;
  /** Runs in `npm test`; `npm run fuzz` uses FUZZ_RUNS. */
  shortRuns: number;
}

/** Replays the corpus, then runs the property; on failure says how to replay and saves the input. */
export async function fuzz<T>(t: FuzzTarget<T>): Promise<void> {
  for (const entry of readCorpus<unknown>(t.target)) {
    try {
      await t.check(t.fromJson(entry.input));
    } catch (err) {
      throw new Error(`corpus entry of ${t.target} fails again (${entry.found}): ${(err as Error).message}`, { cause: err });
    }
  }
  const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : longRun ? Date.now() ^ defaultSeed(t.target) : defaultSeed(t.target);
  const numRuns = longRun ? Number(process.env.FUZZ_RUNS) || 2000 : t.shortRuns;
  const details = await fc.check(
    fc.asyncProperty(t.arbitrary, async (input) => {
      await t.check(input);
    }),
    { seed, numRuns },
  );
  if (!details.failed) return;
  const input = details.counterexample?.[0] as T;
  const why = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  const message = `${t.target}: failed with FUZZ_SEED=${seed} (FUZZ_RUNS=${numRuns}); input ${JSON.stringify(t.toJson(input))}\n${why}\n${fc.defaultReportMessage(details)}`;
  // eslint-disable-next-line no-console
  console.error(message);
  if (longRun && process.env.FUZZ_SAVE !== '0') {
    saveToCorpus(t.target, t.encoding, { input: t.toJson(input), found: `npm run fuzz, seed ${seed}, ${new Date().toISOString()}` });
  }
  throw new Error(message, { cause: details.errorInstance });
}

/** Bytes as hex in the corpus. */
export const hex = {
  to: (b: Uint8Array): string => Buffer.from(b).toString('hex'),
  from: (s: unknown) => Buffer.from(String(s), 'hex'),
};
