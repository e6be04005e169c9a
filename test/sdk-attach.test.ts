/**
 * attach() as programs use it: run twice (a second run of the same program finds the
 * context up), with an APN, against virtual Telit and Quectel modules (in-process links:
 * each run its own, as programs one after the other on a serial port).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectInProcess, createModule, type VirtualModule } from '@modemlab/module';
import { openModem } from '@modemlab/sdk';

for (const { model, vendor } of [
  { model: 'ge910', vendor: 'telit' },
  { model: 'bc66', vendor: 'quectel' },
] as const) {
  describe(`attach on a virtual ${model}`, { timeout: 120_000 }, () => {
    let dir: string;
    let module: VirtualModule;
    const link = () => ({ stream: connectInProcess(module) });

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), `modemlab-attach-${model}-`));
      module = await createModule({ model, stateDir: join(dir, 'state'), network: { registrationDelayMs: 0, apns: ['internet', 'iot.apn'] }, log: () => {} });
    });

    after(async () => {
      await module?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('attaches with an APN, and again in a second run of the program', async () => {
      for (const run of [1, 2]) {
        const modem = await openModem({ ...link(), vendor });
        try {
          const { ip } = await modem.attach({ apn: 'iot.apn', timeoutMs: 30_000 });
          assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/, `run ${run}`);
          assert.equal(module.services.pdp.context(1)?.apn, 'iot.apn', `run ${run}`);
        } finally {
          await modem.close();
        }
      }
    });

    it('attaches twice in one run, then moves to another APN', async () => {
      const modem = await openModem({ ...link(), vendor });
      try {
        const first = await modem.attach({ apn: 'iot.apn', timeoutMs: 30_000 });
        const second = await modem.attach({ apn: 'iot.apn', timeoutMs: 30_000 });
        assert.equal(second.ip, first.ip);
        await modem.attach({ apn: 'internet', timeoutMs: 30_000 });
        assert.equal(module.services.pdp.context(1)?.apn, 'internet');
        // No APN: whatever the context has.
        await modem.attach({ timeoutMs: 30_000 });
        assert.ok(module.services.pdp.isActive(1));
      } finally {
        await modem.close();
      }
    });
  });
}
