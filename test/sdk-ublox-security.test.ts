import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createModule, connectInProcess, type VirtualModule } from '@modemlab/module';
import { AtClient, CmeError, UbloxModem } from '@modemlab/sdk';
import { createProfile, registerModuleRot, startSecurityLab, type SecurityLab } from './security-cloud.testutil.js';

/** modem.security against a virtual SARA-R5 (real clock) and a real cloud on loopback. */
describe('UbloxModem.security on a virtual SARA-R5', () => {
  let dir: string;
  let lab: SecurityLab;
  let module: VirtualModule;
  let modem: UbloxModem;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'modemlab-sdk-security-'));
    lab = await startSecurityLab();
    module = await createModule({ model: 'sara-r5', stateDir: join(dir, 'state'), log: () => {} });
    modem = new UbloxModem(new AtClient(connectInProcess(module)));
    await modem.init();
    await modem.client.send('AT+CMEE=1');
  });

  after(async () => {
    await modem.close();
    await module.close();
    await lab.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the root of trust; before any cloud: not bootstrapped, heartbeat refused with +CME ERROR: 3', async () => {
    assert.equal(await modem.security.rotUid(), module.services.rot.uid);
    assert.equal(await modem.security.chipId(), module.services.rot.chipId);
    assert.deepEqual(await modem.security.deviceInfo(), { moduleRegistered: false, deviceRegistered: false, deviceActivated: false });
    assert.equal(await modem.security.isBootstrapped(), false);
    await assert.rejects(modem.security.heartbeat(), (e: unknown) => e instanceof CmeError && e.code === 3);
  });

  it('once pointed at a cloud that knows its root of trust: bootstrapped, sealed, heartbeat', async () => {
    await registerModuleRot(lab, module);
    await modem.attach({ apn: 'internet' });
    module.services.securityService.configure(lab.endpoint);
    assert.equal(await modem.security.isBootstrapped(), true);
    assert.equal(await modem.security.isSealed(), false);
    assert.equal(await modem.security.seal(await createProfile(lab, ['E2E']), 'SN1'), true);
    assert.equal(await modem.security.isSealed(), true);
    await modem.security.heartbeat();
    assert.deepEqual(module.services.security.record.features, ['E2E']);
    await assert.rejects(modem.security.heartbeat(), (e: unknown) => e instanceof CmeError && e.code === 3);
  });
});
