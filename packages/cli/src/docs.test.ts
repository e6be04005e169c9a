import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandsDoc, commandsMarkdown } from './docs.js';
import { CliError, loadModuleApi } from './module-api.js';
import { fakeApi } from './testing.testutil.js';
import { main } from './program.js';

test('commandsMarkdown: heading per model, escaped table', () => {
  const api = fakeApi();
  const md = commandsMarkdown(['sara-r5'], api.commandTable!);
  assert.match(md, /^## sara-r5$/m);
  assert.match(md, /^\| command \| forms \| handler \|$/m);
  assert.match(md, /^\| `\+CGMR` \| `action` `test` \| dialects\/sara-r5\/general \|$/m);
  assert.match(md, /^\| `A\\\|B` \| `set` \| x \|$/m);
});

test('commandsMarkdown: other spellings a command accepts are listed beside it', () => {
  const md = commandsMarkdown(['bc66'], () => [{ name: '+QSCLK', forms: ['set'], source: 'q.ts', aliases: ['+QSCCLK'] }]);
  assert.match(md, /^\| `\+QSCLK` \(also `\+QSCCLK`\) \| `set` \| q\.ts \|$/m);
});

test('commandsDoc: clear error when commandTable is missing', () => {
  const { commandTable: _omit, ...api } = fakeApi();
  assert.throws(() => commandsDoc(api), (e: unknown) => e instanceof CliError && /commandTable/.test(e.message));
});

test('docs commands: real registry, every model has a section', async () => {
  const api = await loadModuleApi();
  let out = '';
  const code = await main(['node', 'modemlab', 'docs', 'commands'], { out: (t) => (out += t), err: () => {} });
  assert.equal(code, 0);
  for (const m of api.listModels()) assert.match(out, new RegExp(`^## ${m}$`, 'm'));
});

test('main: usage errors exit 2, help exits 0', async () => {
  const sink = { out: () => {}, err: () => {} };
  assert.equal(await main(['node', 'modemlab', 'serve', '--tcp', 'nope'], sink), 2);
  assert.equal(await main(['node', 'modemlab', 'serve', '--count', '0'], sink), 2);
  assert.equal(await main(['node', 'modemlab', 'bogus'], sink), 2);
  assert.equal(await main(['node', 'modemlab', 'serve', '--help'], sink), 0);
  assert.equal(await main(['node', 'modemlab', 'serve', '--model', 'nope', '--tcp', '127.0.0.1:0'], sink), 2);
});
