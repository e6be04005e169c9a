import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { derivePsk, devIdxOf, e2eEncrypt, e2eSeal, e2eDecrypt, e2eV1Identity, e2eV2Identity, ManualClock, pskIdentity, randomEpochSalt } from '@modemlab/at';
import { CloudClient, CloudRequestError, decryptE2e, E2eDecryptError } from '@modemlab/sdk';
import { startTestCloud, type TestCloud } from '../packages/cloud/src/testing/cloud.js';
import { newAccount, type TestAccount } from '../packages/cloud/src/testing/fixtures.js';
import { sealedDevice, type SealedDevice } from '../packages/cloud/src/testing/sealed-device.js';

const fox = Buffer.from('The quick brown fox jumps over the lazy dog.');

describe('SDK against a real cloud over HTTPS', () => {
  const clock = new ManualClock(Date.UTC(2026, 11, 5, 8));
  let t: TestCloud;
  let account: TestAccount;
  let device: SealedDevice;
  let client: CloudClient;

  before(async () => {
    t = await startTestCloud({ clock });
    account = await newAccount(t);
    device = await sealedDevice(t, account, ['E2E', 'PSK']);
    client = new CloudClient({ cloudUrl: t.url, apiKey: account.APIKey, apiSecret: account.APISecret, ca: t.caPem });
  });
  after(async () => {
    client.close();
    await t.close();
  });

  const creds = () => ({ cloudUrl: t.url, apiKey: account.APIKey, apiSecret: account.APISecret, ca: t.caPem });

  it('decryptE2e opens V1 and V2 blobs from the module with parameters fetched from the cloud', async () => {
    const devIdx = devIdxOf(device.module.rotUid);
    const v1 = e2eEncrypt(device.module.secret, e2eV1Identity({ devIdx, epochSalt: randomEpochSalt(), counter: 0 }), fox);
    const v2 = e2eEncrypt(device.module.secret, e2eV2Identity({ devIdx, epoch: 0, counter: 1 }), fox);
    assert.deepEqual(await decryptE2e(v1, creds()), fox);
    assert.deepEqual(await decryptE2e(v2, creds()), fox);
    assert.deepEqual(await decryptE2e(v1, client), fox); // a shared client reuses its session
    assert.deepEqual(await decryptE2e(e2eEncrypt(device.module.secret, e2eV1Identity({ devIdx, epochSalt: randomEpochSalt(), counter: 3 }), Buffer.alloc(0)), client), Buffer.alloc(0));
  });

  it('a tampered or malformed blob is an E2eDecryptError; a refused request is a CloudRequestError with the status', async () => {
    const devIdx = devIdxOf(device.module.rotUid);
    const blob = e2eEncrypt(device.module.secret, e2eV1Identity({ devIdx, epochSalt: randomEpochSalt(), counter: 0 }), fox);
    blob[blob.length - 1]! ^= 1;
    await assert.rejects(decryptE2e(blob, client), E2eDecryptError);
    await assert.rejects(decryptE2e(Buffer.from('31aa', 'hex'), client), E2eDecryptError);
    const stranger = e2eEncrypt(device.module.secret, e2eV1Identity({ devIdx: Buffer.from('abcdefabcdef', 'hex'), epochSalt: randomEpochSalt(), counter: 0 }), fox);
    await assert.rejects(decryptE2e(stranger, client), (e: unknown) => e instanceof CloudRequestError && e.status === 404 && e.serverMessage === 'Device not found');
    await assert.rejects(decryptE2e(stranger, { ...creds(), apiSecret: 'wrong' }), (e: unknown) => e instanceof CloudRequestError && e.status === 401);
  });

  it('refuses a server it cannot verify (no CA given for a self-signed cloud)', async () => {
    const blob = e2eEncrypt(device.module.secret, e2eV1Identity({ devIdx: devIdxOf(device.module.rotUid), epochSalt: randomEpochSalt(), counter: 0 }), fox);
    await assert.rejects(decryptE2e(blob, { ...creds(), ca: undefined }), (e: unknown) => (e as NodeJS.ErrnoException).code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || /certificate/i.test(String(e)));
  });

  it('CloudClient: GetPSK, downlink, rotation, device view', async () => {
    const id = pskIdentity(devIdxOf(device.module.rotUid));
    const psk = await client.getPsk(id, 32);
    assert.deepEqual(psk, { psk: derivePsk(device.module.secret, id, 32), keyLength: 32, rotUid: device.module.rotUid });
    const down = await client.e2eDownlinkParameters(device.module.rotUid);
    const sealed = e2eSeal({ version: 1, key: Buffer.from(down.Key, 'base64'), nonce: Buffer.from(down.Nonce, 'base64'), macLengthBits: down.MACLength, cipherSuite: down.CipherSuite }, Buffer.from(down.EncryptedHeader, 'hex'), fox);
    assert.deepEqual(e2eDecrypt(device.module.secret, sealed), fox);
    const epoch = await client.rotateE2eKey(device.module.rotUid);
    assert.equal((await client.device(device.module.rotUid)).KeyEpoch, epoch);
  });

  it('calls that meet one expired AuthToken together renew it once', async () => {
    const own = new CloudClient(creds());
    try {
      const id = pskIdentity(devIdxOf(device.module.rotUid));
      await own.getPsk(id);
      const internals = own as unknown as { renew: (t: unknown) => Promise<unknown> };
      const renew = internals.renew.bind(own);
      let renewals = 0;
      internals.renew = (t) => {
        renewals++;
        return renew(t);
      };
      clock.advance(3_601_000);
      const results = await Promise.all(Array.from({ length: 5 }, () => own.getPsk(id)));
      assert.equal(results.length, 5);
      assert.equal(renewals, 1);
    } finally {
      own.close();
    }
  });

  it('renews an expired AuthToken by itself (refresh token), and authenticates again when the session is revoked', async () => {
    const own = new CloudClient(creds());
    try {
      const id = pskIdentity(devIdxOf(device.module.rotUid));
      await own.getPsk(id, 16);
      clock.advance(3_601_000); // the AuthToken (1 h) has expired
      assert.equal((await own.getPsk(id, 16)).keyLength, 16);
      // Revoke the client's session behind its back: refresh fails, a new authenticate works.
      const tokens = await (own as unknown as { tokens: Promise<{ refresh: string }> }).tokens;
      assert.equal((await t.request('POST', '/v1/authenticate/revoke', { RefreshToken: tokens.refresh })).status, 200);
      assert.equal((await own.getPsk(id, 16)).keyLength, 16);
    } finally {
      own.close();
    }
  });
});
