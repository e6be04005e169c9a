import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { saraR5FileSystem, type FileSystemTable } from '../../models/file-system-table.js';
import { BlockOrderError, BlockUploads } from './block-uploads.js';
import { FileSystem, FileSystemError } from './file-system.js';

const small: FileSystemTable = { ...saraR5FileSystem, quotaBytes: 1000, maxFiles: 3 };
const kind = (k: FileSystemError['kind']) => (e: unknown) => e instanceof FileSystemError && e.kind === k;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'modemlab-fs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('FileSystem', () => {
  it('writes, lists by name, reads ranges, sizes and deletes; names may hold any character', () => {
    const fs = new FileSystem(dir, small);
    const odd = 'a/b\\c:"d",é\u0001 ..';
    fs.write('b.txt', Buffer.from('hello'));
    fs.write(odd, Buffer.from([0, 1, 2, 255]));
    assert.deepEqual(fs.list(), [
      { name: odd, size: 4 },
      { name: 'b.txt', size: 5 },
    ]);
    assert.equal(fs.exists('b.txt'), true);
    assert.equal(fs.exists('B.TXT'), false, 'names are case sensitive');
    assert.deepEqual(fs.read(odd), Buffer.from([0, 1, 2, 255]));
    assert.equal(fs.read('b.txt', 1, 3).toString(), 'ell');
    assert.equal(fs.read('b.txt', 3).toString(), 'lo');
    assert.equal(fs.read('b.txt', 4, 100).toString(), 'o');
    assert.equal(fs.read('b.txt', 9, 2).length, 0, 'past the end: nothing');
    assert.equal(fs.size('b.txt'), 5);
    assert.equal(fs.freeBytes(), 1000 - 9);
    fs.delete(odd);
    assert.throws(() => fs.read(odd), kind('not-found'));
    assert.throws(() => fs.size(odd), kind('not-found'));
    assert.throws(() => fs.delete(odd), kind('not-found'));
    assert.deepEqual(fs.list(), [{ name: 'b.txt', size: 5 }]);
  });

  it('appends, replaces, and keeps files across instances on the same directory', () => {
    const fs = new FileSystem(dir, small);
    fs.write('f', Buffer.from('abc'));
    fs.write('f', Buffer.from('def'), { append: true });
    assert.equal(fs.read('f').toString(), 'abcdef');
    fs.write('g', Buffer.from('x'.repeat(248)));
    const again = new FileSystem(dir, small);
    assert.deepEqual(again.list(), [
      { name: 'f', size: 6 },
      { name: 'g', size: 248 },
    ]);
    again.write('f', Buffer.from('new'));
    assert.equal(again.read('f').toString(), 'new');
    assert.equal(new FileSystem(dir, small).read('f').toString(), 'new');
  });

  it('refuses empty and over-long names, and more files than the product holds', () => {
    const fs = new FileSystem(dir, small);
    assert.throws(() => fs.write('', Buffer.from('x')), kind('bad-name'));
    assert.throws(() => fs.createWriter('n'.repeat(249)), kind('bad-name'));
    fs.write('n'.repeat(248), Buffer.from('x'));
    fs.write('2', Buffer.from('x'));
    fs.write('3', Buffer.from('x'));
    assert.throws(() => fs.write('4', Buffer.from('x')), kind('quota'));
    fs.write('3', Buffer.from('y'), { append: true });
    assert.equal(fs.list().length, 3, 'an existing file still changes');
    assert.deepEqual(readdirSync(join(dir, 'files')).filter((f) => f.endsWith('.tmp')), []);
  });

  it('enforces the quota: a refused write changes nothing; a replace counts the old size back', () => {
    const fs = new FileSystem(dir, small);
    fs.write('a', Buffer.alloc(600, 1));
    assert.throws(() => fs.write('b', Buffer.alloc(401)), kind('no-space'));
    assert.equal(fs.exists('b'), false);
    assert.throws(() => fs.write('a', Buffer.alloc(401), { append: true }), kind('no-space'));
    assert.equal(fs.size('a'), 600);
    fs.write('a', Buffer.alloc(1000, 2));
    assert.equal(fs.freeBytes(), 0);
    assert.deepEqual(fs.read('a', 999), Buffer.from([2]));
    assert.deepEqual(readdirSync(join(dir, 'files')).filter((f) => f.endsWith('.tmp')), []);
  });

  it('streams a writer: nothing visible until commit, abort keeps the old file, open writers reserve space', () => {
    const fs = new FileSystem(dir, small);
    fs.write('f', Buffer.from('old'));
    const w = fs.createWriter('f');
    w.write(Buffer.from('new '));
    w.write(Buffer.from('content'));
    assert.equal(w.bytesWritten, 11);
    assert.equal(fs.read('f').toString(), 'old', 'not yet');
    w.abort();
    assert.equal(fs.read('f').toString(), 'old');

    const big = fs.createWriter('big');
    big.write(Buffer.alloc(900));
    assert.equal(fs.freeBytes(), 1000 - 3 - 900);
    const other = fs.createWriter('other');
    assert.throws(() => other.write(Buffer.alloc(98)), kind('no-space'));
    other.write(Buffer.alloc(97));
    assert.throws(() => big.write(Buffer.alloc(1)), kind('no-space'));
    other.abort();
    big.write(Buffer.alloc(96));
    big.commit();
    assert.equal(fs.size('big'), 996);
    assert.throws(() => big.write(Buffer.alloc(1)), /closed/);

    const app = fs.createWriter('f', { append: true });
    app.write(Buffer.from('!'));
    assert.throws(() => app.write(Buffer.from('!')), kind('no-space'));
    app.commit();
    assert.equal(fs.read('f').toString(), 'old!');
    assert.deepEqual(readdirSync(join(dir, 'files')).filter((f) => f.endsWith('.tmp')), []);
  });

  it('erases every file; a fresh directory is empty; stray temporary files are cleaned at open', () => {
    const fs = new FileSystem(dir, small);
    fs.write('a', Buffer.from('1'));
    const w = fs.createWriter('b');
    w.write(Buffer.from('2'));
    fs.erase();
    assert.deepEqual(fs.list(), []);
    assert.throws(() => w.commit(), /closed/);
    writeFileSync(join(dir, 'files', 'abc.1.1.tmp'), 'torn');
    assert.deepEqual(new FileSystem(dir, small).list(), []);
    assert.deepEqual(readdirSync(join(dir, 'files')), []);
  });

  it('survives kill -9 at any moment: each file is whole, old or new, never torn', async () => {
    const child = join(import.meta.dirname, 'kill-writer.testutil.ts');
    for (let round = 0; round < 3; round++) {
      const proc = spawn(process.execPath, ['--import', 'tsx', child, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      try {
        await new Promise<void>((resolve, reject) => {
          proc.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
          proc.on('exit', (code) => reject(new Error(`writer exited with ${code}`)));
        });
        // Let it rewrite the files for a while; where the kill lands does not matter.
        await new Promise((r) => setTimeout(r, 50 + round * 70));
      } finally {
        if (proc.exitCode === null && proc.signalCode === null) {
          const exited = new Promise((r) => proc.once('exit', r));
          proc.kill('SIGKILL');
          await exited;
        }
      }
      const fs = new FileSystem(dir, saraR5FileSystem);
      const replaced = fs.read('replaced');
      assert.ok(
        (replaced.length === 300_000 && replaced.every((b) => b === 0x41)) || (replaced.length === 200_000 && replaced.every((b) => b === 0x42)),
        `round ${round}: replaced is ${replaced.length} bytes`,
      );
      const appended = fs.read('appended');
      assert.equal(appended.length % 1000, 0, `round ${round}: appended is ${appended.length} bytes`);
      assert.ok(appended.every((b) => b === 0x43));
      assert.deepEqual(readdirSync(fs.dir).filter((f) => f.endsWith('.tmp')), [], 'leftovers are removed at open');
    }
  });
});

