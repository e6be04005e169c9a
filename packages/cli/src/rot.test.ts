import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { main } from './program.js';
import { factoryKeyOf, rotExport, stateRots } from './rot.js';

describe('modemlab rot helpers', () => {
  it('factoryKeyOf: APIKEY:SECRET from the flag, else MODEMLAB_CLOUD_FACTORY_KEY; anything else is a usage error', () => {
    assert.deepEqual(factoryKeyOf('k:s:with:colons', {}), { apiKey: 'k', apiSecret: 's:with:colons' });
    assert.deepEqual(factoryKeyOf(undefined, { MODEMLAB_CLOUD_FACTORY_KEY: 'a:b' }), { apiKey: 'a', apiSecret: 'b' });
    assert.equal(factoryKeyOf(undefined, {}), undefined);
    for (const bad of ['nocolon', ':secret', 'key:']) assert.throws(() => factoryKeyOf(bad, {}), /APIKEY:SECRET/);
  });

  it('stateRots creates each root of trust once, in the folder serve uses', async () => {
    const root = mkdtempSync(join(tmpdir(), 'modemlab-rot-'));
    try {
      const a = await stateRots(root, 'sara-r5', 2);
      const b = await stateRots(root, 'sara-r5', 2);
      assert.deepEqual(b.map(rotExport), a.map(rotExport));
      assert.notEqual(a[0]!.uid, a[1]!.uid);
      assert.match(rotExport(a[0]!).RootSecret, /^[0-9a-f]{64}$/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('serve: --cloud without --cloud-ca (and the reverse) is a usage error; an unreadable CA file too', async () => {
    const err: string[] = [];
    const io = { out: () => {}, err: (t: string) => void err.push(t) };
    assert.equal(await main(['node', 'modemlab', 'serve', '--cloud', 'https://127.0.0.1:1'], io), 2);
    assert.equal(await main(['node', 'modemlab', 'serve', '--cloud-ca', '/nonexistent.pem'], io), 2);
    assert.equal(await main(['node', 'modemlab', 'serve', '--cloud', 'https://127.0.0.1:1', '--cloud-ca', '/nonexistent.pem'], io), 2);
    assert.equal(await main(['node', 'modemlab', 'serve', '--cloud', 'http://127.0.0.1:1', '--cloud-ca', '/nonexistent.pem'], io), 2);
    assert.match(err.join(''), /--cloud and --cloud-ca go together[\s\S]*cannot read --cloud-ca[\s\S]*--cloud is https:\/\/HOST\[:PORT\]/);
  });
});
