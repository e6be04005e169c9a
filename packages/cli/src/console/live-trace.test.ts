import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { C2C_HOST_MAX_PLAIN, C2C_MODULE_MAX_PLAIN, encodeFrame, encodeUih, sealFrames, type C2cKeys, type TraceChunk } from '@modemlab/at';
import { LiveTrace, type ConsoleEntry } from './live-trace.js';

const chunk = (dir: TraceChunk['dir'], bytes: Buffer | string, time = 1): TraceChunk => ({
  kind: 'chunk',
  time,
  dir,
  port: 'tcp0',
  layer: 'tcp0',
  bytes: typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes,
});
const plain = (dir: TraceChunk['dir'], text: string): TraceChunk => ({ ...chunk(dir, text), layer: 'c2c' });
const lines = (entries: readonly ConsoleEntry[]): string[] => entries.flatMap((e) => (e.kind === 'event' ? [`${e.where} ${e.mark} ${e.text}`] : []));

describe('LiveTrace', () => {
  it('reads commands, responses and URCs as they arrive, and keeps every chunk in hex', () => {
    const t = new LiveTrace();
    const live: ConsoleEntry[] = [];
    t.subscribe((e) => live.push(e));
    t.push(chunk('to-module', 'A'));
    t.push(chunk('to-module', 'T\r'));
    t.push(chunk('from-module', 'AT\r\r\nOK\r\n'));
    t.push(chunk('from-module', '\r\n+CEREG: 2\r\n'));
    assert.deepEqual(lines(t.history()), ['tcp0 > AT', 'tcp0 < OK', 'tcp0 ! +CEREG: 2']);
    assert.deepEqual(live, t.history());
    assert.deepEqual(
      t.history().flatMap((e) => (e.kind === 'chunk' ? [e.hex] : [])),
      ['41', '540d', '41540d0d0a4f4b0d0a', '0d0a2b43455245473a20320d0a'],
    );
    assert.deepEqual(t.history().map((e) => e.seq), t.history().map((_, i) => i + 1));
  });

  it('decodes CMUX frames after AT+CMUX answered OK: channel conversations on port/dlciN', () => {
    const t = new LiveTrace();
    const uih = (dlci: number, text: string): Buffer => encodeUih(dlci, Buffer.from(text, 'latin1'), { cr: true });
    t.push(chunk('to-module', 'AT+CMUX=0\r'));
    t.push(chunk('from-module', 'AT+CMUX=0\r\r\nOK\r\n'));
    t.push(chunk('to-module', encodeFrame({ dlci: 1, type: 'SABM', cr: true, pf: true, data: Buffer.alloc(0) })));
    t.push(chunk('from-module', encodeFrame({ dlci: 1, type: 'UA', cr: true, pf: true, data: Buffer.alloc(0) })));
    t.push(chunk('to-module', uih(1, 'ATI\r')));
    t.push(chunk('from-module', uih(1, 'ATI\r\r\nOK\r\n')));
    assert.deepEqual(lines(t.history()), ['tcp0 > AT+CMUX=0', 'tcp0 < OK', 'tcp0 > [cmux] SABM dlci 1', 'tcp0 < [cmux] UA dlci 1', 'tcp0/dlci1 > ATI', 'tcp0/dlci1 < OK']);
  });

  it('decodes a C2C session: frame headers from the wire, the AT conversation from the c2c level, plain AT after the close', () => {
    // The order the trace tap gives (checked against the module): the host's frames, then
    // their plaintext; the module's plaintext, then its frames.
    const keys: C2cKeys = { version: 2, teSecret: Buffer.alloc(16, 1), encKey: Buffer.alloc(16, 2), hmacKey: Buffer.alloc(16, 3) };
    const iv = (): Buffer => Buffer.alloc(16, 9);
    const up = (text: string): Buffer => sealFrames(keys, Buffer.from(text, 'latin1'), C2C_HOST_MAX_PLAIN, iv);
    const down = (text: string): Buffer => sealFrames(keys, Buffer.from(text, 'latin1'), C2C_MODULE_MAX_PLAIN, iv);
    const t = new LiveTrace();
    const secret = '01'.repeat(16);
    t.push(chunk('to-module', `AT+USECC2C=1,"${secret}"\r`));
    t.push(chunk('from-module', '\r\nOK\r\n'));
    const cgmi = up('AT+CGMI\r');
    t.push(chunk('to-module', cgmi.subarray(0, 10)));
    t.push(chunk('to-module', cgmi.subarray(10)));
    t.push(plain('to-module', 'AT+CGMI\r'));
    t.push(plain('from-module', '\r\nu-blox\r\n\r\nOK\r\n'));
    const answer = down('\r\nu-blox\r\n\r\nOK\r\n');
    const bad = Buffer.from(answer);
    bad[5] = bad[5]! ^ 0xff;
    t.push(chunk('from-module', answer));
    t.push(chunk('from-module', Buffer.concat([Buffer.from('xx', 'latin1'), bad])));
    t.push(chunk('to-module', up(`AT+USECC2C=2,"${secret}"\r`)));
    t.push(plain('to-module', `AT+USECC2C=2,"${secret}"\r`));
    t.push(plain('from-module', '\r\nOK\r\n'));
    t.push(chunk('from-module', down('\r\nOK\r\n')));
    t.push(chunk('to-module', 'AT\r'));
    t.push(chunk('from-module', '\r\nOK\r\n'));
    const len = (b: Buffer): number => b.readUInt16LE(1);
    const fcs = (b: Buffer): string => b.readUInt16LE(b.length - 3).toString(16).padStart(4, '0');
    assert.deepEqual(lines(t.history()), [
      `tcp0 > AT+USECC2C=1,"${secret}"`,
      'tcp0 < OK',
      `tcp0 > [c2c] frame len ${len(cgmi)} fcs ${fcs(cgmi)} ok`,
      'tcp0 > AT+CGMI',
      'tcp0 < u-blox',
      'tcp0 < OK',
      `tcp0 < [c2c] frame len ${len(answer)} fcs ${fcs(answer)} ok`,
      'tcp0 < [c2c] 2 bytes outside frames',
      `tcp0 < [c2c] frame len ${len(answer)} fcs ${fcs(bad)} bad`,
      `tcp0 > [c2c] frame len 96 fcs ${fcs(up(`AT+USECC2C=2,"${secret}"\r`))} ok`,
      `tcp0 > AT+USECC2C=2,"${secret}"`,
      'tcp0 < OK',
      `tcp0 < [c2c] frame len 48 fcs ${fcs(down('\r\nOK\r\n'))} ok`,
      'tcp0 > AT',
      'tcp0 < OK',
    ]);
  });

  it('keeps only the last `limit` entries for a page opened later', () => {
    const t = new LiveTrace(3);
    for (let i = 0; i < 5; i++) t.push(chunk('to-module', 'x'));
    assert.deepEqual(t.history().map((e) => e.seq), [3, 4, 5]);
  });
});
