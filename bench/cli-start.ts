/**
 * `npm run bench:cli [-- --runs N]`: how long `modemlab serve` takes from spawn to its ready
 * line, for the CLI as users install it (packed tarballs of the built packages installed into
 * an empty folder: the bin is one bundle, scripts/bundle-cli.ts), for the same build not
 * bundled (dist/main.js and its ~300 modules) and from the sources through tsx (`npm start`), each beside the baseline
 * of a bare `node` printing one line, measured in the same run (the machine's own spawn cost).
 * Prints min/median/max in ms and the built CLI's overhead over the baseline.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pack, ROOT } from '../scripts/pack.js';

const runsAt = process.argv.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(process.argv[runsAt + 1]) : 15;
if (!Number.isInteger(RUNS) || RUNS < 3) throw new Error('--runs wants an integer >= 3');

/** ms from spawn until stdout matches `ready`; the process is then stopped with SIGTERM. */
function timeToReady(cmd: string, args: string[], ready: RegExp, cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    let ms: number | undefined;
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (ms === undefined && ready.test(out)) {
        ms = Number(process.hrtime.bigint() - t0) / 1e6;
        child.kill('SIGTERM');
      }
    });
    child.once('exit', () => (ms === undefined ? reject(new Error(`${cmd} ${args.join(' ')} exited before ready: ${out}`)) : resolve(ms)));
  });
}

interface Row { name: string; min: number; median: number; max: number }

/** Runs every variant once per round (interleaved: a load spike hits all alike), after one warm-up each. */
async function sampleAll(variants: Array<[string, () => Promise<number>]>): Promise<Row[]> {
  for (const [, run] of variants) await run(); // warm the file cache
  const times = variants.map((): number[] => []);
  for (let i = 0; i < RUNS; i++) for (const [k, [, run]] of variants.entries()) times[k]!.push(await run());
  return variants.map(([name], k) => {
    const t = times[k]!.sort((a, b) => a - b);
    return { name, min: t[0]!, median: t[Math.floor(t.length / 2)]!, max: t[t.length - 1]! };
  });
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-bench-cli-'));
try {
  const tarballs = pack(path.join(work, 'tarballs'), ['at', 'module', 'sdk', 'cli']);
  const app = path.join(work, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'bench', private: true, type: 'module' }));
  execFileSync('npm', ['install', ...tarballs, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app, stdio: 'inherit' });
  const state = path.join(work, 'state');
  const serveArgs = ['serve', '--tcp', '127.0.0.1:0', '--state', state, '--log-level', 'warn'];
  const ready = /listening on tcp:\/\//;
  const rows = await sampleAll([
    ['node baseline (print one line)', () => timeToReady(process.execPath, ['-e', "console.log('listening on tcp://x')"], ready, app)],
    ['built CLI (installed bin, bundled)', () => timeToReady(process.execPath, [path.join(app, 'node_modules/@modemlab/cli/dist/bin/main.js'), ...serveArgs], ready, app)],
    ['built dist/main.js, not bundled', () => timeToReady(process.execPath, [path.join(app, 'node_modules/@modemlab/cli/dist/main.js'), ...serveArgs], ready, app)],
    ['sources through tsx (bin/modemlab.js)', () => timeToReady(process.execPath, [path.join(ROOT, 'packages/cli/bin/modemlab.js'), ...serveArgs], ready, ROOT)],
  ]);
  console.log(`modemlab serve: spawn to ready line, ${RUNS} runs each (ms)`);
  console.log('what'.padEnd(40) + 'min'.padStart(8) + 'median'.padStart(8) + 'max'.padStart(8));
  for (const r of rows) console.log(r.name.padEnd(40) + [r.min, r.median, r.max].map((v) => v.toFixed(0).padStart(8)).join(''));
  const [base, built] = rows;
  console.log(`built CLI over the baseline: median +${(built!.median - base!.median).toFixed(0)} ms, min +${(built!.min - base!.min).toFixed(0)} ms (target: ready in < 200 ms)`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
