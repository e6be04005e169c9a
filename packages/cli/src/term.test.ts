import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { serveTcp } from '../../module/src/transports/index.js';
import { hexDump, newlineToCr, runTerm } from './term.js';
import { fakeApi } from './testing.testutil.js';

test('hexDump: hex + ascii, 16 bytes a line', () => {
  assert.equal(hexDump(Buffer.from('\r\nOK\r\n')), 'RX 0d 0a 4f 4b 0d 0a' + ' '.repeat(30) + '  |..OK..|\n');
  const two = hexDump(Buffer.alloc(17, 0x41), '\r\n');
  assert.equal(two.split('\r\n').length, 3);
  assert.match(two, /^RX 41( 41){15}  \|A{16}\|\r\n   41 {47}\|A\|\r\n$/);
});

test('newlineToCr: LF and CRLF become CR, across chunks', () => {
  const t = newlineToCr();
  assert.equal(t(Buffer.from('AT\nATI\r')).toString(), 'AT\rATI\r');
  assert.equal(t(Buffer.from('\nAT\r\n')).toString(), 'AT\r');
  assert.equal(t(Buffer.from('\x1a\x1b')).toString(), '\x1a\x1b');
});

test('term: pipe mode sends stdin lines as AT lines and exits after the drain', async () => {
  const mod = await fakeApi().createModule({ model: 'sara-r5', stateDir: '/nonexistent' });
  const l = await serveTcp(mod, { host: '127.0.0.1', port: 0 });
  try {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    stderr.resume();
    const done = runTerm({ kind: 'tcp', host: '127.0.0.1', port: l.address.port }, { drainMs: 100 }, { stdin, stdout, stderr });
    stdin.end('AT\nAT\n');
    assert.equal(await done, 0);
    assert.equal(out, '\r\nOK\r\n\r\nOK\r\n');
  } finally {
    await l.close();
  }
});

test('term: hex view in pipe mode', async () => {
  const mod = await fakeApi().createModule({ model: 'sara-r5', stateDir: '/nonexistent' });
  const l = await serveTcp(mod, { host: '127.0.0.1', port: 0 });
  try {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    const done = runTerm({ kind: 'tcp', host: '127.0.0.1', port: l.address.port }, { drainMs: 100, hex: true, raw: true }, { stdin, stdout, stderr: new PassThrough() });
    stdin.end('AT\r');
    assert.equal(await done, 0);
    assert.match(out, /0d 0a 4f 4b 0d 0a .*\|\.\.OK\.\.\|/);
  } finally {
    await l.close();
  }
});

test('term: connection refused rejects', async () => {
  const l = await serveTcp({ attach: () => () => {} }, { host: '127.0.0.1', port: 0 });
  const port = l.address.port;
  await l.close();
  await assert.rejects(runTerm({ kind: 'tcp', host: '127.0.0.1', port }, {}, { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() }), /ECONNREFUSED/);
});