describe('BlockUploads', () => {
  it('commits when the last block arrives, replacing the old file only then', () => {
    const fs = new FileSystem(dir, small);
    const blocks = new BlockUploads(fs);
    fs.write('f', Buffer.from('old'));
    blocks.begin('f', 0, 3, 6).write(Buffer.from('abc'));
    assert.deepEqual(blocks.blockDone('f'), { complete: false });
    assert.equal(fs.read('f').toString(), 'old');
    blocks.begin('f', 3, 3, 6).write(Buffer.from('def'));
    assert.deepEqual(blocks.blockDone('f'), { complete: true });
    assert.equal(fs.read('f').toString(), 'abcdef');
    assert.throws(() => blocks.begin('f', 3, 3, 6), BlockOrderError, 'no transfer in progress');
    for (const [offset, size, total] of [[2, 3, 6], [3, 3, 7], [3, 4, 6]] as const) {
      blocks.begin('g', 0, 3, 6).write(Buffer.from('abc'));
      blocks.blockDone('g');
      assert.throws(() => blocks.begin('g', offset, size, total), BlockOrderError);
      assert.throws(() => blocks.begin('g', 3, 3, 6), BlockOrderError, 'a wrong block abandons the transfer');
    }
    assert.equal(fs.exists('g'), false);
  });

  it('checks the whole file size against the free space at the first block; abort leaves nothing', () => {
    const fs = new FileSystem(dir, small);
    const blocks = new BlockUploads(fs);
    fs.write('f', Buffer.alloc(500));
    assert.throws(() => blocks.begin('g', 0, 10, 501), kind('no-space'));
    blocks.begin('f', 0, 10, 1000).write(Buffer.alloc(10));
    blocks.abort('f');
    assert.equal(fs.size('f'), 500);
    blocks.begin('g', 0, 10, 20).write(Buffer.alloc(10));
    blocks.abortAll();
    assert.equal(fs.exists('g'), false);
    assert.deepEqual(readdirSync(fs.dir).filter((f) => f.endsWith('.tmp')), []);
  });
});
