import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModuleHarness } from '../../testing/harness.js';
import { answer, at, cmeError, ERROR, OK, ublox, urc } from './ublox.testutil.js';

describe('u-blox identity commands', () => {
  it('answers the identity strings of the model table', async () => {
    const h = await ublox({ registered: false });
    assert.equal(await at(h, 'AT+CGMI'), answer('u-blox'));
    assert.equal(await at(h, 'AT+CGMM'), answer('SARA-R510M8S'));
    assert.equal(await at(h, 'AT+CGMR'), answer('03.15'));
    assert.equal(await at(h, 'ATI9'), answer('03.15,A00.01'));
    assert.equal(await at(h, 'ATI5'), ERROR);
    const imei = h.module.services.identity.imei;
    assert.equal(await at(h, 'ATI'), answer('Manufacturer: u-blox', 'Model: SARA-R510M8S', 'Revision: 03.15', 'SVN: 01', `IMEI: ${imei}`));
    await h.close();
  });

  it('gives the IMEI in every +CGSN form', async () => {
    const h = await ublox({ registered: false });
    const imei = h.module.services.identity.imei;
    assert.match(imei, /^35360611\d{7}$/);
    assert.equal(await at(h, 'AT+CGSN'), answer(imei));
    assert.equal(await at(h, 'AT+CGSN=0'), answer(imei));
    assert.equal(await at(h, 'AT+CGSN=1'), answer(`+CGSN: "${imei}"`));
    assert.equal(await at(h, 'AT+CGSN=2'), answer(`+CGSN: "${imei.slice(0, 14)}01"`));
    assert.equal(await at(h, 'AT+CGSN=3'), answer('+CGSN: "01"'));
    assert.equal(await at(h, 'AT+CGSN=?'), answer('+CGSN: (0-3)'));
    assert.equal(await at(h, 'AT+CGSN=4'), ERROR);
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+CGSN=4'), cmeError(50));
    await at(h, 'AT+CMEE=2');
    assert.equal(await at(h, 'AT+CGSN="1"'), cmeError('Incorrect parameters'));
    await h.close();
  });

  it('gives IMSI and ICCID, or SIM not inserted', async () => {
    const h = await ublox({ registered: false });
    const { imsi, iccid } = h.module.services.identity;
    assert.equal(await at(h, 'AT+CIMI'), answer(imsi));
    assert.equal(await at(h, 'AT+CCID'), answer(`+CCID: ${iccid}`));
    assert.equal(await at(h, 'AT+CCID?'), answer(`+CCID: ${iccid}`));
    h.module.services.identity.simPresent = false;
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+CIMI'), cmeError(10));
    await at(h, 'AT+CMEE=2');
    assert.equal(await at(h, 'AT+CCID'), cmeError('SIM not inserted'));
    await h.close();
  });

  it('keeps the identity across reboots and module restarts', async () => {
    const h = await ublox({ registered: false });
    const imei = h.module.services.identity.imei;
    assert.equal(await at(h, 'AT+CFUN=16'), OK);
    await h.advance(3000);
    assert.equal(await at(h, 'AT+CGSN'), `AT+CGSN\r${answer(imei)}`);
    const again = await ModuleHarness.create({ stateDir: h.module.nvm.dir });
    assert.equal(again.module.services.identity.imei, imei);
    await again.close();
    await h.close();
  });

  it('sets, reads and shows the greeting text at boot', async () => {
    const h = await ublox({ registered: false });
    assert.equal(await at(h, 'AT+CSGT?'), answer('+CSGT: "",0'));
    assert.equal(await at(h, 'AT+CSGT=?'), answer('+CSGT: (0-1),49'));
    assert.equal(await at(h, 'AT+CSGT=1,"Hello lab"'), OK);
    assert.equal(await at(h, 'AT+CSGT?'), answer('+CSGT: "Hello lab",1'));
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+CSGT=2,"x"'), cmeError(50));
    assert.equal(await at(h, `AT+CSGT=1,"${'x'.repeat(50)}"`), cmeError(50));
    assert.equal(await at(h, 'AT+CSGT'), cmeError(4));
    assert.equal(await at(h, 'AT+CSGT?'), answer('+CSGT: "Hello lab",1'));
    await at(h, 'AT+CFUN=16');
    assert.equal(await h.advance(3000), urc('Hello lab'));
    assert.equal(await at(h, 'AT+CSGT=0'), `AT+CSGT=0\r${OK}`);
    await h.send('AT+CFUN=16\r');
    assert.equal(await h.advance(3000), '');
    await h.close();
  });
});
