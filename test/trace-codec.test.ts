import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeTrace,
  decodeTraceLine,
  encodeTraceLine,
  escapeBytes,
  TraceFormatError,
  unescapeText,
  type TraceChunk,
} from '@modemlab/at';

const chunk = (over: Partial<TraceChunk> = {}): TraceChunk => ({
  kind: 'chunk',
  time: 12.3456789,
  dir: 'to-module',
  port: 'tcp0',
  layer: 'transport',
  bytes: Buffer.from('AT+CFUN=0\r', 'latin1'),
  ...over,
});

describe('trace text escapes', () => {
  it('writes CR, LF, TAB, backslash and non-printable bytes as escapes', () => {
    assert.equal(escapeBytes(Buffer.from('AT\r\n\t\\ok', 'latin1')), 'AT\\r\\n\\t\\\\ok');
    assert.equal(escapeBytes(Buffer.from([0x1a, 0x1b, 0xf9, 0x00, 0x7f, 0x20])), '\\x1a\\x1b\\xf9\\x00\\x7f ');
  });

  it('round-trips all 256 byte values', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    assert.deepEqual(unescapeText(escapeBytes(all)), all);
  });

  it('refuses escapes it never writes', () => {
    for (const bad of ['\\q', '\\x1', '\\xZZ', '\\', '\\X1A', 'é']) {
      assert.throws(() => unescapeText(bad), TraceFormatError, bad);
    }
  });
});

describe('trace lines', () => {
  it('encodes a chunk as one JSON line with text and hex, time in microseconds', () => {
    const line = encodeTraceLine(chunk());
    assert.equal(
      line,
      '{"time":12.346,"dir":"to-module","port":"tcp0","layer":"transport","text":"AT+CFUN=0\\\\r","hex":"41542b4346554e3d300d"}',
    );
    assert.ok(!line.includes('\n'));
  });

  it('carries the CMUX channel when there is one', () => {
    const line = encodeTraceLine(chunk({ channel: 2, layer: 'cmux', dir: 'from-module' }));
    assert.match(line, /"channel":2,"layer":"cmux"/);
    const back = decodeTraceLine(line);
    assert.equal(back.kind, 'chunk');
    assert.equal((back as TraceChunk).channel, 2);
  });

  it('writes the same JSON as JSON.stringify, for all 256 byte values, and reads them back', () => {
    const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => i & 0xff));
    const c = chunk({ bytes, channel: 3, port: 'p"\\q', layer: 'cmux/dlci3' });
    const line = encodeTraceLine(c);
    const reference = JSON.stringify({ time: 12.346, dir: c.dir, port: c.port, channel: 3, layer: c.layer, text: escapeBytes(bytes), hex: bytes.toString('hex') });
    assert.equal(line, reference);
    assert.deepEqual(decodeTraceLine(line), { ...c, time: 12.346 });
  });

  it('encodes chunks of nothing but escapes at full length', () => {
    for (const fill of [0x00, 0xf9, 0x5c, 0x22, 0x0d]) {
      const bytes = Buffer.alloc(1000, fill);
      const back = decodeTraceLine(encodeTraceLine(chunk({ bytes })));
      assert.deepEqual((back as TraceChunk).bytes, bytes, `0x${fill.toString(16)}`);
    }
  });

  it('decodes what it encodes', () => {
    const bytes = Buffer.from([0xf9, 0x03, 0x3f, 0x01, 0x1c, 0xf9, 0x0d, 0x0a]);
    const original = chunk({ bytes, time: 5.5 });
    assert.deepEqual(decodeTraceLine(encodeTraceLine(original)), original);
    const start = { kind: 'start' as const, start: '2026-12-05T07:00:00.000Z' };
    assert.equal(encodeTraceLine(start), '{"trace":1,"start":"2026-12-05T07:00:00.000Z"}');
    assert.deepEqual(decodeTraceLine(encodeTraceLine(start)), start);
  });

  it('rejects bad lines with TraceFormatError naming the line', () => {
    const good = JSON.parse(encodeTraceLine(chunk())) as Record<string, unknown>;
    const bad: Array<[string, string]> = [
      ['not json', /not JSON/.source],
      ['[1,2]', /not a JSON object/.source],
      [JSON.stringify({ ...good, time: -1 }), /time/.source],
      [JSON.stringify({ ...good, time: 'soon' }), /time/.source],
      [JSON.stringify({ ...good, dir: 'up' }), /dir/.source],
      [JSON.stringify({ ...good, port: '' }), /port/.source],
      [JSON.stringify({ ...good, channel: 64 }), /channel/.source],
      [JSON.stringify({ ...good, layer: 3 }), /layer/.source],
      [JSON.stringify({ ...good, hex: '4' }), /hex/.source],
      [JSON.stringify({ ...good, hex: '4A' }), /hex/.source],
      [JSON.stringify({ ...good, text: 'AT' }), /disagree/.source],
      [JSON.stringify({ ...good, text: '\\q' }), /escape/.source],
      [JSON.stringify({ trace: 2, start: '2026-12-05T07:00:00.000Z' }), /version/.source],
      [JSON.stringify({ trace: 1, start: 'yesterday' }), /start/.source],
    ];
    for (const [line, why] of bad) {
      assert.throws(
        () => decodeTraceLine(line, 7),
        (err: unknown) => err instanceof TraceFormatError && err.line === 7 && new RegExp(`^line 7: .*${why}`).test(err.message),
        line,
      );
    }
  });

  it('decodes a whole trace, skipping blank lines and numbering lines from 1', () => {
    const text = [encodeTraceLine({ kind: 'start', start: '2026-12-05T07:00:00.000Z' }), '', encodeTraceLine(chunk()), ''].join('\n');
    const lines = decodeTrace(text);
    assert.equal(lines.length, 2);
    assert.throws(() => decodeTrace(text + '{"time":1'), (e: unknown) => e instanceof TraceFormatError && e.line === 4);
  });
});
