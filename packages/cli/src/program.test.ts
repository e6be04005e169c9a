import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEFAULT_TCP, defaultTcp, main } from './program.js';

function io(): { out: string[]; err: string[]; io: { out: (t: string) => void; err: (t: string) => void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t) => void out.push(t), err: (t) => void err.push(t) } };
}

test('--version and -V print the package version and exit 0', async () => {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const r = io();
    assert.equal(await main(['node', 'modemlab', flag], r.io), 0);
    assert.equal(r.out.join(''), `${version}\n`);
  }
});

test('serve: TCP 7000 by default, none beside --pty, an explicit --tcp always wins', () => {
  assert.deepEqual(defaultTcp(undefined, undefined), DEFAULT_TCP);
  assert.equal(defaultTcp(undefined, '/tmp/ttyX'), null);
  assert.deepEqual(defaultTcp({ host: '127.0.0.1', port: 0 }, '/tmp/ttyX'), { host: '127.0.0.1', port: 0 });
  assert.equal(defaultTcp(null, undefined), null);
});
