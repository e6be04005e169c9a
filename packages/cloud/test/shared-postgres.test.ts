import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '@modemlab/at';
import { startTestCloud, type TestCloud } from '../src/testing/cloud.js';
import { moduleClient, newAccount, newModule } from '../src/testing/fixtures.js';
import { findPostgresBinDir, startPostgres, type PostgresServer } from '../src/testing/postgres.js';

const skip = (() => {
  try {
    findPostgresBinDir();
    return false;
  } catch {
    return 'PostgreSQL binaries not installed';
  }
})();

describe('two clouds on one PostgreSQL share everything', { skip }, () => {
  let pg: PostgresServer;
  let one: TestCloud;
  let two: TestCloud;
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12, 0, 0));

  before(async () => {
    pg = await startPostgres();
    const url = await pg.createDatabase('shared');
    const atRestKey = randomBytes(32);
    // Started together: both run the migrations at once, each step is applied exactly once.
    [one, two] = await Promise.all([
      startTestCloud({ db: url, atRestKey, clock, limits: { perMinute: 1000, perRoute: { '/v1/apikey/list': 4 } } }),
      startTestCloud({ db: url, atRestKey, clock, limits: { perMinute: 1000, perRoute: { '/v1/apikey/list': 4 } } }),
    ]);
  });
  after(async () => {
    await Promise.all([one?.close(), two?.close()]);
    await pg?.stop();
  });

  it('applied each migration once', async () => {
    const { rows } = await one.db.query<{ id: number }>('SELECT id FROM schema_migrations ORDER BY id');
    const ids = rows.map((r) => Number(r.id));
    assert.deepEqual(ids, [...new Set(ids)]);
    assert.ok(ids.includes(1) && ids.includes(2));
  });

  it('a token from one is accepted by the other; a refresh through one works on the other', async () => {
    const a = await newAccount(one);
    assert.equal((await two.request('POST', '/v1/apikey/list', {}, { authorization: a.token })).status, 200);
    const refreshed = await two.request<{ AuthToken: string }>('POST', '/v1/authenticate/refresh', { RefreshToken: a.refreshToken });
    assert.equal((await one.request('POST', '/v1/apikey/list', {}, { authorization: refreshed.body.AuthToken })).status, 200);
    assert.equal((await one.request('POST', '/v1/authenticate/revoke', { RefreshToken: a.refreshToken })).status, 200);
    assert.equal((await two.request('POST', '/v1/apikey/list', {}, { authorization: a.token })).status, 401);
  });

  it('a device sealed through one is seen by the other, and the module counter is shared (replay through the other is refused)', async () => {
    const a = await newAccount(two);
    const p = await a.call<{ DeviceProfileUID: string }>('/v1/deviceprofile/create', { Name: 'fleet', Features: ['PSK'], Whitelist: false });
    const m = await newModule(one);
    assert.equal((await m.send('/v1/module/bootstrap', {})).status, 200);
    const captured: { h?: Record<string, string>; raw?: Buffer } = {};
    const sealed = await m.send('/v1/module/seal', { DeviceProfileUID: p.body.DeviceProfileUID, DeviceSerialNumber: 'S1' }, { tamper: (h, raw) => ((captured.h = { ...h }), (captured.raw = raw), raw) });
    assert.equal(sealed.body.State, 'ACTIVE');
    const seen = await two.request('POST', '/v1/device/get', { ROTPublicUID: m.rotUid }, { authorization: a.token });
    assert.equal(seen.body.State, 'ACTIVE');
    assert.equal(seen.body.DeviceSerialNumber, 'S1');
    const replay = await two.request('POST', '/v1/module/seal', captured.raw, captured.h);
    assert.deepEqual([replay.status, replay.body], [401, { Message: 'Replayed module request' }]);
    // The module carries on through the other process.
    const through = moduleClient(two, m.rotUid, m.secret, m.counter);
    assert.equal((await through.send('/v1/module/heartbeat', {})).body.State, 'ACTIVE');
  });

  it('rate-limit counters are shared', async () => {
    const a = await newAccount(one);
    const calls = [one, two, one, two].map((c) => c.request('POST', '/v1/apikey/list', {}, { authorization: a.token }));
    assert.deepEqual((await Promise.all(calls)).map((r) => r.status), [200, 200, 200, 200]);
    assert.equal((await two.request('POST', '/v1/apikey/list', {}, { authorization: a.token })).status, 429);
    assert.equal((await one.request('POST', '/v1/apikey/list', {}, { authorization: a.token })).status, 429);
  });
});
