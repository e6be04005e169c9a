import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answer, at, cmeError, OK, ublox } from './ublox.testutil.js';

describe('u-blox signal commands', () => {
  it('reports signal quality when the cell is measurable', async () => {
    const h = await ublox({ network: { rssi: -71, rsrp: -95, rsrq: -10 } });
    assert.equal(await at(h, 'AT+CSQ'), answer('+CSQ: 21,99'));
    assert.equal(await at(h, 'AT+CESQ'), answer('+CESQ: 99,99,255,255,20,46'));
    assert.equal(await at(h, 'AT+CSQ=?'), answer('+CSQ: (0-31,99),(0-7,99)'));
    assert.equal(await at(h, 'AT+CESQ=?'), answer('+CESQ: (0-63,99),(0-7,99),(0-96,255),(0-49,255),(0-34,255),(0-97,255)'));
    await at(h, 'AT+CFUN=4');
    assert.equal(await at(h, 'AT+CSQ'), answer('+CSQ: 99,99'));
    assert.equal(await at(h, 'AT+CESQ'), answer('+CESQ: 99,99,255,255,255,255'));
    await h.close();
  });

  it('clamps out-of-range signal values', async () => {
    const h = await ublox({ network: { rssi: -40, rsrp: -150, rsrq: 5 } });
    assert.equal(await at(h, 'AT+CSQ'), answer('+CSQ: 31,99'));
    assert.equal(await at(h, 'AT+CESQ'), answer('+CESQ: 99,99,255,255,34,0'));
    await h.close();
  });

  it('describes the serving cell with +UCGED', async () => {
    const h = await ublox();
    assert.equal(
      await at(h, 'AT+UCGED?'),
      answer('+UCGED: 2', '6,4,001,01', '6300,20,50,50,2b67,1a2d001,111,d60814d1,8001,01,46,20,13.00,3,1,10,46,-50,-6,0,255,255,0'),
    );
    await h.advance(10_000);
    assert.match(await at(h, 'AT+UCGED?'), /,13\.00,1,/, 'RRC idle');
    h.module.services.network.setCoverage(false);
    assert.equal(await at(h, 'AT+UCGED?'), answer('+UCGED: 2', '6,3,fff,fff', '65535,255,255,255,ffff,fffffff,65535,ffffffff,ffff,ff,255,255,255,255,255,255,255,255,255,255,255,255,0'));
    assert.equal(await at(h, 'AT+UCGED=0'), OK);
    assert.equal(await at(h, 'AT+UCGED?'), answer('+UCGED: 0'));
    assert.equal(await at(h, 'AT+UCGED=?'), answer('+UCGED: (0,2)'));
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+UCGED=1'), cmeError(50));
    await h.close();
  });
});
