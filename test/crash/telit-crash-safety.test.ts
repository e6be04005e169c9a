/**
 * Crash safety of the Telit SSL settings (issue 15 item 7 made #SSLCFG and #SSLSECCFG
 * persistent beside the security data): a GE910 writing them through AT commands is killed
 * with SIGKILL at seeded random points. A module opened afterwards on the same NVM folder
 * must report every acknowledged setting, the one in flight whole or not at all, and every
 * NVM document must parse. BC66 +QSSLCFG is volatile by its manual (nothing to keep);
 * the u-blox state is covered by crash-safety.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '@modemlab/at';
import { at, telitModule } from '../../packages/module/src/dialects/telit/telit.testutil.js';
import { killRounds, makeRoots, ROUNDS, type SettingsUnderTest } from './kill.testutil.js';
import { telitChangeOf, type TelitChangeKind } from './telit-changes.testutil.js';

const KINDS: TelitChangeKind[] = ['sslcfg', 'sslseccfg', 'secdata'];
/** What a module that was never written reports. */
const FACTORY: Record<TelitChangeKind, string | null> = { sslcfg: '300', sslseccfg: '0,0', secdata: null };

/** What each setting holds in a GE910 opened on `dir` ('torn' for a certificate that is none of ours). */
async function observe(dir: string, certs: string[]): Promise<Record<TelitChangeKind, string | null>> {
  const h = await telitModule('ge910', new ManualClock(Date.now()), dir);
  try {
    const cfg = await at(h, 'AT#SSLCFG?\r');
    const pkt = /#SSLCFG: 1,1,(\d+),90,100,50,0\r\n/.exec(cfg);
    assert.ok(pkt, `#SSLCFG?: ${JSON.stringify(cfg)}`);
    const sec = await at(h, 'AT#SSLSECCFG?\r');
    const cs = /#SSLSECCFG: 1,(\d,\d)\r\n/.exec(sec);
    assert.ok(cs, `#SSLSECCFG?: ${JSON.stringify(sec)}`);
    const data = await at(h, 'AT#SSLSECDATA=1,2,1\r');
    const pem = /#SSLSECDATA: 1,1\r\n([\s\S]*)\r\n\r\nOK\r\n$/.exec(data)?.[1];
    // The module reads PEM back with CR LF line ends.
    const norm = (t: string): string => t.replace(/\r\n/g, '\n').trim();
    const index = pem === undefined ? -1 : certs.findIndex((c) => norm(c) === norm(pem));
    return { sslcfg: pkt[1]!, sslseccfg: cs[1]!, secdata: pem === undefined ? null : index < 0 ? 'torn' : String(index) };
  } finally {
    await h.close();
  }
}

describe('crash safety: SIGKILL while a Telit module writes its SSL settings', () => {
  let dir: string;
  let certsFile: string;
  let certs: string[];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'modemlab-crash-telit-'));
    certs = makeRoots(3);
    certsFile = `${dir}-certs.json`;
    writeFileSync(certsFile, JSON.stringify(certs));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(certsFile, { force: true });
  });

  it(`every acknowledged #SSLCFG, #SSLSECCFG and #SSLSECDATA survives ${ROUNDS} kills; the one in flight is whole or absent`, { timeout: 600_000 }, async () => {
    const settings: SettingsUnderTest<TelitChangeKind> = {
      writer: 'telit-writer.testutil.ts',
      kinds: KINDS,
      factory: FACTORY,
      changeOf: telitChangeOf,
      observe: (d) => observe(d, certs),
    };
    await killRounds(settings, dir, certsFile, Number(process.env.CRASH_SEED ?? 0x7e117));
  });
});
