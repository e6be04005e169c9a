import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { commandTable, listModels } from '@modemlab/module';
import { commandsMarkdown, strayOpRows, undescribedCommands } from '../packages/cli/src/docs.js';

it('docs/commands.md matches the handler registry (regenerate with npm run docs:commands)', () => {
  const expected = commandsMarkdown(listModels(), commandTable);
  const actual = readFileSync(new URL('../docs/commands.md', import.meta.url), 'utf8');
  assert.equal(actual.trimEnd(), expected.trimEnd());
});

it('every registered command has a description (packages/cli/src/command-descriptions.ts)', () => {
  assert.deepEqual(undescribedCommands(listModels(), commandTable), []);
});

it('every op-code row names a registered command (packages/cli/src/command-ops.ts)', () => {
  assert.deepEqual(strayOpRows(listModels(), commandTable), []);
});
