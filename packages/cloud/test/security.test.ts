import assert from 'node:assert/strict';
import { it } from 'node:test';
import { UnsecuredJWT, decodeJwt } from 'jose';
import { ManualClock } from '@modemlab/at';
import { describeOnStores, newAccount, newModule } from '../src/testing/fixtures.js';
import type { TestCloud } from '../src/testing/cloud.js';

const INJECTIONS = [`'; DROP TABLE devices; --`, `" OR 1=1 --`, `Robert'); DROP TABLE accounts;--`, `\\'; SELECT pg_sleep(10); --`, `$1 $2 ?`];

async function world(t: TestCloud) {
  const a = await newAccount(t, 'owner');
  const b = await newAccount(t, 'intruder');
  const profile = (await a.call<{ DeviceProfileUID: string }>('/v1/deviceprofile/create', { Name: 'p', Features: ['PSK'], Whitelist: false })).body.DeviceProfileUID;
  const profileB = (await b.call<{ DeviceProfileUID: string }>('/v1/deviceprofile/create', { Name: 'q', Whitelist: false })).body.DeviceProfileUID;
  const m = await newModule(t);
  await m.send('/v1/module/bootstrap', {});
  await a.call('/v1/device/claim', { ROTPublicUID: m.rotUid, DeviceProfileUID: profile, DeviceSerialNumber: 'A1' });
  return { a, b, profile, profileB, m };
}

