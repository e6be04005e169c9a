/**
 * Crash safety of the BC66's persistent settings: the default bearer's PDN settings
 * (+QCGDEFCONT, kept in NVM with the PDP definitions) rewritten through AT commands while
 * the process is killed with SIGKILL at seeded points. A module opened afterwards on the
 * same NVM folder reports the last acknowledged definition, or the one in flight, whole.
 * (+QSSLCFG is volatile by the BC66 manual: nothing to keep.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { QuectelHost } from '../../packages/module/src/dialects/quectel/quectel.testutil.js';
import { bc66ChangeOf } from './bc66-changes.testutil.js';
import { killRounds, ROUNDS, type SettingsUnderTest } from './kill.testutil.js';

async function observe(dir: string): Promise<Record<'qcgdefcont', string | null>> {
  const host = await QuectelHost.create({ stateDir: dir });
  try {
    const out = await host.at('AT+QCGDEFCONT?');
    const m = /^\r\n\+QCGDEFCONT: (.*)\r\n\r\nOK\r\n$/.exec(out);
    if (!m) throw new Error(`+QCGDEFCONT?: ${JSON.stringify(out)}`);
    return { qcgdefcont: m[1]! };
  } finally {
    await host.close();
  }
}

describe('crash safety: SIGKILL while a BC66 writes its default bearer settings', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'modemlab-crash-bc66-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(`every acknowledged +QCGDEFCONT survives ${ROUNDS} kills; the one in flight is whole or absent`, { timeout: 600_000 }, async () => {
    const settings: SettingsUnderTest<'qcgdefcont'> = {
      writer: 'bc66-writer.testutil.ts',
      kinds: ['qcgdefcont'],
      factory: { qcgdefcont: '"IPV4V6",""' },
      changeOf: bc66ChangeOf,
      observe,
    };
    await killRounds(settings, dir, '-', Number(process.env.CRASH_SEED ?? 0xbc66));
  });
});
