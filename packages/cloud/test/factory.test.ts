import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { describeOnStores, moduleClient, newAccount, newRotUid } from '../src/testing/fixtures.js';

describeOnStores('factory registry', (start) => {
  it('a factory account registers a root of trust once; that module can then bootstrap; the secret is kept encrypted', async () => {
    const t = await start();
    const factory = await newAccount(t, 'line-1', 'factory');
    const uid = newRotUid();
    const secret = randomBytes(32);
    const body = { ChipID: 'chip-001', ROTPublicUID: uid.toLowerCase(), RootSecret: secret.toString('hex').toUpperCase() };
    assert.deepEqual(await factory.call('/v1/factory/rot/register', body).then((r) => [r.status, r.body]), [200, {}]);
    const again = await factory.call('/v1/factory/rot/register', body);
    assert.deepEqual([again.status, again.body], [409, { Message: 'Root of trust or chip id already registered' }]);
    const sameChip = await factory.call('/v1/factory/rot/register', { ...body, ROTPublicUID: newRotUid() });
    assert.equal(sameChip.status, 409);
    for (const bad of [{ ...body, RootSecret: 'ab' }, { ...body, RootSecret: 'zz'.repeat(32) }, { ...body, ROTPublicUID: '123' }, { ...body, Extra: 1 }]) {
      assert.equal((await factory.call('/v1/factory/rot/register', bad)).status, 400, JSON.stringify(bad));
    }
    const stored = await t.db.query<{ secret_enc: string }>('SELECT secret_enc FROM rots WHERE rot_uid = $1', [uid]);
    assert.match(stored.rows[0]!.secret_enc, /^v1\./);
    assert.ok(!stored.rows[0]!.secret_enc.includes(secret.toString('hex')));
    const m = moduleClient(t, uid, secret);
    const boot = await m.send('/v1/module/bootstrap', {});
    assert.deepEqual([boot.status, boot.body.State], [200, 'BOOTSTRAPPED']);
  });

  it('GET /openapi.json lists every route with its security scheme', async () => {
    const t = await start();
    const res = await t.request<{ paths: Record<string, Record<string, { security?: unknown[] }>> }>('GET', '/openapi.json');
    assert.equal(res.status, 200);
    for (const r of t.cloud.routes) assert.ok(res.body.paths[r.url]?.[r.method.toLowerCase()], `${r.method} ${r.url}`);
    assert.deepEqual(res.body.paths['/v1/device/get']!.post!.security, [{ AuthToken: [] }]);
    assert.equal(res.body.paths['/v1/module/heartbeat']!.post!.security!.length, 1);
    assert.equal(res.body.paths['/v1/authenticate']!.post!.security, undefined);
  });
});
