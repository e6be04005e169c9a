/**
 * Every source path the docs name in backticks is a file in the repository, so a moved or
 * deleted file cannot leave docs/architecture.md pointing at nothing (issue 13, point 10).
 * Docs write paths relative to a package's src folder ("dialects/ublox/ftp.ts"), with the
 * package ("sdk/drivers/ublox/ftp.ts") or whole; a bare name must match some file's name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Names the docs use for files that users or the running lab create, not repository files. */
const NOT_REPOSITORY_FILES = new Set([
  'modemlab.config.json', // the user's config file
  'root-of-trust.json', // written into a module's state folder
  'shared/DESIGN.md', // the team's design notes, beside the repository
  'tls.mjs', // the README's example script the reader saves
  'topics.json', // the reader's predefined-topics file
]);

const PATH_TOKEN = /`([A-Za-z0-9_./-]+\.(?:ts|md|json|txt|c|sh|mjs))`/g;

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
}

function resolves(token: string, files: string[]): boolean {
  const inPackageSrc = token.replace(/^(at|module|sdk|cloud|cli)\//, 'packages/$1/src/');
  return files.some((f) => f === token || f.endsWith(`/${token}`) || f === inPackageSrc);
}

test('every backticked path in README.md and docs/*.md is a repository file', () => {
  const files = trackedFiles();
  const docs = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const missing: string[] = [];
  for (const doc of docs) {
    const text = readFileSync(path.join(ROOT, doc), 'utf8');
    for (const [, token] of text.matchAll(PATH_TOKEN)) {
      if (token.startsWith('.') || NOT_REPOSITORY_FILES.has(token)) continue;
      if (!resolves(token, files)) missing.push(`${doc}: ${token}`);
    }
  }
  assert.deepEqual(missing, []);
});
