import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createModule, connectInProcess, type VirtualModule } from '@modemlab/module';
import { AtClient, CmeError, UbloxModem } from '@modemlab/sdk';

/** modem.gpio against a virtual SARA-R5: what the SDK drives the lab sees, what the lab drives the SDK reads. */
describe('UbloxModem.gpio on a virtual SARA-R5', () => {
  let dir: string;
  let module: VirtualModule;
  let modem: UbloxModem;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'modemlab-sdk-gpio-'));
    module = await createModule({ model: 'sara-r5', stateDir: join(dir, 'state'), log: () => {} });
    modem = new UbloxModem(new AtClient(connectInProcess(module)));
    await modem.init();
  });

  after(async () => {
    await modem.close();
    await module.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drives an output and reads an input the lab drives', async () => {
    await modem.gpio.configure(16, { output: 1 });
    assert.equal(module.services.gpio.level(16), 1);
    await modem.gpio.write(16, 0);
    assert.equal(module.services.gpio.level(16), 0);
    assert.equal(await modem.gpio.read(16), 0);

    await modem.gpio.configure(23, { input: 0 });
    module.services.gpio.drive(23, 1);
    assert.equal(await modem.gpio.read(23), 1);
    module.services.gpio.drive(23, 0);
    assert.equal(await modem.gpio.read(23), 0);
  });

  it('a write to an input is refused with the module error', async () => {
    await assert.rejects(modem.gpio.write(23, 1), (e: unknown) => e instanceof CmeError);
  });
});
