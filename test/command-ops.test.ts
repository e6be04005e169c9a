/**
 * The op codes docs/commands.md lists (packages/cli/src/command-ops.ts) are the ones the
 * module implements: each row's codes equal the list its test form (AT+X=?) answers with on a
 * virtual SARA-R5 (a GE910 for the Telit rows).
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { COMMAND_OPS } from '../packages/cli/src/command-ops.js';
import { at as telitAt, telitModule } from '../packages/module/src/dialects/telit/telit.testutil.js';
import { at, ublox } from '../packages/module/src/dialects/ublox/ublox.testutil.js';
import type { ModuleHarness } from '../packages/module/src/testing/harness.js';

let h: ModuleHarness;
let telit: ModuleHarness;
before(async () => {
  h = await ublox();
  telit = await telitModule('ge910');
});
after(async () => {
  await h.close();
  await telit.close();
});

it('each op-code row matches the module test response', async () => {
  const checked: string[] = [];
  for (const [name, row] of Object.entries(COMMAND_OPS)) {
    if (row.group === undefined) continue;
    const answer = row.model === 'ge910' ? await telitAt(telit, `AT${name}=?\r`) : await at(h, `AT${name}=?`);
    const lists = [...answer.matchAll(/\(([^)]*)\)/g)].map((m) => m[1]);
    assert.equal(lists[row.group], row.codes, `${name}: ${JSON.stringify(answer)}`);
    checked.push(name);
  }
  assert.ok(checked.length >= 11, checked.join(' '));
});
