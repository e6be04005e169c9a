import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runTranscript, type TranscriptTransport } from '../packages/module/src/testing/transcript-runner.js';

const dir = new URL('./transcripts/', import.meta.url).pathname;
const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();
const transports: TranscriptTransport[] = ['in-process', 'tcp', 'pty'];

for (const transport of transports) {
  describe(`transcripts over ${transport}`, () => {
    for (const file of files) {
      it(file, async () => {
        await runTranscript(readFileSync(join(dir, file), 'utf8'), { transport, name: file });
      });
    }
  });
}
