import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ModuleHarness } from '../../testing/harness.js';
import { answer, at, cmeError, ERROR, OK, ublox } from './ublox.testutil.js';

const PROMPT = '\r\n>';
const data = (name: string, bytes: Buffer | string, prefix = '+URDFILE'): string => {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
  return `\r\n${prefix}: "${name}",${b.length},"${b.toString('latin1')}"\r\nOK\r\n`;
};

/** AT+UDWNFILE with its data; returns what follows the data. */
async function download(h: ModuleHarness, name: string, bytes: Buffer | string): Promise<string> {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
  assert.equal(await at(h, `AT+UDWNFILE="${name}",${b.length}`), PROMPT);
  return h.send(b);
}

const tmpFiles = (h: ModuleHarness): string[] => readdirSync(h.module.services.files.dir).filter((f) => f.endsWith('.tmp'));

describe('u-blox file system', () => {
  it('stores binary data of all 256 byte values and reads it back raw between quotes', async () => {
    const h = await ublox({ registered: false });
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    assert.equal(await download(h, 'bin', all), OK);
    const out = await at(h, 'AT+URDFILE="bin"');
    assert.equal(out, data('bin', all));
    assert.equal(await at(h, 'AT+URDBLOCK="bin",254,10'), data('bin', all.subarray(254), '+URDBLOCK'));
    assert.equal(await at(h, 'AT+URDBLOCK="bin",256,10'), data('bin', '', '+URDBLOCK'), 'past the end: 0 bytes');
    assert.equal(await at(h, 'AT+ULSTFILE=2,"bin"'), answer('+ULSTFILE: 256'));
    await h.close();
  });

  it('appends to an existing file; a +UDWNFILE of 1 MB streams through', async () => {
    const h = await ublox({ registered: false });
    assert.equal(await download(h, 'log', 'abc'), OK);
    assert.equal(await download(h, 'log', 'def'), OK);
    assert.equal(await at(h, 'AT+URDFILE="log"'), data('log', 'abcdef'));
    const big = randomBytes(1024 * 1024);
    assert.equal(await at(h, `AT+UDWNFILE="big",${big.length}`), PROMPT);
    for (let i = 0; i < big.length; i += 4096) h.terminal.input(big.subarray(i, i + 4096));
    assert.equal(await h.send(''), OK);
    assert.deepEqual(h.module.services.files.read('big'), big);
    assert.equal(await at(h, 'AT+ULSTFILE=1'), answer(`+ULSTFILE: ${8 * 1024 * 1024 - big.length - 6}`));
    await h.close();
  });

  it('writes by blocks: the file appears whole with the last block; a wrong block abandons the transfer', async () => {
    const h = await ublox({ registered: false });
    await at(h, 'AT+CMEE=1');
    assert.equal(await download(h, 'f', 'old'), OK);
    assert.equal(await at(h, 'AT+UDWNBLOCK="f",0,3,6'), PROMPT);
    assert.equal(await h.send('abc'), OK);
    assert.equal(await at(h, 'AT+URDFILE="f"'), data('f', 'old'), 'not before the last block');
    assert.equal(await at(h, 'AT+UDWNBLOCK="f",3,3,6'), PROMPT);
    assert.equal(await h.send('def'), OK);
    assert.equal(await at(h, 'AT+URDFILE="f"'), data('f', 'abcdef'));
    assert.equal(await at(h, 'AT+UDWNBLOCK="g",3,3,6'), cmeError(50), 'no transfer started');
    assert.equal(await at(h, 'AT+UDWNBLOCK="g",0,3,2'), cmeError(50), 'block beyond the file size');
    assert.equal(await at(h, 'AT+UDWNBLOCK="g",0,3,6'), PROMPT);
    assert.equal(await h.send('abc'), OK);
    assert.equal(await at(h, 'AT+UDWNBLOCK="g",4,2,6'), cmeError(50), 'a gap');
    assert.equal(await at(h, 'AT+UDWNBLOCK="g",3,3,6'), cmeError(50), 'the transfer was abandoned');
    assert.equal(await at(h, 'AT+ULSTFILE=0'), answer('+ULSTFILE: "f"'));
    assert.deepEqual(tmpFiles(h), []);
    await h.close();
  });

  it('answers the documented errors and changes nothing', async () => {
    const h = await ublox({ registered: false });
    await at(h, 'AT+CMEE=2');
    await download(h, 'keep', 'kept');
    const before = await at(h, 'AT+ULSTFILE=1');
    assert.equal(await at(h, 'AT+URDFILE="missing"'), cmeError('FILE NOT FOUND'));
    assert.equal(await at(h, 'AT+URDBLOCK="missing",0,1'), cmeError('FILE NOT FOUND'));
    assert.equal(await at(h, 'AT+ULSTFILE=2,"missing"'), cmeError('FILE NOT FOUND'));
    assert.equal(await at(h, 'AT+UDELFILE="missing"'), cmeError('FILE NOT FOUND'));
    assert.equal(await at(h, `AT+UDWNFILE="${'n'.repeat(249)}",4`), cmeError('FFS invalid filename'));
    assert.equal(await at(h, 'AT+UDWNFILE="",4'), cmeError('FFS invalid filename'));
    assert.equal(await at(h, 'AT+UDWNFILE="x",0'), cmeError('Incorrect parameters'));
    assert.equal(await at(h, 'AT+UDWNFILE="x"'), cmeError('Incorrect parameters'));
    assert.equal(await at(h, 'AT+UDWNFILE=x,4'), cmeError('Incorrect parameters'));
    assert.equal(await at(h, 'AT+UDWNFILE="x",4,"FOAT"'), cmeError('operation not supported'));
    assert.equal(await at(h, `AT+UDWNFILE="x",${8 * 1024 * 1024}`), cmeError('NOT ENOUGH FREE SPACE'));
    assert.equal(await at(h, 'AT+ULSTFILE=3'), cmeError('Incorrect parameters'));
    assert.equal(await at(h, 'AT+ULSTFILE=2'), cmeError('Incorrect parameters'));
    assert.equal(await at(h, 'AT+URDBLOCK="keep",-1,1'), cmeError('Incorrect parameters'));
    assert.equal(await at(h, 'AT+ULSTFILE='), answer('+ULSTFILE: "keep"'));
    assert.equal(await at(h, 'AT+ULSTFILE'), answer('+ULSTFILE: "keep"'));
    assert.equal(await at(h, 'AT+ULSTFILE=1'), before);
    assert.equal(await at(h, 'AT+URDFILE="keep"'), data('keep', 'kept'));
    assert.deepEqual(tmpFiles(h), []);
    await h.close();
  });

  it('aborts a download after 20 s of silence on the module clock, discarding everything', async () => {
    const h = await ublox({ registered: false });
    await at(h, 'AT+CMEE=1');
    await download(h, 'f', 'abc');
    assert.equal(await at(h, 'AT+UDWNFILE="f",10'), PROMPT);
    assert.equal(await h.send('12345'), '');
    assert.equal(await h.advance(19_999), '', 'the guard restarts with every byte');
    assert.equal(await h.send('6'), '');
    assert.equal(await h.advance(19_999), '');
    assert.equal(await h.advance(1), cmeError(1649));
    assert.equal(await at(h, 'AT+URDFILE="f"'), data('f', 'abc'));
    assert.equal(await at(h, 'AT+UDWNBLOCK="g",0,3,6'), PROMPT);
    assert.equal(await h.advance(20_000), cmeError(1649));
    assert.equal(await at(h, 'AT+ULSTFILE=0'), answer('+ULSTFILE: "f"'));
    assert.deepEqual(tmpFiles(h), []);
    await h.close();
  });

  it('refuses a file over the quota before the prompt, and one over the file count', async () => {
    const h = await ublox({ registered: false });
    await at(h, 'AT+CMEE=1');
    const files = h.module.services.files;
    files.write('filler', Buffer.alloc(files.table.quotaBytes - 10));
    assert.equal(await at(h, 'AT+ULSTFILE=1'), answer('+ULSTFILE: 10'));
    assert.equal(await at(h, 'AT+UDWNFILE="x",11'), cmeError(1637));
    assert.equal(await at(h, 'AT+UDWNBLOCK="x",0,5,11'), cmeError(1637));
    assert.equal(await download(h, 'x', '0123456789'), OK);
    assert.equal(await at(h, 'AT+ULSTFILE=1'), answer('+ULSTFILE: 0'));
    files.delete('filler');
    for (let i = files.list().length; i < files.table.maxFiles; i++) files.write(`f${i}`, Buffer.from('x'));
    assert.equal(await at(h, 'AT+UDWNFILE="one-more",1'), cmeError(1636));
    assert.equal(await download(h, 'x', '!'), OK, 'an existing file may grow');
    await h.close();
  });

  it('deletes files, persists them across a reboot and a new module; +UFACTORY=2,x erases them at the next boot', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'modemlab-files-'));
    try {
      const h = await ublox({ registered: false, stateDir });
      await download(h, 'a', '1');
      await download(h, 'b,c', '2');
      assert.equal(await at(h, 'AT+ULSTFILE=0,"USER"'), answer('+ULSTFILE: "a","b,c"'));
      assert.equal(await at(h, 'AT+UDELFILE="a","USER"'), OK);
      assert.equal(await at(h, 'AT+CFUN=16'), OK);
      await h.advance(h.module.model.timing.rebootMs);
      await at(h, 'ATE0');
      assert.equal(await at(h, 'AT+ULSTFILE=0'), answer('+ULSTFILE: "b,c"'));
      await h.close();
      const again = await ublox({ registered: false, stateDir });
      assert.equal(await at(again, 'AT+URDFILE="b,c"'), data('b,c', '2'));
      assert.equal(await at(again, 'AT+UFACTORY=0,2'), OK);
      assert.equal(await at(again, 'AT+CFUN=16'), OK);
      await again.advance(again.module.model.timing.rebootMs);
      await at(again, 'ATE0');
      assert.equal(await at(again, 'AT+ULSTFILE=0'), answer('+ULSTFILE: "b,c"'), 'an NVM restore keeps user files');
      assert.equal(await at(again, 'AT+UFACTORY=2,0'), OK);
      assert.equal(await at(again, 'AT+ULSTFILE=0'), answer('+ULSTFILE: "b,c"'), 'not before the reboot');
      assert.equal(await at(again, 'AT+CFUN=16'), OK);
      await again.advance(again.module.model.timing.rebootMs);
      await at(again, 'ATE0');
      assert.equal(await at(again, 'AT+ULSTFILE=0'), answer('+ULSTFILE: '));
      await again.close();
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('takes its quota and guard timer from the product table (SARA-R410M: 2 MiB, 30 s)', async () => {
    const h = await ublox({ registered: false, model: 'sara-r410m' });
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+ULSTFILE=1'), answer(`+ULSTFILE: ${2 * 1024 * 1024}`));
    assert.equal(await at(h, `AT+UDWNFILE="x",${2 * 1024 * 1024 + 1}`), cmeError(1637));
    assert.equal(await at(h, 'AT+UDWNFILE="x",2'), PROMPT);
    assert.equal(await h.advance(29_999), '');
    assert.equal(await h.advance(1), cmeError(1649));
    await h.close();
  });

  it('answers the test forms', async () => {
    const h = await ublox({ registered: false });
    assert.equal(await at(h, 'AT+ULSTFILE=?'), answer('+ULSTFILE: (0-2)'));
    for (const c of ['UDWNFILE', 'UDWNBLOCK', 'URDFILE', 'URDBLOCK', 'UDELFILE']) assert.equal(await at(h, `AT+${c}=?`), OK, c);
    assert.equal(await at(h, 'AT+URDFILE?'), ERROR, 'no read form (CMEE 0)');
    await h.close();
  });
});
