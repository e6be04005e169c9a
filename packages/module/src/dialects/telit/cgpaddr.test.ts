import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { at, telitModule } from './telit.testutil.js';

describe('Telit +CGPADDR', () => {
  it('answers the address of an active context, the cid alone for an inactive one, and refuses an undefined one', async () => {
    // Context 1 is active (#SGACT=1,1 in the fixture).
    const h = await telitModule('ge910');
    try {
      const ip = h.module.services.pdp.context(1)?.ipv4;
      assert.ok(ip);
      assert.equal(await at(h, 'AT+CGPADDR=1\r'), `\r\n+CGPADDR: 1,"${ip}"\r\n\r\nOK\r\n`);
      assert.equal(await at(h, 'AT+CGDCONT=2,"IP","internet"\r'), '\r\nOK\r\n');
      assert.equal(await at(h, 'AT+CGPADDR=2\r'), '\r\n+CGPADDR: 2\r\n\r\nOK\r\n');
      assert.equal(await at(h, 'AT+CGPADDR=4\r'), '\r\n+CME ERROR: 3\r\n');
      assert.equal(await at(h, 'AT+CGPADDR\r'), `\r\n+CGPADDR: 1,"${ip}"\r\n+CGPADDR: 2\r\n\r\nOK\r\n`);
    } finally {
      await h.close();
    }
  });
});
