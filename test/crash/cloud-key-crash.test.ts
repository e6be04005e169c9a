/**
 * Crash safety of the cloud's at-rest key file (packages/cloud/src/at-rest.ts): a writer
 * creating key files one after another is killed with SIGKILL at seeded points. Every key it
 * acknowledged reads back unchanged; the creation in flight left either no key file or a
 * whole one (never an empty or partial file that would stop the next start), and the next
 * load succeeds everywhere. Two processes creating the same file at once agree on one key.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { loadOrCreateKeyFile } from '../../packages/cloud/src/index.js';

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? (process.env.FUZZ_RUNS ? 40 : 3));
const WRITER = join(import.meta.dirname, 'key-writer.testutil.ts');

async function runWriter(dir: string, start: string, killAtSend?: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, start], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const acked = new Map<string, string>();
  let inFlight: string | undefined;
  let sends = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    const [word, n, key] = line.split(' ') as [string, string, string | undefined];
    if (word === 'send') {
      inFlight = n;
      if (++sends === killAtSend && child.exitCode === null) child.kill('SIGKILL');
    }
    if (word === 'ack') {
      acked.set(n, key!);
      inFlight = undefined;
    }
  }
  await exited;
  return { acked, inFlight, signal: child.signalCode, stderr };
}

describe('crash safety: SIGKILL while the cloud creates its at-rest key file', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'modemlab-key-crash-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(`${ROUNDS} kills: acknowledged keys intact, the one in flight absent or whole, every next load works`, async () => {
    let start = 0;
    const all = new Map<string, string>();
    for (let round = 0; round < ROUNDS; round++) {
      const r = await runWriter(dir, String(start), 5 + ((round * 7919) % 37));
      assert.equal(r.signal, 'SIGKILL', `the writer stopped by itself: ${r.stderr}`);
      for (const [n, key] of r.acked) all.set(n, key);
      if (r.inFlight !== undefined) {
        const file = join(dir, `k${r.inFlight}`, 'cloud.key');
        if (existsSync(file)) assert.match(readFileSync(file, 'utf8'), /^[0-9a-f]{64}\n$/, 'a key file is whole or absent');
      }
      start += r.acked.size + 1;
    }
    assert.ok(all.size > 0);
    for (const [n, key] of all) assert.equal(loadOrCreateKeyFile(join(dir, `k${n}`, 'cloud.key')).toString('hex'), key);
    for (const sub of readdirSync(dir)) {
      assert.equal(loadOrCreateKeyFile(join(dir, sub, 'cloud.key')).length, 32, `${sub} loads after the crash`);
      const names = readdirSync(join(dir, sub)).filter((f) => !f.endsWith('.tmp'));
      assert.deepEqual(names, ['cloud.key']);
    }
  });

  it('two processes creating the same key file at once use one key', async () => {
    const race = mkdtempSync(join(dir, 'race-'));
    const [a, b] = await Promise.all([runWriter(race, 'race'), runWriter(race, 'race')]);
    assert.equal(a.acked.get('race'), b.acked.get('race'), `${a.stderr}${b.stderr}`);
    assert.equal(loadOrCreateKeyFile(join(race, 'cloud.key')).toString('hex'), a.acked.get('race'));
    assert.deepEqual(readdirSync(race), ['cloud.key'], 'no temporary file left behind');
  });
});
