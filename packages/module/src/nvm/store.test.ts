import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NvmStore } from './store.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'modemlab-nvm-'));

describe('NvmStore', () => {
  it('persists namespaces across instances', () => {
    const dir = tmp();
    try {
      const a = new NvmStore(dir);
      assert.deepEqual(a.read('settings', { x: 0 }), { x: 0 });
      a.write('settings', { x: 1 });
      a.update('settings', { x: 0 }, (v) => {
        v.x += 1;
      });
      assert.deepEqual(new NvmStore(dir).read('settings', { x: 0 }), { x: 2 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('returns copies, so callers cannot change state without a write', () => {
    const dir = tmp();
    try {
      const s = new NvmStore(dir);
      s.write('a', { list: [1] });
      s.read<{ list: number[] }>('a', { list: [] }).list.push(2);
      assert.deepEqual(s.read('a', {}), { list: [1] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ignores temporary files left by an interrupted write and erases on demand', () => {
    const dir = tmp();
    try {
      new NvmStore(dir).write('a', { v: 1 });
      writeFileSync(join(dir, 'a.json.999.tmp'), '{"v": 2, "torn');
      const s = new NvmStore(dir);
      assert.deepEqual(s.read('a', {}), { v: 1 });
      assert.deepEqual(readdirSync(dir), ['a.json']);
      s.erase();
      assert.deepEqual(s.read('a', { v: 0 }), { v: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves the old or the new document when the writer is killed with SIGKILL', async () => {
    const dir = tmp();
    try {
      const storeUrl = new URL('./store.ts', import.meta.url).href;
      // A writer that rewrites a large document as fast as it can; each version is self-consistent.
      const script = `
        import { NvmStore } from ${JSON.stringify(storeUrl)};
        const s = new NvmStore(${JSON.stringify(dir)});
        for (let n = 1; ; n++) s.write('state', { n, payload: 'x'.repeat(20000 + (n % 7) * 1000), check: n * 7 });
      `;
      let seen = 0;
      for (let round = 0; round < 5; round++) {
        const spawnedAt = Date.now();
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'ignore' });
        // Start-up time varies with load: kill only once this writer has written twice.
        const writing = (): boolean => {
          const file = join(dir, 'state.json');
          if (!existsSync(file) || statSync(file).mtimeMs < spawnedAt - 5) return false;
          return (JSON.parse(readFileSync(file, 'utf8')) as { n: number }).n >= 2;
        };
        const deadline = Date.now() + 30000;
        while (!writing() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        await new Promise((r) => setTimeout(r, 20 + round * 37));
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
        const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
        if (files.length === 0) continue; // killed before the first rename: no state yet is valid
        const doc = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { n: number; payload: string; check: number };
        assert.equal(doc.check, doc.n * 7);
        assert.equal(doc.payload.length, 20000 + (doc.n % 7) * 1000);
        assert.deepEqual(new NvmStore(dir).read('state', null), doc);
        seen = Math.max(seen, doc.n);
      }
      assert.ok(seen > 1, 'the writer got to write before it was killed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
