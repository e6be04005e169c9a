/**
 * What the CLI's start does not load (docs/architecture.md "Start time"): packages only one
 * path needs are imported at first use. Static check over the shipped sources: these
 * packages appear only in `import type` or dynamic `import()`, except in the one file each
 * that wraps them, which itself is imported only that way.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** package or file (as imported) -> the one source file allowed to import it statically. */
const LAZY: Record<string, string | undefined> = {
  pkijs: undefined,
  asn1js: undefined,
  'mqtt-packet': undefined,
  'basic-ftp': 'packages/module/src/services/ftp/ftp-client.ts',
  './ftp-client.js': undefined,
  '@modemlab/sdk': undefined,
  './lab.js': undefined,
};
const SCOPE = ['packages/module/src', 'packages/cli/src'];

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'testing' ? [] : sources(p);
    return p.endsWith('.ts') && !/\.test\.ts$|\.testutil\.ts$/.test(p) ? [p] : [];
  });
}

it('heavy packages and lazily used files are imported statically nowhere on the start path', () => {
  const offenders: string[] = [];
  for (const file of SCOPE.flatMap((d) => sources(path.join(root, d)))) {
    const rel = path.relative(root, file);
    const text = fs.readFileSync(file, 'utf8');
    // Static value imports and re-exports (not `import type`, not `import(...)`).
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?\bfrom\s+'([^']+)'/gm)) {
      const spec = m[1]!;
      const pkg = spec.startsWith('.') ? spec : spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
      if (pkg in LAZY && LAZY[pkg] !== rel) offenders.push(`${rel}: ${spec}`);
    }
  }
  assert.deepEqual(offenders, []);
});
