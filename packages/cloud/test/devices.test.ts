import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOnStores, newAccount, newModule, type TestAccount, type TestModule } from '../src/testing/fixtures.js';
import type { TestCloud } from '../src/testing/cloud.js';

const ALL_OFF = { E2E: false, PSK: false, ZTP: false, C2C: false, LocalDataProtection: false, LocalC2CKeyPairing: false };

async function profile(a: TestAccount, body: Record<string, unknown> = {}): Promise<string> {
  const res = await a.call<{ DeviceProfileUID: string }>('/v1/deviceprofile/create', { Name: 'fleet', Features: ['E2E', 'PSK'], ...body });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.match(res.body.DeviceProfileUID, /^[0-9A-Za-z]{22}$/);
  return res.body.DeviceProfileUID;
}

async function bootstrapped(t: TestCloud): Promise<TestModule> {
  const m = await newModule(t);
  const res = await m.send('/v1/module/bootstrap', { Model: 'SARA-R510M8S' });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.DeviceInfo, '1,0,1');
  assert.equal(res.body.State, 'BOOTSTRAPPED');
  return m;
}

describeOnStores('device profiles, sealing, heartbeats', (start) => {
  it('a whitelisted module seals ACTIVE with the profile features; the heartbeat delivers them', async () => {
    const t = await start();
    const a = await newAccount(t);
    const m = await bootstrapped(t);
    const uid = await profile(a);
    assert.equal((await a.call('/v1/deviceprofile/whitelist/add', { DeviceProfileUID: uid, ROTPublicUIDs: [m.rotUid.toLowerCase()] })).status, 200);
    const got = await a.call<{ WhitelistedROTPublicUIDs: string[]; Whitelist: boolean; Features: unknown }>('/v1/deviceprofile/get', { DeviceProfileUID: uid });
    assert.deepEqual(got.body.WhitelistedROTPublicUIDs, [m.rotUid]);
    assert.equal(got.body.Whitelist, true);
    assert.deepEqual(got.body.Features, { ...ALL_OFF, E2E: true, PSK: true });

    const sealed = await m.send('/v1/module/seal', { DeviceProfileUID: uid, DeviceSerialNumber: '357520074014436' });
    assert.equal(sealed.status, 200, JSON.stringify(sealed.body));
    assert.equal(sealed.body.DeviceInfo, '1,1,1');
    assert.equal(sealed.body.State, 'ACTIVE');
    assert.deepEqual(sealed.body.Features, { ...ALL_OFF, E2E: true, PSK: true });
    const again = await m.send('/v1/module/seal', { DeviceProfileUID: uid, DeviceSerialNumber: '357520074014436' });
    assert.deepEqual([again.status, again.body], [409, { Message: 'Device already sealed' }]);

    const hb = await m.send('/v1/module/heartbeat', {});
    assert.equal(hb.status, 200);
    assert.deepEqual(hb.body.Revocations, []);
    assert.equal(hb.body.KeyEpoch, 0);
    assert.equal(hb.body.HeartbeatIntervalSeconds, 86400);
    const dev = await a.call('/v1/device/get', { ROTPublicUID: m.rotUid });
    assert.equal(dev.body.DeviceSerialNumber, '357520074014436');
    assert.equal(dev.body.DeviceProfileUID, uid);
    assert.equal(typeof dev.body.LastHeartbeat, 'string');

    // Per-device override, then suspension: the heartbeat lists what was withdrawn.
    assert.equal((await a.call('/v1/device/features/set', { ROTPublicUID: m.rotUid, Features: { PSK: false, ZTP: true } })).status, 200);
    const hb2 = await m.send('/v1/module/heartbeat', {});
    assert.deepEqual(hb2.body.Features, { ...ALL_OFF, E2E: true, ZTP: true });
    assert.deepEqual(hb2.body.Revocations, ['PSK']);
    assert.deepEqual((await a.call('/v1/device/state/set', { ROTPublicUID: m.rotUid, State: 'SUSPENDED' })).body, { State: 'SUSPENDED' });
    const hb3 = await m.send('/v1/module/heartbeat', {});
    assert.equal(hb3.body.State, 'SUSPENDED');
    assert.deepEqual(hb3.body.Features, ALL_OFF);
    assert.deepEqual(hb3.body.Revocations, ['E2E', 'ZTP']);
    await a.call('/v1/device/state/set', { ROTPublicUID: m.rotUid, State: 'ACTIVE' });
    assert.deepEqual((await m.send('/v1/module/heartbeat', {})).body.Features, { ...ALL_OFF, E2E: true, ZTP: true });
  });

  it('a module not on the whitelist is ALLOCATED, blacklisted, featureless; whitelisting it unblocks it', async () => {
    const t = await start();
    const a = await newAccount(t);
    const m = await bootstrapped(t);
    const uid = await profile(a);
    const sealed = await m.send('/v1/module/seal', { DeviceProfileUID: uid, DeviceSerialNumber: 'SN1' });
    assert.equal(sealed.body.State, 'ALLOCATED');
    assert.deepEqual(sealed.body.Features, ALL_OFF);
    const dev = await a.call('/v1/device/get', { ROTPublicUID: m.rotUid });
    assert.equal(dev.body.Blacklisted, true);
    await a.call('/v1/deviceprofile/whitelist/add', { DeviceProfileUID: uid, ROTPublicUIDs: [m.rotUid] });
    const hb = await m.send('/v1/module/heartbeat', {});
    assert.equal(hb.body.State, 'ACTIVE');
    assert.deepEqual(hb.body.Features, { ...ALL_OFF, E2E: true, PSK: true });
    await a.call('/v1/deviceprofile/whitelist/remove', { DeviceProfileUID: uid, ROTPublicUIDs: [m.rotUid] });
    assert.deepEqual((await a.call('/v1/deviceprofile/get', { DeviceProfileUID: uid })).body.WhitelistedROTPublicUIDs, []);
  });

  it('a profile without whitelist seals anyone ACTIVE; an unknown profile is 404; sealing before bootstrap is 409', async () => {
    const t = await start();
    const a = await newAccount(t);
    const uid = await profile(a, { Whitelist: false, Features: ['ZTP'] });
    const m = await bootstrapped(t);
    assert.equal((await m.send('/v1/module/seal', { DeviceProfileUID: 'AgbCtixjwqLjwV3VWpfPyz', DeviceSerialNumber: 'x' })).status, 404);
    assert.equal((await m.send('/v1/module/seal', { DeviceProfileUID: uid, DeviceSerialNumber: 'x' })).body.State, 'ACTIVE');
    const fresh = await newModule(t);
    assert.deepEqual((await fresh.send('/v1/module/seal', { DeviceProfileUID: uid, DeviceSerialNumber: 'y' })).body, { Message: 'Device not bootstrapped' });
    assert.deepEqual((await fresh.send('/v1/module/heartbeat', {})).body, { Message: 'Device not bootstrapped' });
  });

  it('claim by API seals a bootstrapped device; list pages through the account devices only', async () => {
    const t = await start();
    const a = await newAccount(t);
    const b = await newAccount(t, 'other');
    const uidA = await profile(a, { Whitelist: false });
    const uidB = await profile(b, { Whitelist: false });
    const mods: TestModule[] = [];
    for (let i = 0; i < 5; i++) mods.push(await bootstrapped(t));
    for (const m of mods.slice(0, 4)) {
      const c = await a.call('/v1/device/claim', { ROTPublicUID: m.rotUid, DeviceProfileUID: uidA, DeviceSerialNumber: `S${m.rotUid.slice(-4)}` });
      assert.deepEqual([c.status, c.body], [200, { State: 'ACTIVE' }]);
    }
    await b.call('/v1/device/claim', { ROTPublicUID: mods[4]!.rotUid, DeviceProfileUID: uidB, DeviceSerialNumber: 'B' });
    // Claiming another account's device, or into another account's profile: 404 either way.
    assert.equal((await b.call('/v1/device/claim', { ROTPublicUID: mods[0]!.rotUid, DeviceProfileUID: uidB, DeviceSerialNumber: 'B' })).status, 404);
    assert.equal((await a.call('/v1/device/claim', { ROTPublicUID: mods[0]!.rotUid, DeviceProfileUID: uidA, DeviceSerialNumber: 'B' })).status, 409);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await a.call<{ Devices: { ROTPublicUID: string }[]; NextPageToken?: string }>('/v1/device/list', { PageSize: 3, ...(token ? { PageToken: token } : {}) });
      assert.equal(res.status, 200);
      seen.push(...res.body.Devices.map((d) => d.ROTPublicUID));
      token = res.body.NextPageToken;
      pages++;
    } while (token);
    assert.equal(pages, 2);
    assert.deepEqual(seen, mods.slice(0, 4).map((m) => m.rotUid).sort());
    const byProfile = await b.call<{ Devices: unknown[] }>('/v1/device/list', { DeviceProfileUID: uidB });
    assert.equal(byProfile.body.Devices.length, 1);
    assert.equal((await a.call('/v1/device/list', { PageToken: 'garbage!' })).status, 400);
    assert.equal((await a.call('/v1/device/list', { PageSize: 101 })).status, 400);
  });
});
