import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answer, at, OK, ublox } from './ublox.testutil.js';

describe('u-blox +CEDRXRDP', () => {
  it('reports 0 without an eDRX request, then the granted cycle and paging window on the serving RAT', async () => {
    const h = await ublox();
    try {
      assert.equal(await at(h, 'AT+CEDRXRDP=?'), OK);
      assert.equal(await at(h, 'AT+CEDRXRDP'), answer('+CEDRXRDP: 0'));
      // A request for NB-IoT does not apply on LTE-M (+URAT: 7).
      assert.equal(await at(h, 'AT+CEDRXS=1,5,"0101"'), OK);
      assert.equal(await at(h, 'AT+CEDRXRDP'), answer('+CEDRXRDP: 0'));
      assert.equal(await at(h, 'AT+CEDRXS=1,4,"0010"'), OK);
      assert.equal(await at(h, 'AT+CEDRXRDP'), answer('+CEDRXRDP: 4,"0010","0010","0000"'));
      assert.equal(await at(h, 'AT+CEDRXS=0,4'), OK);
      assert.equal(await at(h, 'AT+CEDRXRDP'), answer('+CEDRXRDP: 0'));
    } finally {
      await h.close();
    }
  });

  it('reports 0 while not on a cell', async () => {
    const h = await ublox({ registered: false });
    try {
      await at(h, 'AT+CEDRXS=1,4,"0010"');
      assert.equal(await at(h, 'AT+CEDRXRDP'), answer('+CEDRXRDP: 0'));
    } finally {
      await h.close();
    }
  });
});
