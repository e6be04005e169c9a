import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { OK, QuectelHost } from './quectel.testutil.js';

const info = (...lines: string[]): string => `\r\n${lines.join('\r\n')}\r\n${OK}`;

describe('Quectel BC66 +QCGDEFCONT (the default bearer’s PDN settings)', () => {
  it('sets the APN with the radio off; the next attach activates the bearer with it', async () => {
    const host = await QuectelHost.create();
    try {
      assert.equal(await host.at('AT+QCGDEFCONT=?'), info('+QCGDEFCONT: ("IP","IPV6","IPV4V6","Non-IP"),,,'));
      // The bearer is up (the BC66 boots attached): refused, nothing changes.
      assert.equal(await host.at('AT+CMEE=1'), OK);
      assert.equal(await host.at('AT+QCGDEFCONT="IP","iot.apn"'), '\r\n+CME ERROR: 3\r\n');
      assert.equal(await host.at('AT+QCGDEFCONT?'), info('+QCGDEFCONT: "IPV4V6",""'));
      assert.equal(await host.at('AT+CFUN=0'), OK);
      assert.equal(await host.at('AT+QCGDEFCONT="IP","iot.apn"'), OK);
      assert.equal(await host.at('AT+QCGDEFCONT?'), info('+QCGDEFCONT: "IP","iot.apn"'));
      assert.equal(await host.at('AT+QCGDEFCONT="Non-IP","nidd.lab","user","secret"'), OK);
      assert.equal(await host.at('AT+QCGDEFCONT?'), info('+QCGDEFCONT: "Non-IP","nidd.lab","user","secret"'));
      assert.equal(await host.at('AT+QCGDEFCONT="IP","iot.apn"'), OK);
      // Bad input: an unknown type, a user without a password; the definition stays.
      assert.equal(await host.at('AT+QCGDEFCONT="PPP","x"'), '\r\n+CME ERROR: 50\r\n');
      assert.equal(await host.at('AT+QCGDEFCONT="IP","x","user"'), '\r\n+CME ERROR: 50\r\n');
      assert.equal(host.h.module.services.pdp.definition(1)?.apn, 'iot.apn');
      const pdp = host.h.module.services.pdp;
      const activated = new Promise<void>((resolve) => pdp.on('context', (e) => e.cid === 1 && e.active && resolve()));
      assert.equal(await host.at('AT+CFUN=1'), OK);
      // Registration runs on the module clock.
      await host.advance(3000);
      await activated;
      assert.equal(pdp.context(1)?.apn, 'iot.apn');
    } finally {
      await host.close();
    }
  });

  it('the setting is kept in NVM: a new module on the same state (a restart) reports it and attaches with it', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'modemlab-bc66-defcont-'));
    try {
      let host = await QuectelHost.create({ stateDir });
      try {
        assert.equal(await host.at('AT+CFUN=0'), OK);
        assert.equal(await host.at('AT+QCGDEFCONT="IP","kept.apn","user","secret"'), OK);
      } finally {
        await host.close();
      }
      host = await QuectelHost.create({ stateDir });
      try {
        assert.equal(await host.at('AT+QCGDEFCONT?'), info('+QCGDEFCONT: "IP","kept.apn","user","secret"'));
        assert.equal(host.h.module.services.pdp.definition(1)?.apn, 'kept.apn');
      } finally {
        await host.close();
      }
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
