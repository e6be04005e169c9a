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
import { QuectelHost } from '../packages/module/src/dialects/quectel/quectel.testutil.js';
import type { ModuleHarness } from '../packages/module/src/testing/harness.js';

/** "0-7,100" -> [0..7, 100] and the codes next to each range ([8, 99, 101]). */
function expand(codes: string): { codes: number[]; outside: number[] } {
  const ranges = codes.split(',').map((r) => r.split('-').map(Number) as [number, number?]);
  const list = ranges.flatMap(([a, b = a]) => Array.from({ length: b - a + 1 }, (_, i) => a + i));
  const outside = [...new Set(ranges.flatMap(([a, b = a]) => [a - 1, b + 1]))].filter((c) => c >= 0 && !list.includes(c));
  return { codes: list, outside };
}

let h: ModuleHarness;
let telit: ModuleHarness;
let bc66: QuectelHost;
before(async () => {
  h = await ublox();
  telit = await telitModule('ge910');
  bc66 = await QuectelHost.create();
});
after(async () => {
  await h.close();
  await telit.close();
  await bc66.close();
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

it('op codes the test form does not list: each is accepted by the query form, its neighbours refused', async () => {
  const probed = Object.entries(COMMAND_OPS).filter(([, row]) => row.probe !== undefined);
  assert.deepEqual(probed.map(([n]) => n), ['+UPSD']);
  for (const [name, row] of probed) {
    const { codes, outside } = expand(row.codes);
    for (const c of codes) assert.match(await at(h, `AT${name}=${row.probe}${c}`), /\r\nOK\r\n$/, `${name} ${c}`);
    for (const c of outside) assert.match(await at(h, `AT${name}=${row.probe}${c}`), /\r\n(ERROR|\+CME ERROR: [^\r]*)\r\n$/, `${name} ${c} should be refused`);
  }
});

it('named settings: the quoted names of the test form, in order', async () => {
  const named = Object.entries(COMMAND_OPS).filter(([, row]) => row.quoted);
  assert.deepEqual(named.map(([n]) => n), ['+QSSLCFG']);
  for (const [name, row] of named) {
    assert.equal(row.model, 'bc66');
    const answer = await bc66.at(`AT${name}=?`);
    assert.match(answer, /\r\nOK\r\n$/);
    assert.equal([...answer.matchAll(/"([^"]*)"/g)].map((m) => m[1]).join(','), row.codes, answer);
  }
});
