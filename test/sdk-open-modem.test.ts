/**
 * openModem on a serial path: every product of the model registry behind a real
 * pseudo-terminal (socat), its vendor detected from +CGMI and its driver returned.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createModule, listModels, servePty } from '@modemlab/module';
import { QuectelModem, TelitModem, UbloxModem, openModem } from '@modemlab/sdk';

const DRIVER = { 'u-blox': UbloxModem, Telit: TelitModem, Quectel: QuectelModem } as const;

describe('openModem({ path }) on a pseudo-terminal', { timeout: 120_000 }, () => {
  for (const model of listModels()) {
    it(`detects ${model} and returns its driver, initialised`, async () => {
      const dir = mkdtempSync(join(tmpdir(), `modemlab-open-${model}-`));
      const module = await createModule({ model, stateDir: join(dir, 'state'), log: () => {} });
      try {
        const pty = await servePty(module, { path: join(dir, 'tty') });
        try {
          const modem = await openModem({ path: pty.path });
          try {
            const driver = DRIVER[module.model.vendor as keyof typeof DRIVER];
            assert.ok(driver, `a driver for ${module.model.vendor}`);
            assert.ok(modem instanceof driver, `${model}: ${modem.constructor.name}`);
            const id = await modem.identify();
            assert.equal(id.model, module.model.identity.model);
            // The link stays usable for plain commands after detection and init.
            assert.deepEqual((await modem.client.send('AT+CGMI')).lines, [module.model.identity.manufacturer]);
          } finally {
            await modem.close();
          }
        } finally {
          await pty.close();
        }
      } finally {
        await module.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
