import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TraceChunk } from '@modemlab/at';
import { TraceTap } from '../packages/module/src/link/trace-tap.js';
import { runTranscript, type TranscriptTransport } from '../packages/module/src/testing/transcript-runner.js';
import { prettyTrace } from '../packages/cli/src/trace-pretty.js';

/**
 * Every transcript over every transport. Some listen on the fixed ports their seed prints
 * (8164, 47123), so each runs once per transport, in this one file, one at a time: the
 * in-process run is also traced, and the trace must read back like the transcript.
 */
const dir = new URL('./transcripts/', import.meta.url).pathname;
const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();
const transports: TranscriptTransport[] = ['in-process', 'tcp', 'pty'];

/** The transcript's own lines, with {name} and {*} left as patterns. */
function expectedLines(source: string): RegExp[] {
  return source
    .split('\n')
    .filter((l) => /^[<>!] /.test(l))
    .map((l) => {
      const parts = l.split(/(\{\*\}|\{=\w+\}|\{[A-Za-z][\w.:-]*\})/);
      const body = parts.map((p) => (/^\{.*\}$/.test(p) ? '.*' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
      return new RegExp(`^${body}$`);
    });
}

/**
 * The trace read back with `modemlab trace` has the transcript's `>`, `<` and `!` lines in
 * order with the same marks (it has more: raw bytes, data runs, CMUX frames). Data a
 * response counts (#SSLRECV) is shown as data (`<<`); the transcript writes it as a line.
 */
function assertTraceReadsLike(file: string, source: string, records: TraceChunk[]): void {
  const shown = prettyTrace(records)
    .map((l) => l.replace(/^\s*\d+\.\d{3}\s+\S+\s+/, ''))
    .map((l) => (l.startsWith('<< ') ? l.slice(1) : l));
  const expected = expectedLines(source);
  let at = 0;
  for (const line of shown) if (at < expected.length && expected[at]!.test(line)) at++;
  assert.equal(at, expected.length, `${file}: ${expected[at]} not found in order in\n${shown.join('\n')}`);
}

for (const transport of transports) {
  describe(`transcripts over ${transport}`, () => {
    for (const file of files) {
      it(file, async () => {
        const source = readFileSync(join(dir, file), 'utf8');
        if (transport !== 'in-process') return runTranscript(source, { transport, name: file });
        const records: TraceChunk[] = [];
        let tap: TraceTap | undefined;
        try {
          await runTranscript(source, {
            transport,
            name: file,
            onModule: (module) => (tap = new TraceTap({ sink: (r) => records.push(r) }).watch(module)),
          });
        } finally {
          tap?.stop();
        }
        assertTraceReadsLike(file, source, records);
      });
    }
  });
}
