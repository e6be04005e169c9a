/**
 * Crash safety of the security cloud's SQLite state: a writer creating accounts (with their
 * API key, one transaction) and registering roots of trust (secrets encrypted at rest) is
 * killed with SIGKILL at seeded random points, the first time while it migrates a fresh
 * store. Reopened, the store passes SQLite's integrity check, holds every acknowledged
 * change, the change in flight whole or absent (never an account without its key), and
 * every stored secret still decrypts to what was registered.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { AtRest, loadOrCreateKeyFile, openStore } from '../../packages/cloud/src/index.js';

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? (process.env.FUZZ_RUNS ? 40 : 3));

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function killWriter(dir: string, start: number, killAt: { line: 'opening' | 'send' | 'ack'; nth: number }) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'cloud-writer.testutil.ts'), dir, String(start)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const acked: number[] = [];
  let inFlight: number | undefined;
  let seen = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    const [word, n] = line.split(' ') as ['opening' | 'send' | 'ack', string];
    if (word === 'send') inFlight = Number(n);
    if (word === 'ack') {
      acked.push(Number(n));
      inFlight = undefined;
    }
    if (word === killAt.line && ++seen === killAt.nth && child.exitCode === null) child.kill('SIGKILL');
  }
  await exited;
  assert.equal(child.signalCode, 'SIGKILL', `the writer stopped by itself: ${stderr}`);
  return { acked, inFlight };
}

describe('crash safety: SIGKILL while the cloud writes its SQLite store', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'modemlab-cloud-crash-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(`every acknowledged account and root of trust survives ${ROUNDS} kills, whole; the one in flight is whole or absent`, { timeout: 600_000 }, async () => {
    const seed = Number(process.env.CRASH_SEED ?? 0xc10d);
    const next = rng(seed);
    const acked = new Set<number>();
    let start = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const killAt = round === 0 ? { line: 'opening' as const, nth: 1 } : { line: next() < 0.5 ? ('send' as const) : ('ack' as const), nth: 1 + Math.floor(next() * 15) };
      const run = await killWriter(dir, start, killAt);
      for (const i of run.acked) acked.add(i);
      const where = `seed ${seed}, round ${round}, killed at ${killAt.line} #${killAt.nth}`;
      const db = await openStore({ stateDir: dir });
      try {
        assert.deepEqual((await db.query<{ integrity_check: string }>('PRAGMA integrity_check')).rows, [{ integrity_check: 'ok' }], where);
        const accounts = (await db.query<{ name: string; keys: number }>(`SELECT a.name, (SELECT COUNT(*) FROM api_keys k WHERE k.account_id = a.id) AS keys FROM accounts a WHERE a.name LIKE 'crash-%'`)).rows;
        const names = new Set(accounts.map((a) => a.name));
        for (const a of accounts) assert.equal(a.keys, 1, `${where}: ${a.name} has ${a.keys} API keys`);
        for (const i of acked) assert.ok(names.has(`crash-${i}`), `${where}: acknowledged account crash-${i} is missing`);
        for (const name of names) {
          const i = Number(name.slice('crash-'.length));
          assert.ok(acked.has(i) || i === run.inFlight, `${where}: ${name} was never sent`);
        }
        // The key file exists once the writer got past it, and every secret decrypts.
        const rots = (await db.query<{ rot_uid: string; chip_id: string; secret_enc: string }>('SELECT rot_uid, chip_id, secret_enc FROM rots')).rows;
        const atRest = rots.length > 0 ? new AtRest(loadOrCreateKeyFile(join(dir, 'at-rest.key'))) : undefined;
        const stored = new Set<number>();
        for (const r of rots) {
          const i = Number(r.chip_id.slice('chip-'.length));
          stored.add(i);
          assert.equal(r.rot_uid, i.toString(16).toUpperCase().padStart(16, '0'));
          assert.deepEqual(atRest!.decrypt(r.secret_enc, `rot-secret:${r.rot_uid}`), createHash('sha256').update(`root ${i}`).digest(), `${where}: secret of ${r.rot_uid}`);
          assert.ok(acked.has(i) || i === run.inFlight, `${where}: root of trust ${i} was never sent`);
        }
        for (const i of acked) assert.ok(stored.has(i), `${where}: acknowledged root of trust ${i} is missing`);
      } finally {
        await db.close();
      }
      // The change in flight may be in (whole) or not: the next writer starts after it.
      start = (run.inFlight ?? run.acked.at(-1) ?? start - 1) + 1;
    }
    assert.ok(acked.size >= ROUNDS - 1, `the writer got to write (${acked.size} acknowledged changes)`);
  });
});
