import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  derivePsk,
  devIdxOf,
  e2eDecrypt,
  e2eEncrypt,
  e2eSeal,
  e2eV1Identity,
  e2eV2Identity,
  pskIdentity,
  randomEpochSalt,
} from '@modemlab/at';
import { ccmDecryptReference, officialScriptDecrypt } from '../../at/src/security/ccm-reference.testutil.js';
import { describeOnStores, newAccount, newModule } from '../src/testing/fixtures.js';
import { sealedDevice } from '../src/testing/sealed-device.js';

const fox = Buffer.from('The quick brown fox jumps over the lazy dog.');

interface Params {
  Nonce: string;
  MACLength: number;
  CipherSuite: string;
  Key: string;
  ROTPublicUID: string;
}

describeOnStores('key services', (start) => {
  it('GetPSK regenerates the PSK the module derived, 128 or 256 bits, from the identity alone', async () => {
    const t = await start();
    const a = await newAccount(t);
    const { module } = await sealedDevice(t, a, ['PSK']);
    const id = pskIdentity(devIdxOf(module.rotUid));
    // Seed 001: KeyLength in bits, optional; the notes' byte form means the same length.
    for (const [asked, bytes] of [[128, 16], [256, 32], [16, 16], [32, 32]] as const) {
      const res = await a.call('/v1/psk/get', { KeyID: id.toString('hex').toUpperCase(), KeyLength: asked });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, { PSK: derivePsk(module.secret, id, bytes).toString('base64'), KeyLength: asked, ROTPublicUID: module.rotUid });
    }
    const byDefault = await a.call('/v1/psk/get', { KeyID: id.toString('hex') });
    assert.deepEqual(byDefault.body, { PSK: derivePsk(module.secret, id, 32).toString('base64'), KeyLength: 256, ROTPublicUID: module.rotUid });
  });

  it('GetE2EDecryptionParameters answers exactly {Nonce, MACLength, CipherSuite, Key, ROTPublicUID}; the official script logic decrypts V1', async () => {
    const t = await start();
    const a = await newAccount(t);
    const { module } = await sealedDevice(t, a, ['E2E']);
    const id = e2eV1Identity({ devIdx: devIdxOf(module.rotUid), epochSalt: randomEpochSalt(), counter: 0 });
    const blob = e2eEncrypt(module.secret, id, fox); // what +USECE2EDATAENC gives the host
    assert.equal(blob.length, fox.length + 32);
    for (const bearer of [false, true]) {
      const res = await a.call<Params>('/v1/e2e/uplink/protectionparameters/get', { EncryptedHeader: blob.subarray(0, 16).toString('hex') }, { bearer });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(Object.keys(res.body), ['Nonce', 'MACLength', 'CipherSuite', 'Key', 'ROTPublicUID']);
      assert.equal(res.body.MACLength, 128);
      assert.equal(res.body.CipherSuite, 'AES_128_CCM');
      assert.equal(res.body.ROTPublicUID, module.rotUid);
      assert.deepEqual(officialScriptDecrypt(blob, res.body), fox);
    }
    // Uppercase hex is the same identity.
    const upper = await a.call<Params>('/v1/e2e/uplink/protectionparameters/get', { EncryptedHeader: blob.subarray(0, 16).toString('hex').toUpperCase() });
    assert.deepEqual(officialScriptDecrypt(blob, upper.body), fox);
  });

  it('V2: 11-byte identity, AES_128_CCM_AAD over the 12-byte header', async () => {
    const t = await start();
    const a = await newAccount(t);
    const { module } = await sealedDevice(t, a, ['E2E']);
    const id = e2eV2Identity({ devIdx: devIdxOf(module.rotUid), epoch: 0, counter: 7 });
    const blob = e2eEncrypt(module.secret, id, fox);
    assert.equal(blob.length, fox.length + 28);
    const res = await a.call<Params>('/v1/e2e/uplink/protectionparameters/get', { EncryptedHeader: blob.subarray(0, 11).toString('hex') });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(Object.keys(res.body), ['Nonce', 'MACLength', 'CipherSuite', 'Key', 'ROTPublicUID']);
    assert.equal(res.body.CipherSuite, 'AES_128_CCM_AAD');
    const pt = ccmDecryptReference(Buffer.from(res.body.Key, 'base64'), Buffer.from(res.body.Nonce, 'base64'), blob.subarray(12, -16), blob.subarray(-16), blob.subarray(0, 12));
    assert.deepEqual(pt, fox);
  });

  it('downlink: the app encrypts with the parameters, the module decrypts with its root secret', async () => {
    const t = await start();
    const a = await newAccount(t);
    const { module } = await sealedDevice(t, a, ['E2E']);
    const res = await a.call<{ EncryptedHeader: string; Nonce: string; MACLength: number; CipherSuite: string; Key: string }>('/v1/e2e/downlink/protectionparameters/get', { ROTPublicUID: module.rotUid.toLowerCase() });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(Object.keys(res.body), ['EncryptedHeader', 'Nonce', 'MACLength', 'CipherSuite', 'Key']);
    assert.match(res.body.EncryptedHeader, /^1102[0-9a-f]{28}$/);
    const key = Buffer.from(res.body.Key, 'base64');
    const nonce = Buffer.from(res.body.Nonce, 'base64');
    const header = Buffer.from(res.body.EncryptedHeader, 'hex');
    const blob = e2eSeal({ version: 1, key, nonce, macLengthBits: res.body.MACLength, cipherSuite: res.body.CipherSuite }, header, fox);
    assert.deepEqual(ccmDecryptReference(key, nonce, blob.subarray(16, -16), blob.subarray(-16)), fox);
    assert.deepEqual(e2eDecrypt(module.secret, blob), fox);
    // Each call is a fresh identity, and a downlink identity is not an uplink one.
    const again = await a.call<{ EncryptedHeader: string }>('/v1/e2e/downlink/protectionparameters/get', { ROTPublicUID: module.rotUid });
    assert.notEqual(again.body.EncryptedHeader, res.body.EncryptedHeader);
    const asUplink = await a.call('/v1/e2e/uplink/protectionparameters/get', { EncryptedHeader: res.body.EncryptedHeader });
    assert.deepEqual([asUplink.status, asUplink.body], [400, { Message: 'EncryptedHeader: not an uplink key identity' }]);
  });

  it('key rotation moves the epoch, and the heartbeat delivers it', async () => {
    const t = await start();
    const a = await newAccount(t);
    const { module } = await sealedDevice(t, a, ['E2E']);
    assert.deepEqual((await a.call('/v1/e2e/keyrotation/set', { ROTPublicUID: module.rotUid })).body, { KeyEpoch: 1 });
    assert.deepEqual((await a.call('/v1/e2e/keyrotation/set', { ROTPublicUID: module.rotUid })).body, { KeyEpoch: 2 });
    const hb = await module.send<{ KeyEpoch: number }>('/v1/module/heartbeat', {});
    assert.equal(hb.body.KeyEpoch, 2);
  });

  it('keys only for a device that may use the feature: 403 without it, 200 once granted, 403 again when suspended', async () => {
    const t = await start();
    const a = await newAccount(t);
    const { module } = await sealedDevice(t, a, []);
    const pskBody = { KeyID: pskIdentity(devIdxOf(module.rotUid)).toString('hex'), KeyLength: 32 };
    const e2eBody = { EncryptedHeader: e2eV1Identity({ devIdx: devIdxOf(module.rotUid), epochSalt: randomEpochSalt(), counter: 0 }).toString('hex') };
    assert.deepEqual((await a.call('/v1/psk/get', pskBody)).body, { Message: 'Feature PSK is not authorized for this device' });
    assert.equal((await a.call('/v1/psk/get', pskBody)).status, 403);
    assert.equal((await a.call('/v1/e2e/uplink/protectionparameters/get', e2eBody)).status, 403);
    assert.equal((await a.call('/v1/e2e/downlink/protectionparameters/get', { ROTPublicUID: module.rotUid })).status, 403);
    assert.equal((await a.call('/v1/device/features/set', { ROTPublicUID: module.rotUid, Features: { PSK: true, E2E: true } })).status, 200);
    assert.equal((await a.call('/v1/psk/get', pskBody)).status, 200);
    assert.equal((await a.call('/v1/e2e/uplink/protectionparameters/get', e2eBody)).status, 200);
    assert.equal((await a.call('/v1/device/state/set', { ROTPublicUID: module.rotUid, State: 'SUSPENDED' })).status, 200);
    assert.equal((await a.call('/v1/psk/get', pskBody)).status, 403);
  });

  it("another account's device is 404 on every key endpoint, exactly like a device that does not exist", async () => {
    const t = await start();
    const owner = await newAccount(t, 'owner');
    const other = await newAccount(t, 'other');
    const { module } = await sealedDevice(t, owner, ['PSK', 'E2E']);
    const devIdx = devIdxOf(module.rotUid);
    const ghostIdx = Buffer.from('ffffeeeeddde', 'hex');
    const cases: [string, (idx: Buffer, uid: string) => Record<string, unknown>][] = [
      ['/v1/psk/get', (idx) => ({ KeyID: pskIdentity(idx).toString('hex'), KeyLength: 16 })],
      ['/v1/e2e/uplink/protectionparameters/get', (idx) => ({ EncryptedHeader: e2eV1Identity({ devIdx: idx, epochSalt: randomEpochSalt(), counter: 0 }).toString('hex') })],
      ['/v1/e2e/uplink/protectionparameters/get', (idx) => ({ EncryptedHeader: e2eV2Identity({ devIdx: idx, epoch: 0, counter: 0 }).toString('hex') })],
      ['/v1/e2e/downlink/protectionparameters/get', (_idx, uid) => ({ ROTPublicUID: uid })],
      ['/v1/e2e/keyrotation/set', (_idx, uid) => ({ ROTPublicUID: uid })],
    ];
    for (const [path, body] of cases) {
      const foreign = await other.call(path, body(devIdx, module.rotUid));
      const ghost = await other.call(path, body(ghostIdx, `0000${ghostIdx.toString('hex').toUpperCase()}`));
      assert.deepEqual([foreign.status, foreign.body], [404, { Message: 'Device not found' }], path);
      assert.deepEqual([ghost.status, ghost.body], [foreign.status, foreign.body], path);
    }
    // The rotation attempt by the other account changed nothing.
    assert.deepEqual((await owner.call('/v1/e2e/keyrotation/set', { ROTPublicUID: module.rotUid })).body, { KeyEpoch: 1 });
  });

  it('identities name a device by the low 6 bytes of its RoT UID, so the registry keeps those unique', async () => {
    const t = await start();
    await newModule(t, '0A04F008003C9623');
    await assert.rejects(newModule(t, 'FFFFF008003C9623'), (e: unknown) => (e as { status?: number }).status === 409);
    await newModule(t, '0A04F008003C9624');
  });

  it('bad input is a 400 with a Message and changes nothing', async () => {
    const t = await start();
    const a = await newAccount(t);
    const { module } = await sealedDevice(t, a, ['PSK', 'E2E']);
    const bad: [string, unknown][] = [
      ['/v1/psk/get', { KeyID: 'zz', KeyLength: 16 }],
      ['/v1/psk/get', { KeyID: pskIdentity(devIdxOf(module.rotUid)).toString('hex'), KeyLength: 24 }],
      ['/v1/psk/get', { KeyID: pskIdentity(devIdxOf(module.rotUid)).toString('hex'), KeyLength: '32' }],
      ['/v1/psk/get', { KeyID: '2201' + '00'.repeat(12), KeyLength: 16 }],
      ['/v1/psk/get', { KeyID: pskIdentity(devIdxOf(module.rotUid)).toString('hex'), KeyLength: 16, Extra: 1 }],
      ['/v1/e2e/uplink/protectionparameters/get', { EncryptedHeader: '11' }],
      ['/v1/e2e/uplink/protectionparameters/get', { EncryptedHeader: '31' + '00'.repeat(15) }],
      ['/v1/e2e/uplink/protectionparameters/get', { EncryptedHeader: '21' + '00'.repeat(15) }],
      ['/v1/e2e/uplink/protectionparameters/get', { EncryptedHeader: "1101'; DROP TABLE rots; --" }],
      ['/v1/e2e/uplink/protectionparameters/get', {}],
      ['/v1/e2e/downlink/protectionparameters/get', { ROTPublicUID: 'not-a-uid' }],
      ['/v1/e2e/keyrotation/set', { ROTPublicUID: module.rotUid, KeyEpoch: 9 }],
      ['/v1/e2e/keyrotation/set', "{ 'ROTPublicUID': "],
    ];
    for (const [path, body] of bad) {
      const res = await a.call<{ Message: string }>(path, body);
      assert.equal(res.status, 400, `${path} ${JSON.stringify(body)}`);
      assert.deepEqual(Object.keys(res.body), ['Message']);
    }
    assert.deepEqual((await a.call('/v1/e2e/keyrotation/set', { ROTPublicUID: module.rotUid })).body, { KeyEpoch: 1 });
  });
});
