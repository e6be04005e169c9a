import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TraceChunk, TraceLine } from '@modemlab/at';
import { prettyTrace } from '../packages/cli/src/trace-pretty.js';
import { describeData } from '../packages/cli/src/trace-conversation.js';
import { C2C_HOST_MAX_PLAIN, C2C_MODULE_MAX_PLAIN, encodeControl, encodeFrame, encodeMsc, encodeUih, sealFrames, type C2cKeys } from '@modemlab/at';

/** Builds a trace of alternating chunks: ['>', 'AT\r'] host, ['<', '...'] module. */
function trace(steps: Array<['>' | '<', string | Buffer]>, extra: Partial<TraceChunk> = {}): TraceLine[] {
  return steps.map(([dir, data], i) => ({
    kind: 'chunk',
    time: i * 10,
    dir: dir === '>' ? 'to-module' : 'from-module',
    port: 'tcp0',
    layer: 'transport',
    bytes: typeof data === 'string' ? Buffer.from(data, 'latin1') : data,
    ...extra,
  }));
}

/** The marks and texts of the pretty lines, without time and port. */
const body = (lines: string[]): string[] => lines.map((l) => l.replace(/^\s*\d+\.\d{3}\s+\S+\s+/, ''));

describe('pretty trace', () => {
  it('shows commands, responses and final results, dropping the echo; times in seconds, then the port as wide as the longest', () => {
    const out = prettyTrace(
      trace([
        ['>', 'AT+COPS?\r'],
        ['<', 'AT+COPS?\r'],
        ['<', '\r\n+COPS: 0,0,"Nutaq Cat-M1 Network",7\r\n\r\nOK\r\n'],
      ]),
    );
    assert.deepEqual(out, [
      '    0.000  tcp0  > AT+COPS?',
      '    0.020  tcp0  < +COPS: 0,0,"Nutaq Cat-M1 Network",7',
      '    0.020  tcp0  < OK',
    ]);
  });

  it('tells URCs from responses: after the final result, and a foreign prefix while a command runs', () => {
    const out = body(
      prettyTrace(
        trace([
          ['>', 'AT+UPSDA=0,3\r'],
          ['<', '\r\n+UUSORD: 0,5\r\n'],
          ['<', '\r\nOK\r\n'],
          ['<', '\r\n+UUPSDA: 0,"100.108.232.233"\r\n'],
          ['>', 'AT+CGSN\r'],
          ['<', '\r\n004999010640000\r\n\r\nOK\r\n'],
          ['>', 'AT+CGDCONT=1,"IP","+x:y"\r'],
          ['<', '\r\n+CME ERROR: 50\r\n'],
        ]),
      ),
    );
    assert.deepEqual(body(body(out)), [
      '> AT+UPSDA=0,3',
      '! +UUSORD: 0,5',
      '< OK',
      '! +UUPSDA: 0,"100.108.232.233"',
      '> AT+CGSN',
      '< 004999010640000',
      '< OK',
      '> AT+CGDCONT=1,"IP","+x:y"',
      '< +CME ERROR: 50',
    ]);
  });

  it('reads a prompt, the data the host sends after it and drops the module echo of that data', () => {
    const out = body(
      prettyTrace(
        trace([
          ['>', 'AT+USECMNG=0,0,"ca",5\r'],
          ['<', 'AT+USECMNG=0,0,"ca",5\r\r\n>'],
          ['>', 'hel'],
          ['<', 'hel'],
          ['>', 'lo\x1a'],
          ['<', 'lo'],
          ['<', '\r\n+USECMNG: 0,0,"ca","5d41402abc4b2a76b9719d911017c592"\r\n\r\nOK\r\n'],
        ]),
      ),
    );
    assert.deepEqual(out, ['> AT+USECMNG=0,0,"ca",5', '< >', '>> hello\\x1a', '< +USECMNG: 0,0,"ca","5d41402abc4b2a76b9719d911017c592"', '< OK']);
  });

  it('summarises online data runs and ends online mode on +++ then OK', () => {
    const big = Buffer.alloc(4096, 0xa5);
    const out = body(
      prettyTrace(
        trace([
          ['>', 'AT#SSLD=1,443,"host",0,0\r'],
          ['<', '\r\nCONNECT\r\n'],
          ['>', 'bidirectional data exchange'],
          ['<', 'bidirectional data exchange'],
          ['>', big],
          ['<', big.subarray(0, 1000)],
          ['<', big.subarray(1000)],
          ['>', '+++'],
          ['<', '\r\nOK\r\n'],
          ['>', 'AT#SSLS=1\r'],
          ['<', '\r\n#SSLS: 1,2,3\r\n\r\nOK\r\n'],
        ]),
      ),
    );
    assert.deepEqual(out, [
      '> AT#SSLD=1,443,"host",0,0',
      '< CONNECT',
      '>> bidirectional data exchange',
      '<< bidirectional data exchange',
      '>> … 4096 bytes binary …',
      '<< … 4096 bytes binary …',
      '>> +++',
      '< OK',
      '> AT#SSLS=1',
      '< #SSLS: 1,2,3',
      '< OK',
    ]);
  });

  it('ends online mode on NO CARRIER even when it is split across chunks, and data in the same chunk as CONNECT', () => {
    const out = body(
      prettyTrace(
        trace([
          ['>', 'AT+USODL=0\r'],
          ['<', '\r\nCONNECT\r\nabc'],
          ['<', 'def\r\nNO CA'],
          ['<', 'RRIER\r\n'],
          ['<', '\r\n+UUSOCL: 0\r\n'],
        ]),
      ),
    );
    assert.deepEqual(out, ['> AT+USODL=0', '< CONNECT', '<< abcdef', '< NO CARRIER', '! +UUSOCL: 0']);
  });

  it('keeps one conversation per port and channel, reads one layer per conversation, starts over at a start line', () => {
    const lines: TraceLine[] = [
      { kind: 'start', start: '2026-12-05T07:00:00.000Z' },
      ...trace([['>', 'AT\r']], { channel: 1, layer: 'cmux' }),
      ...trace([['>', 'AT\r']], { channel: 1, layer: 'terminal' }),
      ...trace([['>', 'ATI\r']], { channel: 2, layer: 'cmux' }),
      ...trace([['<', '\r\nOK\r\n']], { channel: 1, layer: 'cmux' }),
      { kind: 'start', start: '2026-12-05T08:00:00.000Z' },
      ...trace([['<', '\r\nRING\r\n']], { port: 'pty0' }),
    ];
    assert.deepEqual(prettyTrace(lines), [
      '--- trace started 2026-12-05T07:00:00.000Z ---',
      '    0.000  tcp0/dlci1  > AT',
      '    0.000  tcp0/dlci2  > ATI',
      '    0.000  tcp0/dlci1  < OK',
      '--- trace started 2026-12-05T08:00:00.000Z ---',
      '    0.000  pty0  ! RING',
    ]);
    assert.deepEqual(body(prettyTrace(lines, { layer: 'terminal' })).filter((l) => !l.startsWith('---')), ['> AT']);
  });

  it('reads data counted inside a response line (line ends included) and after one (#SSLRECV)', () => {
    const big = Buffer.alloc(300, 0x00);
    const out = body(
      prettyTrace(
        trace([
          ['>', 'AT+URDFILE="file1"\r'],
          ['<', '\r\n+URDFILE: "file1",12,"hello world\n"\r\nOK\r\n'],
          ['>', 'AT+URDBLOCK="blob",0,300\r'],
          ['<', Buffer.concat([Buffer.from('\r\n+URDBLOCK: "blob",300,"'), big.subarray(0, 100)])],
          ['<', Buffer.concat([big.subarray(100), Buffer.from('"\r\nOK\r\n')])],
          ['>', 'AT#SSLRECV=1,15\r'],
          ['<', '\r\n#SSLRECV: 15\r\nResponse!\r\nOK\r\n\r\nOK\r\n'],
        ]),
      ),
    );
    assert.deepEqual(out, [
      '> AT+URDFILE="file1"',
      '< +URDFILE: "file1",12,"hello world\\n"',
      '< OK',
      '> AT+URDBLOCK="blob",0,300',
      '< +URDBLOCK: "blob",300,"… 300 bytes binary …"',
      '< OK',
      '> AT#SSLRECV=1,15',
      '< #SSLRECV: 15',
      '<< Response!\\r\\nOK\\r\\n',
      '< OK',
    ]);
  });

  it('describes data: short printable text as is, the rest summarised', () => {
    assert.equal(describeData(Buffer.from('GET / HTTP/1.1\r\n')), 'GET / HTTP/1.1\\r\\n');
    assert.equal(describeData(Buffer.alloc(81, 0x41)), '… 81 bytes text …');
    assert.equal(describeData(Buffer.from([0])), '… 1 byte binary …');
  });

  describe('CMUX', () => {
    const frame = (dlci: number, type: 'SABM' | 'UA' | 'DISC' | 'DM', cr = true): Buffer => encodeFrame({ dlci, type, cr, pf: true, data: Buffer.alloc(0) });
    const uih = (dlci: number, text: string | Buffer): Buffer => encodeUih(dlci, typeof text === 'string' ? Buffer.from(text, 'latin1') : text, { cr: true });
    const start: Array<['>' | '<', string | Buffer]> = [
      ['>', 'AT+CMUX=0\r'],
      ['<', 'AT+CMUX=0\r\r\nOK\r\n'],
      ['>', frame(0, 'SABM')],
      ['<', frame(0, 'UA', false)],
      ['>', frame(1, 'SABM')],
      ['<', frame(1, 'UA', false)],
    ];
    /** Lines as `label mark text`, without the time. */
    const labelled = (lines: string[]): string[] => lines.map((l) => l.replace(/^\s*\d+\.\d{3}\s+/, '').replace(/\s+/, ' '));

    it('decodes frames split across chunks, control messages, drops, and the close-down back to plain AT', () => {
      const reply = uih(1, '\r\nOK\r\n');
      const badFcs = Buffer.from(uih(1, 'AT\r'));
      badFcs[badFcs.length - 2] ^= 0xff;
      const out = labelled(
        prettyTrace(
          trace([
            ...start,
            ['>', Buffer.concat([uih(0, encodeControl('MSC', true, encodeMsc({ dlci: 1, signals: { fc: false, rtc: true, rtr: true, ic: false, dv: true } }))), uih(1, 'AT\r')])],
            ['<', reply.subarray(0, 4)],
            ['<', reply.subarray(4)],
            ['>', badFcs],
            ['>', uih(0, encodeControl('CLD', true))],
            ['<', Buffer.concat([uih(0, encodeControl('CLD', false)), Buffer.from('\r\n+UUSOCL: 0\r\n')])],
            ['>', 'AT\r'],
            ['<', '\r\nOK\r\n'],
          ]),
        ),
      );
      assert.deepEqual(out, [
        'tcp0 > AT+CMUX=0',
        'tcp0 < OK',
        'tcp0 > [cmux] SABM dlci 0',
        'tcp0 < [cmux] UA dlci 0',
        'tcp0 > [cmux] SABM dlci 1',
        'tcp0 < [cmux] UA dlci 1',
        'tcp0 > [cmux] MSC command dlci 1 rtc rtr dv',
        'tcp0/dlci1 > AT',
        'tcp0/dlci1 < OK',
        'tcp0 > [cmux] dropped a frame (fcs)',
        'tcp0 > [cmux] CLD command',
        'tcp0 < [cmux] CLD response',
        'tcp0 ! +UUSOCL: 0',
        'tcp0 > AT',
        'tcp0 < OK',
      ]);
    });

    it('ends the multiplexer when DLCI 0 is disconnected, and not on +CMUX test or read forms', () => {
      const out = labelled(
        prettyTrace(
          trace([
            ['>', 'AT+CMUX=?\r'],
            ['<', '\r\n+CMUX: (0),(0),(1-5),(1-1509)\r\n\r\nOK\r\n'],
            ...start,
            ['>', frame(0, 'DISC')],
            ['<', frame(0, 'UA', false)],
            ['>', 'AT\r'],
            ['<', '\r\nOK\r\n'],
          ]),
        ),
      );
      assert.deepEqual(out.slice(0, 3), ['tcp0 > AT+CMUX=?', 'tcp0 < +CMUX: (0),(0),(1-5),(1-1509)', 'tcp0 < OK']);
      assert.deepEqual(out.slice(-4), ['tcp0 > [cmux] DISC dlci 0', 'tcp0 < [cmux] UA dlci 0', 'tcp0 > AT', 'tcp0 < OK']);
    });

    it('shows a channel once when both its frames and its own level are traced', () => {
      const lines: TraceLine[] = [
        ...trace(start),
        // What the tap records: the frame at the wire, then the same bytes at the channel's level.
        ...trace([['>', uih(1, 'AT\r')]]),
        ...trace([['>', 'AT\r']], { channel: 1, layer: 'cmux/dlci1' }),
        ...trace([['<', '\r\nOK\r\n']], { channel: 1, layer: 'cmux/dlci1' }),
        ...trace([['<', uih(1, '\r\nOK\r\n')]]),
      ];
      const out = labelled(prettyTrace(lines)).filter((l) => l.startsWith('tcp0/dlci1'));
      assert.deepEqual(out, ['tcp0/dlci1 > AT', 'tcp0/dlci1 < OK']);
      // One level only: the channel's own.
      assert.deepEqual(labelled(prettyTrace(lines, { layer: 'cmux/dlci1' })), ['tcp0/dlci1 > AT', 'tcp0/dlci1 < OK']);
    });
  });

  it('reads a C2C session: one line per frame, the plaintext from the c2c level; with --layer of the wire, frames only', () => {
    const keys: C2cKeys = { version: 1, teSecret: Buffer.alloc(16, 1), encKey: Buffer.alloc(16, 2) };
    const secret = '01'.repeat(16);
    const up = sealFrames(keys, Buffer.from('ATI\r'), C2C_HOST_MAX_PLAIN);
    const down = sealFrames(keys, Buffer.from('\r\nOK\r\n'), C2C_MODULE_MAX_PLAIN);
    const lines: TraceLine[] = [
      ...trace([
        ['>', `AT+USECC2C=1,"${secret}"\r`],
        ['<', '\r\nOK\r\n'],
        ['>', up],
      ]),
      ...trace([['>', 'ATI\r'], ['<', '\r\nOK\r\n']], { layer: 'c2c' }),
      ...trace([['<', down]]),
    ];
    const frame = (mark: string, f: Buffer): string => `${mark} [c2c] frame len ${f.readUInt16LE(1)} fcs ${f.readUInt16LE(f.length - 3).toString(16).padStart(4, '0')} ok`;
    assert.deepEqual(body(prettyTrace(lines)), [`> AT+USECC2C=1,"${secret}"`, '< OK', frame('>', up), '> ATI', '< OK', frame('<', down)]);
    assert.deepEqual(body(prettyTrace(lines, { layer: 'transport' })), [`> AT+USECC2C=1,"${secret}"`, '< OK', frame('>', up), frame('<', down)]);
  });
});
