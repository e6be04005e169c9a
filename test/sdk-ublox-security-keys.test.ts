import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { derivePsk, devIdxOf, e2eEncrypt, e2eParameters, e2eOpen, e2eV1Identity, localDecrypt } from '@modemlab/at';
import { createModule, connectInProcess, type VirtualModule } from '@modemlab/module';
import { AtClient, CmeError, UbloxSecurityKeys } from '@modemlab/sdk';

const ROT = { uid: '0A04F008003C9623', secret: '5ec0'.repeat(16), chipId: 'C41F00000000AB01' };
const secret = Buffer.from(ROT.secret, 'hex');
const ztp = { key: '-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----', certificate: '-----BEGIN CERTIFICATE-----\nCERT\n-----END CERTIFICATE-----', caChain: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----' };

const cleanup: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanup.splice(0)) await c();
});

/** A virtual module with a fixed root of trust, sealed with the key features (as the heartbeat client leaves it). */
async function sealed(model: string, features = ['LocalDataProtection', 'PSK', 'E2E', 'ZTP'] as const): Promise<{ module: VirtualModule; keys: UbloxSecurityKeys }> {
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-sdk-keys-'));
  writeFileSync(join(dir, 'root-of-trust.json'), JSON.stringify(ROT));
  const module = await createModule({ model, stateDir: dir, log: () => {} });
  module.services.security.update((r) => Object.assign(r, { bootstrapped: true, sealed: true, features: [...features], ztp }));
  const client = new AtClient(connectInProcess(module));
  await client.send('ATE0');
  await client.send('AT+CMEE=1');
  cleanup.push(async () => {
    await client.close();
    await module.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { module, keys: new UbloxSecurityKeys(client) };
}

describe('modem.security key methods (UbloxSecurityKeys) on a virtual u-blox module', () => {
  it('psk(length): identity and PSK as bytes, the PSK the cloud derives', async () => {
    const { keys } = await sealed('sara-r5');
    const p = await keys.psk(32);
    assert.equal(p.identity.length, 14);
    assert.deepEqual(p.psk, derivePsk(secret, p.identity, 32));
  });

  it('e2eEncrypt(data): binary blobs with any byte value, V1 and V2', async () => {
    const { keys } = await sealed('sara-r5');
    const data = Buffer.from([0x22, 0x0d, 0x0a, 0x2c, 0, 0xff, 0x1a]);
    const v1 = await keys.e2eEncrypt(data);
    assert.equal(v1.length, data.length + 32);
    assert.deepEqual(e2eOpen(v1, e2eParameters(secret, v1.subarray(0, 16))), data);
    assert.equal(await keys.e2eVersion(2), 2);
    assert.equal(await keys.e2eVersion(), 2);
    const v2 = await keys.e2eEncrypt('HELLO');
    assert.equal(v2.length, 33);
    assert.equal(e2eOpen(v2, e2eParameters(secret, v2.subarray(0, 11))).toString(), 'HELLO');
  });

  it('e2eDecrypt(blob): a downlink blob (key set 0x02) with any byte value opens on the module', async () => {
    const { keys } = await sealed('sara-r5');
    const data = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const identity = e2eV1Identity({ devIdx: devIdxOf(ROT.uid), epochSalt: Buffer.alloc(6, 7), counter: 0, direction: 'downlink' });
    assert.deepEqual(await keys.e2eDecrypt(e2eEncrypt(secret, identity, data)), data);
    const uplink = await keys.e2eEncrypt('HELLO');
    await assert.rejects(keys.e2eDecrypt(uplink), (e: unknown) => e instanceof CmeError && e.code === 50);
  });

  it('localEncrypt()/localDecrypt(): round trip through the module, in memory and through a module file', async () => {
    const { module, keys } = await sealed('sara-r5');
    const blob = (await keys.localEncrypt('token: 1234"\r\n'))!;
    assert.equal(localDecrypt(secret, blob).toString(), 'token: 1234"\r\n');
    assert.equal((await keys.localDecrypt(blob)).toString(), 'token: 1234"\r\n');
    assert.equal(await keys.localEncrypt('datatoencrypt', 'ciphertextfile'), undefined);
    assert.ok(module.services.files.exists('ciphertextfile'));
    assert.equal((await keys.localDecrypt({ file: 'ciphertextfile' })).toString(), 'datatoencrypt');
  });

  it('ztp.credentials(): the same result on both products\' numbering', async () => {
    for (const model of ['sara-r5', 'sara-r410m']) {
      const { keys } = await sealed(model);
      assert.deepEqual(await keys.ztp.credentials(), ztp, model);
    }
  });

  it('a feature not authorized is the module\'s CmeError (3)', async () => {
    const { keys } = await sealed('sara-r5', ['PSK'] as never);
    await assert.rejects(keys.e2eEncrypt('x'), (e: unknown) => e instanceof CmeError && e.code === 3);
    await assert.rejects(keys.localEncrypt('x'), (e: unknown) => e instanceof CmeError && e.code === 3);
  });
});
