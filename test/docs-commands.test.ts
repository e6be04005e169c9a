import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { commandTable, listModels } from '@modemlab/module';
import { commandsMarkdown, strayOpRows, undescribedCommands, unsourcedCommands } from '../packages/cli/src/docs.js';
import { COMMAND_SOURCES } from '../packages/cli/src/command-sources.js';

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

it('every registered command names the document section it follows (packages/cli/src/command-sources.ts)', () => {
  assert.deepEqual(unsourcedCommands(listModels(), commandTable), []);
});

it('every sources row names a registered command', () => {
  const names = new Set(listModels().flatMap((m) => commandTable(m).map((r) => r.name)));
  assert.deepEqual(Object.keys(COMMAND_SOURCES).filter((n) => !names.has(n)), []);
});