describeOnStores('security matrix', (start) => {
  it("another account's device, profile or key is 404 on every route that names one, and stays unchanged", async () => {
    const t = await start();
    const { a, b, profile, profileB, m } = await world(t);
    const before = (await a.call('/v1/device/get', { ROTPublicUID: m.rotUid })).body;
    const beforeProfile = (await a.call('/v1/deviceprofile/get', { DeviceProfileUID: profile })).body;
    const foreign: [string, unknown][] = [
      ['/v1/device/get', { ROTPublicUID: m.rotUid }],
      ['/v1/device/features/set', { ROTPublicUID: m.rotUid, Features: { PSK: false } }],
      ['/v1/device/state/set', { ROTPublicUID: m.rotUid, State: 'SUSPENDED' }],
      ['/v1/device/claim', { ROTPublicUID: m.rotUid, DeviceProfileUID: profileB, DeviceSerialNumber: 'B' }],
      ['/v1/device/claim', { ROTPublicUID: m.rotUid, DeviceProfileUID: profile, DeviceSerialNumber: 'B' }],
      ['/v1/device/list', { DeviceProfileUID: profile }],
      ['/v1/deviceprofile/get', { DeviceProfileUID: profile }],
      ['/v1/deviceprofile/features/set', { DeviceProfileUID: profile, Features: [] }],
      ['/v1/deviceprofile/whitelist/add', { DeviceProfileUID: profile, ROTPublicUIDs: [m.rotUid] }],
      ['/v1/deviceprofile/whitelist/remove', { DeviceProfileUID: profile, ROTPublicUIDs: [m.rotUid] }],
      ['/v1/apikey/revoke', { APIKey: a.APIKey }],
    ];
    for (const [path, body] of foreign) {
      const res = await b.call(path, body);
      assert.equal(res.status, 404, `${path}: ${JSON.stringify(res.body)}`);
      assert.match(String(res.body.Message), /not found$/);
    }
    // An unknown resource answers exactly like a foreign one.
    assert.deepEqual((await b.call('/v1/device/get', { ROTPublicUID: '0000000000000000' })).body, (await b.call('/v1/device/get', { ROTPublicUID: m.rotUid })).body);
    assert.deepEqual((await a.call('/v1/device/get', { ROTPublicUID: m.rotUid })).body, before);
    assert.deepEqual((await a.call('/v1/deviceprofile/get', { DeviceProfileUID: profile })).body, beforeProfile);
    assert.deepEqual((await b.call<{ Devices: unknown[] }>('/v1/device/list', {})).body.Devices, []);
    assert.equal((await a.call('/v1/apikey/list')).status, 200);
    // A customer token on a factory route: the route does not exist for it.
    assert.equal((await a.call('/v1/factory/rot/register', { ChipID: 'x', ROTPublicUID: '0102030405060708', RootSecret: '00'.repeat(32) })).status, 404);
  });

  it('every authenticated route: no token, alg-none token → 401; malformed JSON, wrong type, unknown key → 400; oversize → 413', async () => {
    const t = await start({ bodyLimit: 4096 });
    const a = await newAccount(t);
    const none = new UnsecuredJWT(decodeJwt(a.token)).encode();
    const routes = t.cloud.routes.filter((r) => r.auth !== 'none' && r.method === 'POST');
    assert.ok(routes.length >= 15, `${routes.length} routes`);
    for (const r of routes.filter((x) => x.auth !== 'module')) {
      for (const authorization of [undefined, none, `Bearer ${none}`]) {
        const res = await t.request('POST', r.url, {}, authorization ? { authorization } : {});
        assert.deepEqual([res.status, res.body], [401, { Message: 'Unauthorized' }], `${r.url} ${authorization ?? 'no token'}`);
      }
    }
    for (const r of routes.filter((x) => x.auth === 'account')) {
      const auth = { authorization: a.token };
      const malformed = await t.request('POST', r.url, '{"Name": ', auth);
      assert.deepEqual([malformed.status, malformed.body], [400, { Message: 'Malformed JSON body' }], r.url);
      for (const bad of [[], 'text', 42, { Bogus: 1 }]) {
        const res = await t.request('POST', r.url, JSON.stringify(bad), auth);
        assert.equal(res.status, 400, `${r.url} ${JSON.stringify(bad)} → ${res.status} ${JSON.stringify(res.body)}`);
        assert.equal(typeof res.body.Message, 'string');
      }
      const big = await t.request('POST', r.url, JSON.stringify({ Name: 'x'.repeat(5000) }), auth);
      assert.equal(big.status, 413, r.url);
      assert.deepEqual(big.body, { Message: 'Request body larger than 4096 bytes' });
    }
    const typed = await a.call('/v1/deviceprofile/create', { Name: 7 });
    assert.deepEqual([typed.status, typed.body], [400, { Message: 'Name: Invalid input: expected string, received number' }]);
    const extra = await a.call('/v1/deviceprofile/create', { Name: 'n', Extra: true });
    assert.equal(extra.status, 400);
    assert.match(String(extra.body.Message), /Unrecognized key.*Extra/);
    const hex = await a.call('/v1/device/get', { ROTPublicUID: '0A04F008003C96ZZ' });
    assert.deepEqual([hex.status, hex.body], [400, { Message: 'ROTPublicUID: must be 16 hex characters' }]);
    const media = await t.request('POST', '/v1/deviceprofile/create', 'Name=x', { authorization: a.token, 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(media.status, 415);
    assert.equal(typeof media.body.Message, 'string');
  });

  it('SQL-injection strings in every string field are stored and returned verbatim, nothing executed', async () => {
    const t = await start();
    const a = await newAccount(t, INJECTIONS[2]!);
    for (const s of INJECTIONS) {
      const created = await a.call<{ DeviceProfileUID: string }>('/v1/deviceprofile/create', { Name: s, PricePlan: s, Whitelist: false });
      assert.equal(created.status, 200);
      const got = await a.call('/v1/deviceprofile/get', { DeviceProfileUID: created.body.DeviceProfileUID });
      assert.equal(got.body.Name, s);
      assert.equal(got.body.PricePlan, s);
      const m = await newModule(t);
      await m.send('/v1/module/bootstrap', { Model: s, FirmwareVersion: s });
      const serial = s.slice(0, 16);
      assert.equal((await m.send('/v1/module/seal', { DeviceProfileUID: created.body.DeviceProfileUID, DeviceSerialNumber: serial })).status, 200);
      assert.equal((await a.call('/v1/device/get', { ROTPublicUID: m.rotUid })).body.DeviceSerialNumber, serial);
      assert.equal((await t.request('POST', '/v1/authenticate', { APIKey: s, APISecret: s })).status, 401);
      assert.equal((await a.call('/v1/apikey/revoke', { APIKey: s })).status, 404);
      assert.equal((await t.request('POST', '/v1/authenticate/refresh', { RefreshToken: s })).status, 401);
    }
    const names = await t.db.query<{ name: string }>('SELECT name FROM accounts');
    assert.deepEqual(names.rows.map((r) => r.name), [INJECTIONS[2]]);
    const devices = await t.db.query('SELECT rot_uid FROM devices');
    assert.equal(devices.rows.length, INJECTIONS.length);
    assert.equal((await a.call('/v1/apikey/list')).status, 200);
  });

  it('rate limits per account and per route, with their own window; authenticate per client address', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 12, 0, 0));
    const t = await start({ clock, limits: { perMinute: 3, perRoute: { '/v1/authenticate': 4 } } });
    const a = await newAccount(t);
    const b = await newAccount(t, 'b');
    for (let i = 0; i < 3; i++) assert.equal((await a.call('/v1/deviceprofile/list')).status, 200);
    const limited = await a.call('/v1/deviceprofile/list');
    assert.deepEqual([limited.status, limited.body], [429, { Message: 'Rate limit of 3 requests per minute exceeded' }]);
    assert.equal((await a.call('/v1/apikey/list')).status, 200, 'another route has its own counter');
    assert.equal((await b.call('/v1/deviceprofile/list')).status, 200, 'another account has its own counter');
    clock.advance(60_000);
    assert.equal((await a.call('/v1/deviceprofile/list')).status, 200, 'a new window');
    // newAccount authenticated twice already in this window.
    clock.advance(60_000);
    const creds = { APIKey: a.APIKey, APISecret: a.APISecret };
    for (let i = 0; i < 4; i++) assert.equal((await t.request('POST', '/v1/authenticate', creds)).status, 200);
    assert.equal((await t.request('POST', '/v1/authenticate', creds)).status, 429);
    // Modules are counted per root of trust.
    const m = await newModule(t);
    for (let i = 0; i < 3; i++) assert.equal((await m.send('/v1/module/bootstrap', {})).status, 200);
    assert.equal((await m.send('/v1/module/bootstrap', {})).status, 429);
    assert.equal((await t.request('GET', '/health')).status, 200);
  });

  it('--trust-proxy: unauthenticated routes are limited per X-Forwarded-For client, not per balancer', async () => {
    const limits = { perMinute: 1000, perRoute: { '/v1/authenticate/refresh': 1 } };
    const body = { RefreshToken: 'unknown' };
    const direct = await start({ limits });
    assert.equal((await direct.request('POST', '/v1/authenticate/refresh', body, { 'x-forwarded-for': '198.51.100.1' })).status, 401);
    assert.equal((await direct.request('POST', '/v1/authenticate/refresh', body, { 'x-forwarded-for': '198.51.100.2' })).status, 429, 'one bucket for the balancer');
    const proxied = await start({ limits, trustProxy: ['127.0.0.1'] });
    assert.equal((await proxied.request('POST', '/v1/authenticate/refresh', body, { 'x-forwarded-for': '198.51.100.1' })).status, 401);
    assert.equal((await proxied.request('POST', '/v1/authenticate/refresh', body, { 'x-forwarded-for': '198.51.100.2' })).status, 401);
    assert.equal((await proxied.request('POST', '/v1/authenticate/refresh', body, { 'x-forwarded-for': '198.51.100.1' })).status, 429);
  });
});
