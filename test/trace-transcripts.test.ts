import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TraceChunk } from '@modemlab/at';
import { TraceTap } from '../packages/module/src/link/trace-tap.js';
import { runTranscript } from '../packages/module/src/testing/transcript-runner.js';
import { prettyTrace } from '../packages/cli/src/trace-pretty.js';

/**
 * Every transcript, traced while it runs (in-process, manual clock), reads back with its
 * commands, responses and URCs in order: the transcript's `>`, `<` and `!` lines are found,
 * in order and with the same marks, among the pretty lines. (The pretty output has more:
 * the lines a transcript expects as raw bytes, data runs, CMUX frames.) Data a response
 * counts (#SSLRECV) is shown as data (`<<`); the transcript writes it as a line (`<`).
 */
const dir = new URL('./transcripts/', import.meta.url).pathname;
const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();

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

describe('the trace of every transcript reads like the transcript', () => {
  for (const file of files) {
    it(file, async () => {
      const source = readFileSync(join(dir, file), 'utf8');
      const records: TraceChunk[] = [];
      let tap: TraceTap | undefined;
      try {
        await runTranscript(source, {
          transport: 'in-process',
          name: file,
          onModule: (module) => (tap = new TraceTap({ sink: (r) => records.push(r) }).watch(module)),
        });
      } finally {
        tap?.stop();
      }
      const shown = prettyTrace(records)
        .map((l) => l.replace(/^\s*\d+\.\d{3}\s+\S+\s+/, ''))
        .map((l) => (l.startsWith('<< ') ? l.slice(1) : l));
      const expected = expectedLines(source);
      let at = 0;
      for (const line of shown) if (at < expected.length && expected[at]!.test(line)) at++;
      assert.equal(at, expected.length, `${file}: ${expected[at]} not found in order in\n${shown.join('\n')}`);
    });
  }
});
