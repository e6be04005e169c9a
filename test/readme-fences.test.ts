import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';

// An unclosed fence turns the rest of the README into one code block (issue 13, point 1; it
// happened twice): in the README and the guide, every fence that opens (``` with or without a language) must close.
for (const doc of ['README.md', 'docs/guide.md']) test(`${doc}: every code fence is closed, and no section heading sits inside one`, () => {
  const lines = fs.readFileSync(new URL(`../${doc}`, import.meta.url), 'utf8').split('\n');
  let open: number | undefined;
  lines.forEach((line, i) => {
    if (/^```/.test(line)) open = open === undefined ? i + 1 : undefined;
    else if (open !== undefined && /^#{2,3} [A-Z`]/.test(line)) assert.fail(`${doc}: heading on line ${i + 1} is inside the fence opened on line ${open}`);
  });
  assert.equal(open, undefined, `${doc}: the fence opened on line ${open} is never closed`);
});
