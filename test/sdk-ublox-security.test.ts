import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '@modemlab/at';
import { createModule, connectInProcess, type VirtualModule } from '@modemlab/module';
import { AtClient, CmeError, isSecBusy, UbloxModem, UbloxSecurityService } from '@modemlab/sdk';
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

/**
 * SEC busy after power-on (1 s of module time, notes §1.1): the SDK asks again until the module
 * answers. The module runs on a manual clock, so the module's second passes only when the test
 * says so, whatever the wall clock does.
 */
describe('UbloxSecurityService and SEC busy right after power-on', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'modemlab-sdk-secbusy-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function fresh(name: string) {
    const clock = new ManualClock();
    const logs: string[] = [];
    const module = await createModule({ model: 'sara-r5', stateDir: join(dir, name), clock, log: (m) => logs.push(m) });
    const client = new AtClient(connectInProcess(module));
    await client.send('AT+CMEE=2');
    return { clock, logs, module, client };
  }

  it('retries while the module answers SEC busy, then reads the status once the subsystem is up', async () => {
    const { clock, logs, module, client } = await fresh('retry');
    try {
      const busyCount = () => logs.filter((m) => m.includes('SEC busy')).length;
      const sec = new UbloxSecurityService(client, { delayMs: 1, maxWaitMs: 60_000 });
      const info = sec.deviceInfo();
      while (busyCount() < 2) await new Promise((r) => setImmediate(r));
      clock.advance(1000);
      assert.deepEqual(await info, { moduleRegistered: false, deviceRegistered: false, deviceActivated: false });
      assert.ok(busyCount() >= 2, 'asked at least twice');
    } finally {
      await client.close();
      await module.close();
    }
  });

  it('gives up after maxWaitMs with the CmeError (SEC busy), and seals nothing', async () => {
    const { module, client } = await fresh('give-up');
    try {
      const sec = new UbloxSecurityService(client, { delayMs: 1, maxWaitMs: 0 });
      await assert.rejects(sec.seal('AgbCtixjwqLjwV3VWpfPyz', 'SN'), (e: unknown) => isSecBusy(e) && e instanceof CmeError && e.text === 'SEC busy');
      assert.equal(module.services.security.record.sealRequest, undefined);
    } finally {
      await client.close();
      await module.close();
    }
  });
});
