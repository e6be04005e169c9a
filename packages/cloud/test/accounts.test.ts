import assert from 'node:assert/strict';
import { it } from 'node:test';
import { generateKeyPair, SignJWT, UnsecuredJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { ManualClock } from '@modemlab/at';
import { describeOnStores, newAccount } from '../src/testing/fixtures.js';

describeOnStores('accounts and AuthTokens', (start) => {
  it('authenticate → RS256 JWT valid 1 h, accepted raw and as Bearer; a wrong secret or unknown key is 401', async () => {
    const t = await start();
    const a = await newAccount(t);
    assert.equal(decodeProtectedHeader(a.token).alg, 'RS256');
    const claims = decodeJwt(a.token);
    assert.equal(claims.exp! - claims.iat!, 3600);
    assert.equal(claims.token_use, 'id');
    assert.equal((await a.call('/v1/apikey/list')).status, 200);
    assert.equal((await a.call('/v1/apikey/list', {}, { bearer: true })).status, 200);
    const wrong = await t.request('POST', '/v1/authenticate', { APIKey: a.APIKey, APISecret: a.APISecret + 'x' });
    assert.deepEqual([wrong.status, wrong.body], [401, { Message: 'Invalid API key or secret' }]);
    const unknown = await t.request('POST', '/v1/authenticate', { APIKey: '0d636af8-d001-49ba-86d3-80f21272c14a', APISecret: a.APISecret });
    assert.deepEqual([unknown.status, unknown.body], [401, { Message: 'Invalid API key or secret' }]);
    const none = await t.request('POST', '/v1/apikey/list', {});
    assert.deepEqual([none.status, none.body], [401, { Message: 'Unauthorized' }]);
  });

  it('expired, forged, alg-none and garbage tokens are 401', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    const t = await start({ clock });
    const a = await newAccount(t);
    const claims = decodeJwt(a.token);
    const other = await generateKeyPair('RS256');
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'jwt-rs256-1' }).sign(other.privateKey);
    const algNone = new UnsecuredJWT(claims).encode();
    const [h, p] = a.token.split('.');
    const tamperedPayload = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url');
    for (const bad of [forged, algNone, `${h}.${tamperedPayload}.${a.token.split('.')[2]}`, 'not-a-jwt', `${h}.${p}.`]) {
      const res = await t.request('POST', '/v1/apikey/list', {}, { authorization: bad });
      assert.deepEqual([res.status, res.body], [401, { Message: 'Unauthorized' }], bad);
    }
    clock.advance(3599_000);
    assert.equal((await a.call('/v1/apikey/list')).status, 200);
    clock.advance(2_000);
    assert.equal((await a.call('/v1/apikey/list')).status, 401);
    // The refresh token still works and gives a fresh hour.
    const refreshed = await t.request<{ AuthToken: string }>('POST', '/v1/authenticate/refresh', { RefreshToken: a.refreshToken });
    assert.equal(refreshed.status, 200);
    assert.deepEqual(Object.keys(refreshed.body), ['AuthToken']);
    assert.equal((await t.request('POST', '/v1/apikey/list', {}, { authorization: refreshed.body.AuthToken })).status, 200);
    // Refresh tokens last 30 days.
    clock.advance(30 * 86_400_000);
    const late = await t.request('POST', '/v1/authenticate/refresh', { RefreshToken: a.refreshToken });
    assert.deepEqual([late.status, late.body], [401, { Message: 'Invalid or expired refresh token' }]);
  });

  it('revoking a refresh token kills it and every AuthToken of its session', async () => {
    const t = await start();
    const a = await newAccount(t);
    const fresh = await t.request<{ AuthToken: string }>('POST', '/v1/authenticate/refresh', { RefreshToken: a.refreshToken });
    assert.equal((await t.request('POST', '/v1/authenticate/revoke', { RefreshToken: a.refreshToken })).status, 200);
    assert.equal((await a.call('/v1/apikey/list')).status, 401);
    assert.equal((await t.request('POST', '/v1/apikey/list', {}, { authorization: fresh.body.AuthToken })).status, 401);
    assert.equal((await t.request('POST', '/v1/authenticate/refresh', { RefreshToken: a.refreshToken })).status, 401);
    assert.equal((await t.request('POST', '/v1/authenticate/revoke', { RefreshToken: 'nope' })).status, 401);
  });

  it('up to 5 API key pairs, secrets shown once and kept only as scrypt hashes; a revoked key stops its tokens', async () => {
    const t = await start();
    const a = await newAccount(t);
    const pairs: { APIKey: string; APISecret: string }[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await a.call<{ APIKey: string; APISecret: string }>('/v1/apikey/create');
      assert.equal(res.status, 200);
      assert.match(res.body.APIKey, /^[0-9a-f-]{36}$/);
      assert.equal(res.body.APISecret.length, 32);
      pairs.push(res.body);
    }
    const sixth = await a.call('/v1/apikey/create');
    assert.equal(sixth.status, 409);
    const list = await a.call<{ APIKeys: { APIKey: string }[] }>('/v1/apikey/list');
    assert.equal(list.body.APIKeys.length, 5);
    assert.ok(!JSON.stringify(list.body).includes(pairs[0]!.APISecret));
    const stored = await t.db.query<{ secret_hash: string }>('SELECT secret_hash FROM api_keys');
    for (const r of stored.rows) assert.match(r.secret_hash, /^scrypt\$16384\$8\$1\$/);
    for (const p of pairs) assert.ok(!stored.rows.some((r) => r.secret_hash.includes(p.APISecret)));

    const second = await t.request<{ AuthToken: string }>('POST', '/v1/authenticate', pairs[0]);
    assert.equal(second.status, 200);
    assert.equal((await a.call('/v1/apikey/revoke', { APIKey: pairs[0]!.APIKey })).status, 200);
    assert.equal((await t.request('POST', '/v1/apikey/list', {}, { authorization: second.body.AuthToken })).status, 401);
    assert.equal((await t.request('POST', '/v1/authenticate', pairs[0])).status, 401);
    assert.equal((await a.call('/v1/apikey/revoke', { APIKey: pairs[0]!.APIKey })).status, 404);
    assert.equal((await a.call('/v1/apikey/create')).status, 200);
  });
});
