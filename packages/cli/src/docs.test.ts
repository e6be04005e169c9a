import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandsDoc, commandsMarkdown, crossProductMatrix, undescribedCommands, unsourcedCommands } from './docs.js';
import { CliError, loadModuleApi } from './module-api.js';
import { fakeApi } from './testing.testutil.js';
import { main } from './program.js';

test('commandsMarkdown: heading per model, escaped table', () => {
  const api = fakeApi();
  const md = commandsMarkdown(['sara-r5'], api.commandTable!);
  assert.match(md, /^## sara-r5$/m);
  assert.match(md, /^\| command \| what it does \| forms \| document \| follows \| handler \|$/m);
  assert.match(md, /^\| `\+CGMR` \| firmware revision \| `action` `test` \| 27\.007 \| 27\.007 §5\.3; notes §I \| dialects\/sara-r5\/general \|$/m);
  // A command without a description or a source says so (and test/docs-commands.test.ts fails on it).
  assert.match(md, /^\| `A\\\|B` \| \(no description yet: add it to packages\/cli\/src\/command-descriptions\.ts\) \| `set` \| \? \| \? \(add it to packages\/cli\/src\/command-sources\.ts\) \| x \|$/m);
});

test('commandsMarkdown: other spellings a command accepts are listed beside it', () => {
  const md = commandsMarkdown(['bc66'], () => [{ name: '+QSCLK', forms: ['set'], source: 'q.ts', aliases: ['+QSCCLK'] }]);
  assert.match(md, /^\| `\+QSCLK` \(also `\+QSCCLK`\) \| sleep mode \| `set` \| Quectel \| Quectel BC66 AT commands manual \(not in the spec documents\) \| q\.ts \|$/m);
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

test('undescribedCommands: names the registered commands the descriptions table lacks, once each', () => {
  const table = (m: string) => [{ name: '+CGMR', forms: ['action'], source: 'a.ts' }, { name: m === 'x' ? '+NEW1' : '+NEW2', forms: ['set'], source: 'b.ts' }, { name: '+NEW1', forms: ['set'], source: 'b.ts' }];
  assert.deepEqual(undescribedCommands(['x', 'y'], table), ['+NEW1', '+NEW2']);
});

test('crossProductMatrix: a row per command, a column per model, grouped by document', () => {
  const table = (m: string) => (m === 'a' ? [{ name: '+USOCR', forms: ['set'], source: 's' }, { name: '+CGMR', forms: ['action'], source: 's' }] : [{ name: '+CGMR', forms: ['action'], source: 's' }]);
  assert.deepEqual(crossProductMatrix(['a', 'b'], table).slice(2), [
    '| command | document | a | b |',
    '| --- | --- | :---: | :---: |',
    '| `+CGMR` | 27.007 | ✓ | ✓ |',
    '| `+USOCR` | u-blox | ✓ |  |',
  ]);
});

test('unsourcedCommands: names the registered commands the sources table lacks, once each', () => {
  const table = (m: string) => (m === 'x' ? [{ name: '+CGMR', forms: ['action'], source: 'a' }, { name: '+NEW', forms: ['set'], source: 'a' }] : [{ name: '+NEW', forms: ['set'], source: 'b' }]);
  assert.deepEqual(unsourcedCommands(['x', 'y'], table), ['+NEW']);
  assert.deepEqual(unsourcedCommands(['x'], table, { '+CGMR': 's', '+NEW': 's' }), []);
});
