import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeFrame, encodeUih, type TraceChunk } from '@modemlab/at';
import { LiveTrace, type ConsoleEntry } from './live-trace.js';

const chunk = (dir: TraceChunk['dir'], bytes: Buffer | string, time = 1): TraceChunk => ({
  kind: 'chunk',
  time,
  dir,
  port: 'tcp0',
  layer: 'tcp0',
  bytes: typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes,
});
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

  it('keeps only the last `limit` entries for a page opened later', () => {
    const t = new LiveTrace(3);
    for (let i = 0; i < 5; i++) t.push(chunk('to-module', 'x'));
    assert.deepEqual(t.history().map((e) => e.seq), [3, 4, 5]);
  });
});
