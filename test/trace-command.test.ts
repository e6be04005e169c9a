import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeTraceLine } from '@modemlab/at';
import { main } from '../packages/cli/src/program.js';

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'modemlab', ...args], { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('modemlab trace FILE / serve --trace FILE: errors and options', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'modemlab-trace-cmd-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the conversation, and only one level with --layer', async () => {
    const file = join(dir, 'two-levels.trace');
    const chunk = (layer: string, dir: 'to-module' | 'from-module', text: string) =>
      encodeTraceLine({ kind: 'chunk', time: 1.5, dir, port: 'uart#1', layer, bytes: Buffer.from(text, 'latin1') });
    writeFileSync(
      file,
      [chunk('uart', 'to-module', 'AT\r'), chunk('upper', 'to-module', 'ATI\r'), chunk('uart', 'from-module', '\r\nOK\r\n')].join('\n') + '\n',
    );
    const all = await run('trace', file);
    assert.equal(all.code, 0, all.err);
    assert.equal(all.out, '    0.002  uart#1  > AT\n    0.002  uart#1  < OK\n');
    const upper = await run('trace', file, '--layer', 'upper');
    assert.equal(upper.out, '    0.002  uart#1  > ATI\n');
  });

  it('a missing file exits 1 naming it', async () => {
    const r = await run('trace', join(dir, 'missing.trace'));
    assert.equal(r.code, 1);
    assert.match(r.err, /^modemlab: cannot read trace file .*missing\.trace: ENOENT/);
    assert.equal(r.out, '');
  });

  it('a bad line exits 1 naming the file and the line, and prints nothing', async () => {
    const file = join(dir, 'bad.trace');
    writeFileSync(file, encodeTraceLine({ kind: 'start', start: '2026-12-05T07:00:00.000Z' }) + '\n{"time":1,\n');
    const r = await run('trace', file);
    assert.equal(r.code, 1);
    assert.equal(r.err, `modemlab: ${file}: line 2: not JSON\n`);
    assert.equal(r.out, '');
  });

  it('a last line cut short (a killed writer) is left out with a warning; the rest prints', async () => {
    const file = join(dir, 'cut.trace');
    const good = encodeTraceLine({ kind: 'chunk', time: 2, dir: 'to-module', port: 'uart#1', layer: 'uart', bytes: Buffer.from('AT\r') });
    writeFileSync(file, good + '\n' + good.slice(0, 20));
    const r = await run('trace', file);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, `modemlab: ${file}: line 2 is cut short; left out\n`);
    assert.equal(r.out, '    0.002  uart#1  > AT\n');
  });

  it('a bad line with more after it is an error even when the file ends mid-line', async () => {
    const file = join(dir, 'bad-middle.trace');
    const good = encodeTraceLine({ kind: 'chunk', time: 2, dir: 'to-module', port: 'uart#1', layer: 'uart', bytes: Buffer.from('AT\r') });
    writeFileSync(file, `${good}\n{"dir":"up"}\n${good}\n${good.slice(0, 9)}`);
    const r = await run('trace', file);
    assert.equal(r.code, 1);
    assert.match(r.err, /: line 2: time is not a number/);
  });

  it('serve --trace to a file that cannot be opened exits 2 before any module starts', async () => {
    const state = join(dir, 'state');
    const r = await run('serve', '--tcp', '127.0.0.1:0', '--state', state, '--trace', join(dir, 'no-such-dir', 'x.trace'));
    assert.equal(r.code, 2);
    assert.match(r.err, /^modemlab: cannot open trace file .*x\.trace: ENOENT/);
    assert.ok(!existsSync(state), 'no module state was made');
  });
});
