/**
 * The pty transport must be usable by a plain C program with open()/termios: compile
 * test/fixtures/pty-client.c with `cc`, serve a real VirtualModule on a pty and run it,
 * twice in a row on the same pty (close and reopen).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { VirtualModule } from '../packages/module/src/module.js';
import { servePty } from '../packages/module/src/transports/pty.js';

const run = promisify(execFile);
const source = new URL('./fixtures/pty-client.c', import.meta.url).pathname;

const hasCc = spawnSync('cc', ['--version']).status === 0;
const hasSocat = spawnSync('socat', ['-V']).status === 0;
const skip = !hasCc
  ? 'no C compiler: `cc` not found (apt-get install gcc)'
  : !hasSocat
    ? 'socat not installed (apt-get install socat)'
    : false;

test('pty: a C program using open()/termios talks to the module, twice in a row', { skip, timeout: 10_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-cpty-'));
  const binary = path.join(dir, 'pty-client');
  const log: string[] = [];
  let mod: VirtualModule | undefined;
  let listener: Awaited<ReturnType<typeof servePty>> | undefined;
  try {
    await run('cc', ['-Wall', '-o', binary, source]);
    mod = await VirtualModule.create({
      model: 'sara-r5',
      stateDir: path.join(dir, 'state'),
      log: (m) => log.push(m),
    });
    listener = await servePty(mod, { path: path.join(dir, 'ttyV0') });

    for (let i = 1; i <= 2; i++) {
      // Async exec: the event loop keeps serving the module while the C program runs.
      const { stdout } = await run(binary, [listener.path], { timeout: 8000, encoding: 'latin1' }).catch(
        (err: { code?: unknown; stdout?: string; stderr?: string }) => {
          assert.fail(`run ${i}: exit ${String(err.code)}; stdout ${JSON.stringify(err.stdout)}; stderr ${JSON.stringify(err.stderr)}`);
        },
      );
      assert.match(stdout, /u-blox/, `run ${i} output: ${JSON.stringify(stdout)}`);
      assert.match(stdout, /OK\r\n$/, `run ${i} output: ${JSON.stringify(stdout)}`);
    }
    assert.deepEqual(log, [], 'no internal faults');
  } finally {
    await listener?.close();
    await mod?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
