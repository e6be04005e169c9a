/**
 * Crash safety: a writer changing a module's persistent state through AT commands
 * (certificates, files, security profiles, the MQTT profile in NVM) is killed with SIGKILL
 * at seeded random points, mid-command or right after an OK. A module opened afterwards on
 * the same NVM folder must hold every acknowledged change, the change in flight either
 * whole or not at all, and no torn document. CRASH_ROUNDS sets the number of kills (4 in
 * npm test; `npm run fuzz` asks for more).
 */
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ModuleHarness } from '../../packages/module/src/testing/harness.js';
import { changeOf, fileBody, SLOT_CHANGES, slotKey, type Change } from './changes.testutil.js';
import { assertNothingTorn, killWriter, makeRoots, rng, ROUNDS } from './kill.testutil.js';

/**
 * What each slot holds in the module opened on `dir`: a certificate's MD5, a profile's
 * version, a file's versions in order (+UDWNFILE appends to an existing file, as the u-blox
 * manual says), null for nothing, 'torn' for anything that is not whole.
 */
async function observe(dir: string, slots: Change[]): Promise<Map<string, string | null>> {
  const h = await ModuleHarness.create({ model: 'sara-r5', stateDir: dir });
  const seen = new Map<string, string | null>();
  try {
    for (const c of slots) {
      if (c.kind === 'certificate') {
        const out = await h.send(`AT+USECMNG=4,0,"${c.slot}"\r`);
        seen.set(slotKey(c), /\+USECMNG: 4,0,"[^"]*","([0-9a-f]+)"/i.exec(out)?.[1]?.toLowerCase() ?? null);
      } else if (c.kind === 'file') {
        const out = Buffer.from(await h.send(`AT+URDFILE="${c.slot}"\r`), 'latin1');
        const head = `+URDFILE: "${c.slot}",`;
        const at = out.indexOf(head);
        if (at < 0) {
          seen.set(slotKey(c), null);
          continue;
        }
        const lenText = /^(\d+),"/.exec(out.subarray(at + head.length, at + head.length + 12).toString('latin1'))!;
        const from = at + head.length + lenText[0].length;
        seen.set(slotKey(c), fileVersions(out.subarray(from, from + Number(lenText[1]))));
      } else if (c.kind === 'security-profile') {
        const out = await h.send(`AT+USECPRF=${c.slot},10\r`);
        const v = /\+USECPRF: \d+,10,"(?:v(\d+)\.example\.test)?"/.exec(out);
        assert.ok(v, `profile ${c.slot}: ${JSON.stringify(out)}`);
        seen.set(slotKey(c), v[1] ?? null);
      } else if (c.kind === 'mqttsn-profile') {
        const out = await h.send('AT+UMQTTSN=0\r');
        // Never saved: the default client ID (digits, from the IMEI).
        const v = /\+UMQTTSN: 0,"(?:v(\d+)|\d*)"/.exec(out);
        assert.ok(v, `MQTT-SN profile: ${JSON.stringify(out)}`);
        seen.set(slotKey(c), v[1] ?? null);
      } else {
        const out = await h.send('AT+UMQTT=0\r');
        const v = /\+UMQTT: 0,"(?:v(\d+))?"/.exec(out);
        assert.ok(v, `MQTT profile: ${JSON.stringify(out)}`);
        seen.set(slotKey(c), v[1] ?? null);
      }
    }
  } finally {
    await h.close();
  }
  return seen;
}

/** The versions a file is made of, "3,15,27", or 'torn' when a part is not a whole body. */
function fileVersions(content: Buffer): string {
  const versions: number[] = [];
  for (let at = 0; at < content.length; ) {
    const m = /^version (\d+);/.exec(content.subarray(at, at + 24).toString('latin1'));
    if (!m) return 'torn';
    const body = fileBody(Number(m[1]));
    if (!content.subarray(at, at + body.length).equals(body)) return 'torn';
    versions.push(Number(m[1]));
    at += body.length;
  }
  return versions.join(',');
}

describe('crash safety: SIGKILL while the module writes its persistent state', () => {
  let dir: string;
  let certsFile: string;
  const certs: string[] = [];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'modemlab-crash-'));
    certs.push(...makeRoots(3));
    certsFile = join(dir, '..', `${dir.split('/').at(-1)}-certs.json`);
    writeFileSync(certsFile, JSON.stringify(certs));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(certsFile, { force: true });
  });

  it(`every acknowledged change of certificates, files, security, MQTT and MQTT-SN profiles survives ${ROUNDS} kills; the one in flight is whole or absent`, { timeout: 600_000 }, async () => {
    const seed = Number(process.env.CRASH_SEED ?? 0xc0ffee);
    const next = rng(seed);
    const md5s = certs.map((pem) => createHash('md5').update(new X509Certificate(pem).raw).digest('hex'));
    const slots = [...Array(SLOT_CHANGES).keys()].map(changeOf);
    /** What a slot holds once change `i` is in, given what it held before. */
    const apply = (before: string | null, i: number): string => {
      const c = changeOf(i);
      if (c.kind === 'certificate') return md5s[i % md5s.length]!;
      if (c.kind === 'file') return before === null ? String(i) : `${before},${i}`;
      return String(i);
    };
    /** What each slot must hold: every acknowledged change applied (null: never written). */
    const expected = new Map<string, string | null>(slots.map((c) => [slotKey(c), null]));
    let start = 0;
    let acks = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const killAt = { line: next() < 0.5 ? ('send' as const) : ('ack' as const), nth: 1 + Math.floor(next() * 12) };
      const run = await killWriter('module-writer.testutil.ts', dir, certsFile, start, killAt);
      acks += run.acked.length;
      for (const i of run.acked) {
        const key = slotKey(changeOf(i));
        expected.set(key, apply(expected.get(key)!, i));
      }
      assertNothingTorn(dir);
      const seen = await observe(dir, slots);
      const where = `seed ${seed}, round ${round}, killed at ${killAt.line} #${killAt.nth}`;
      for (const c of slots) {
        const key = slotKey(c);
        const now = expected.get(key)!;
        const inFlight = run.inFlight !== undefined && slotKey(changeOf(run.inFlight)) === key ? run.inFlight : undefined;
        const allowed = [now, ...(inFlight === undefined ? [] : [apply(now, inFlight)])];
        const got = seen.get(key)!;
        assert.ok(allowed.includes(got), `${where}: ${key} holds ${got}, allowed ${JSON.stringify(allowed)}`);
        expected.set(key, got);
      }
      start = (run.inFlight ?? run.acked.at(-1) ?? start - 1) + 1;
    }
    assert.ok(acks >= ROUNDS, `the writer got to write (${acks} acknowledged changes)`);
  });
});
