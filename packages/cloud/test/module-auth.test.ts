import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MODULE_REQUEST_HEADERS } from '@modemlab/at';
import { describeOnStores, moduleClient, newAccount, newModule } from '../src/testing/fixtures.js';

describeOnStores('module requests authenticated by the root of trust', (start) => {
  it('a tampered body, header or MAC, an unknown root of trust and missing headers are 401 and change nothing', async () => {
    const t = await start();
    const m = await newModule(t);
    const cases: [string, (h: Record<string, string>, raw: Buffer) => Buffer, string][] = [
      ['body', (_h, raw) => Buffer.from(raw.toString().replace('SARA', 'LARA')), 'Bad module request MAC'],
      ['counter', (h, raw) => ((h[MODULE_REQUEST_HEADERS.counter] = '999'), raw), 'Bad module request MAC'],
      ['nonce', (h, raw) => ((h[MODULE_REQUEST_HEADERS.nonce] = '0'.repeat(32)), raw), 'Bad module request MAC'],
      ['mac', (h, raw) => ((h[MODULE_REQUEST_HEADERS.mac] = h[MODULE_REQUEST_HEADERS.mac]!.replace(/^./, (c) => (c === '0' ? '1' : '0'))), raw), 'Bad module request MAC'],
      ['rot', (h, raw) => ((h[MODULE_REQUEST_HEADERS.rotUid] = 'FFFFFFFFFFFFFFFF'), raw), 'Unknown root of trust'],
      ['missing', (h, raw) => (delete h[MODULE_REQUEST_HEADERS.mac], raw), 'Missing or malformed module credentials'],
    ];
    for (const [name, tamper, message] of cases) {
      const res = await m.send('/v1/module/bootstrap', { Model: 'SARA-R5' }, { tamper });
      assert.deepEqual([res.status, res.body], [401, { Message: message }], name);
    }
    const rows = await t.db.query('SELECT rot_uid FROM devices');
    assert.equal(rows.rows.length, 0);
    const rot = await t.db.query<{ last_counter: number }>('SELECT last_counter FROM rots');
    assert.equal(Number(rot.rows[0]!.last_counter), -1);
    // A module secret that is not the registered one.
    const impostor = moduleClient(t, m.rotUid, Buffer.alloc(32, 7));
    assert.equal((await impostor.send('/v1/module/bootstrap', {})).status, 401);
    assert.equal((await m.send('/v1/module/bootstrap', {})).status, 200);
  });

  it('a replayed request (same counter, same MAC) is 401 and flags nothing', async () => {
    const t = await start();
    const m = await newModule(t);
    const captured: { headers?: Record<string, string>; raw?: Buffer } = {};
    const first = await m.send('/v1/module/bootstrap', {}, { tamper: (h, raw) => ((captured.headers = { ...h }), (captured.raw = raw), raw) });
    assert.equal(first.status, 200);
    const replay = await t.request('POST', '/v1/module/bootstrap', captured.raw, captured.headers);
    assert.deepEqual([replay.status, replay.body], [401, { Message: 'Replayed module request' }]);
    assert.equal((await m.send('/v1/module/heartbeat', {})).body.Cloned, false);
  });

  it('two devices with one root of trust: the second one at a used counter flags the device Cloned and suspends its features', async () => {
    const t = await start();
    const a = await newAccount(t);
    const p = await a.call<{ DeviceProfileUID: string }>('/v1/deviceprofile/create', { Name: 'f', Features: ['E2E', 'PSK', 'ZTP'], Whitelist: false });
    const m = await newModule(t);
    await m.send('/v1/module/bootstrap', {});
    await m.send('/v1/module/seal', { DeviceProfileUID: p.body.DeviceProfileUID, DeviceSerialNumber: 'SN' });
    const hb = await m.send('/v1/module/heartbeat', {});
    assert.equal(hb.body.Features && (hb.body.Features as Record<string, boolean>).E2E, true);
    // The clone copied the secret and the counter state from before the last heartbeat.
    const clone = moduleClient(t, m.rotUid, m.secret, m.counter - 1);
    const res = await clone.send('/v1/module/heartbeat', {});
    assert.deepEqual([res.status, res.body], [409, { Message: 'Root of trust used by two devices: device flagged as cloned' }]);
    const dev = await a.call('/v1/device/get', { ROTPublicUID: m.rotUid });
    assert.equal(dev.body.Cloned, true);
    assert.deepEqual(Object.values(dev.body.Features as object).filter(Boolean), []);
    const after = await m.send('/v1/module/heartbeat', {});
    assert.equal(after.status, 200);
    assert.equal(after.body.Cloned, true);
    assert.deepEqual(after.body.Revocations, ['E2E', 'PSK', 'ZTP']);
  });

  it('a counter below the kept window is refused as stale without flagging', async () => {
    const t = await start();
    const m = await newModule(t);
    await m.send('/v1/module/bootstrap', {}, { counter: 5000 });
    const res = await m.send('/v1/module/heartbeat', {}, { counter: 10 });
    assert.deepEqual([res.status, res.body], [401, { Message: 'Stale module request counter' }]);
    const hb = await m.send('/v1/module/heartbeat', {}, { counter: 5001 });
    assert.equal(hb.body.Cloned, false);
  });
});
