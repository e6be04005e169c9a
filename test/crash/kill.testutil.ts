/**
 * What the crash-safety tests share: seeded kill points, a writer process killed with
 * SIGKILL at a chosen `send`/`ack` line, NVM documents that must parse, and test roots.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const ROUNDS = Number(process.env.CRASH_ROUNDS ?? (process.env.FUZZ_RUNS ? 40 : 4));

/** mulberry32: the kill points are random but replayable (CRASH_SEED). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Run {
  acked: number[];
  inFlight?: number;
}

/** Starts the writer at change `start`, kills it at the chosen line, returns what it said. */
export async function killWriter(writer: string, dir: string, certsFile: string, start: number, killAt: { line: 'send' | 'ack'; nth: number }): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, writer), dir, certsFile, String(start)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const run: Run = { acked: [] };
  let seen = 0;
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const [word, n] = line.split(' ') as ['send' | 'ack', string];
    if (word === 'send') run.inFlight = Number(n);
    else {
      run.acked.push(Number(n));
      run.inFlight = undefined;
    }
    if (word === killAt.line && ++seen === killAt.nth && child.exitCode === null) child.kill('SIGKILL');
  }
  await exited;
  assert.equal(child.signalCode, 'SIGKILL', `the writer stopped by itself: ${stderr}`);
  return run;
}

/** Every NVM document parses: nothing is torn. */
export function assertNothingTorn(dir: string): void {
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.json')) assert.doesNotThrow(() => JSON.parse(readFileSync(p, 'utf8')), `${p} is torn`);
    }
  };
  walk(dir);
}

/** `n` small self-signed EC roots (PEM), made by the openssl CLI for this run. */
export function makeRoots(n: number): string[] {
  return [...Array(n).keys()].map((i) =>
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '/dev/null', '-subj', `/CN=crash root ${i}`, '-days', '30'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString(),
  );
}

/** A product's persistent settings as a crash test sees them: what change i writes, what a reopened module reports. */
export interface SettingsUnderTest<K extends string> {
  /** The writer script next to this file; it prints `send i`/`ack i` around change i. */
  writer: string;
  kinds: readonly K[];
  /** What a module that was never written reports. */
  factory: Record<K, string | null>;
  changeOf(i: number): { kind: K; value: string };
  /** What each setting holds in a module opened on `dir`. */
  observe(dir: string): Promise<Record<K, string | null>>;
}

/**
 * ROUNDS kills of `s.writer` at seeded lines; after each, every NVM document parses and each
 * setting holds its last acknowledged value or, for the setting in flight, the new one.
 */
export async function killRounds<K extends string>(s: SettingsUnderTest<K>, dir: string, argFile: string, seed: number): Promise<void> {
  const next = rng(seed);
  const expected: Record<K, string | null> = { ...s.factory };
  let start = 0;
  let acks = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const killAt = { line: next() < 0.5 ? ('send' as const) : ('ack' as const), nth: 1 + Math.floor(next() * 3 * s.kinds.length) };
    const run = await killWriter(s.writer, dir, argFile, start, killAt);
    acks += run.acked.length;
    for (const i of run.acked) {
      const c = s.changeOf(i);
      expected[c.kind] = c.value;
    }
    assertNothingTorn(dir);
    const seen = await s.observe(dir);
    const where = `seed ${seed}, round ${round}, killed at ${killAt.line} #${killAt.nth}`;
    const flight = run.inFlight === undefined ? undefined : s.changeOf(run.inFlight);
    for (const kind of s.kinds) {
      const allowed = [expected[kind], ...(flight?.kind === kind ? [flight.value] : [])];
      assert.ok(allowed.includes(seen[kind]), `${where}: ${kind} holds ${seen[kind]}, allowed ${JSON.stringify(allowed)}`);
      expected[kind] = seen[kind];
    }
    start = (run.inFlight ?? run.acked.at(-1) ?? start - 1) + 1;
  }
  assert.ok(acks >= ROUNDS, `the writer got to write (${acks} acknowledged changes)`);
}
