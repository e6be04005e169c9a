/**
 * `npx tsx bench/trace.ts [--count N] [--rounds R]`: what `serve --trace` costs. AT round trips
 * (AtClient, in-process) against one module, beside the same module with a trace tap writing
 * JSON lines to a file, alternating rounds in one run. Prints min/median/max per second.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VirtualModule } from '../packages/module/src/module.js';
import { connectInProcess } from '../packages/module/src/transports/in-process.js';
import { TraceTap } from '../packages/module/src/link/trace-tap.js';
import { AtClient } from '../packages/sdk/src/at-client.js';
import { TraceWriter } from '../packages/cli/src/trace-writer.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const COUNT = arg('count', 2000);
const ROUNDS = arg('rounds', 5);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-bench-trace-'));
const plainModule = await VirtualModule.create({ model: 'sara-r5', stateDir: path.join(dir, 'plain'), log: () => {} });
const tracedModule = await VirtualModule.create({ model: 'sara-r5', stateDir: path.join(dir, 'traced'), log: () => {} });
const writer = await TraceWriter.open(path.join(dir, 'bench.trace'));
const tap = new TraceTap({ sink: (c) => writer.write(c) }).watch(tracedModule);
const plain = new AtClient(connectInProcess(plainModule));
const traced = new AtClient(connectInProcess(tracedModule));

async function rate(client: AtClient, count: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await client.send('AT+CGMI');
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

await rate(plain, 500);
await rate(traced, 500);
const samples = { plain: [] as number[], traced: [] as number[] };
for (let r = 0; r < ROUNDS; r++) {
  samples.plain.push(await rate(plain, COUNT));
  samples.traced.push(await rate(traced, COUNT));
}
const stats = (v: number[]): string => {
  const s = [...v].sort((a, b) => a - b);
  return `min ${s[0]!.toFixed(0)} / median ${s[Math.floor(s.length / 2)]!.toFixed(0)} / max ${s.at(-1)!.toFixed(0)}`;
};
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
console.log(`AT+CGMI round trips/s, in-process, ${ROUNDS} rounds of ${COUNT}`);
console.log(`  no trace      ${stats(samples.plain)}`);
console.log(`  --trace FILE  ${stats(samples.traced)}`);
console.log(`  ratio traced/plain (medians) ${(median(samples.traced) / median(samples.plain)).toFixed(2)}`);
await Promise.all([plain.close(), traced.close()]);
tap.stop();
await writer.close();
console.log(`  trace file: ${fs.statSync(path.join(dir, 'bench.trace')).size} bytes`);
await Promise.all([plainModule.close(), tracedModule.close()]);
fs.rmSync(dir, { recursive: true, force: true });
