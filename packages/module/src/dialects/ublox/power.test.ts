import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answer, at, cmeError, ERROR, OK, REGISTRATION_MS, ublox, urc } from './ublox.testutil.js';

describe('u-blox power commands', () => {
  it('sets and reads the functionality', async () => {
    const h = await ublox();
    assert.equal(await at(h, 'AT+CFUN?'), answer('+CFUN: 1,0'));
    assert.equal(await at(h, 'AT+CFUN=?'), answer('+CFUN: (0,1,4,15,16),(0-1)'));
    assert.equal(await at(h, 'AT+CFUN=4'), OK);
    assert.equal(await at(h, 'AT+CFUN?'), answer('+CFUN: 4,0'));
    assert.equal(h.module.services.network.stat, 0);
    assert.equal(await at(h, 'AT+CFUN=0'), OK);
    assert.equal(await at(h, 'AT+CFUN?'), answer('+CFUN: 0,0'));
    assert.equal(await at(h, 'AT+CFUN=1'), OK);
    assert.equal(await at(h, 'AT+CFUN?'), answer('+CFUN: 1,0'));
    await h.close();
  });

  it('rejects bad values with the u-blox error and keeps the state', async () => {
    const h = await ublox();
    assert.equal(await at(h, 'AT+CFUN=2'), ERROR);
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+CFUN=2'), cmeError(50));
    assert.equal(await at(h, 'AT+CFUN=1,2'), cmeError(50));
    assert.equal(await at(h, 'AT+CFUN="1"'), cmeError(50));
    assert.equal(await at(h, 'AT+CFUN='), cmeError(50));
    assert.equal(await at(h, 'AT+CFUN'), cmeError(4));
    await at(h, 'AT+CMEE=2');
    assert.equal(await at(h, 'AT+CFUN=0,0,0'), cmeError('Incorrect parameters'));
    assert.equal(await at(h, 'AT+CFUN?'), answer('+CFUN: 1,0'));
    assert.equal(h.module.services.network.registered, true);
    await h.close();
  });

  for (const fun of ['16', '15', '1,1']) {
    it(`reboots on +CFUN=${fun}: OK, silence, then power-up settings with NVM kept`, async () => {
      const h = await ublox();
      await at(h, 'AT+CEREG=2');
      await at(h, 'AT+CMEE=2');
      assert.equal(await at(h, `AT+CFUN=${fun}`), OK);
      assert.equal(await at(h, 'AT'), '', 'input is ignored while booting');
      assert.equal(await h.advance(2999), '');
      assert.equal(await at(h, 'AT'), '');
      await h.advance(1);
      assert.equal(await at(h, 'AT'), `AT\r${OK}`, 'echo is back on');
      assert.equal(await at(h, 'AT+CEREG?'), `AT+CEREG?\r${answer('+CEREG: 0,2')}`);
      assert.equal(await at(h, 'AT+CMEE?'), `AT+CMEE?\r${answer('+CMEE: 0')}`);
      assert.equal(await at(h, 'AT+CGACT?'), `AT+CGACT?\r${answer('+CGACT: 1,0')}`, 'contexts are inactive');
      await h.advance(REGISTRATION_MS);
      assert.equal(await at(h, 'AT+CGACT?'), `AT+CGACT?\r${answer('+CGACT: 1,1')}`);
      await h.close();
    });
  }

  it('sets the UART power saving mode', async () => {
    const h = await ublox({ registered: false });
    assert.equal(await at(h, 'AT+UPSV?'), answer('+UPSV: 0'));
    assert.equal(await at(h, 'AT+UPSV=?'), answer('+UPSV: (0-4),(40-65000)'));
    assert.equal(await at(h, 'AT+UPSV=1,100'), OK);
    assert.equal(await at(h, 'AT+UPSV?'), answer('+UPSV: 1,100'));
    assert.equal(await at(h, 'AT+UPSV=2'), OK);
    assert.equal(await at(h, 'AT+UPSV?'), answer('+UPSV: 2'));
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+UPSV=5'), cmeError(50));
    assert.equal(await at(h, 'AT+UPSV=1,39'), cmeError(50));
    assert.equal(await at(h, 'AT+UPSV?'), answer('+UPSV: 2'));
    assert.equal(await at(h, 'AT+UPSV=0'), OK);
    assert.equal(await at(h, 'AT+UPSV?'), answer('+UPSV: 0'));
    await h.close();
  });

  it('reads the PSM request exactly as the module prints it, and stores changes', async () => {
    const h = await ublox({ registered: false });
    assert.equal(await at(h, 'AT+CPSMS?'), answer('+CPSMS:0,,,"01100000","00000000"'));
    assert.equal(await at(h, 'AT+CPSMS=?'), answer('+CPSMS:(0-2),("00000000"-"11111111"),("00000000"-"11111111"),("00000000"-"11111111"),("00000000"-"11111111")'));
    assert.equal(await at(h, 'AT+CPSMS=1,,,"00000100","00001010"'), OK);
    assert.equal(await at(h, 'AT+CPSMS?'), answer('+CPSMS:1,,,"00000100","00001010"'));
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+CPSMS=1,,,"0000010","00001010"'), cmeError(50));
    assert.equal(await at(h, 'AT+CPSMS=3'), cmeError(50));
    assert.equal(await at(h, 'AT+CPSMS=1,,,"00000102"'), cmeError(50));
    assert.equal(await at(h, 'AT+CPSMS?'), answer('+CPSMS:1,,,"00000100","00001010"'));
    await at(h, 'AT+CFUN=16');
    await h.advance(3000);
    await at(h, 'ATE0');
    assert.equal(await at(h, 'AT+CPSMS?'), answer('+CPSMS:1,,,"00000100","00001010"'), 'kept in NVM');
    assert.equal(await at(h, 'AT+CPSMS=0'), OK);
    assert.equal(await at(h, 'AT+CPSMS?'), answer('+CPSMS:0,,,"00000100","00001010"'));
    assert.equal(await at(h, 'AT+CPSMS=2'), OK);
    assert.equal(await at(h, 'AT+CPSMS?'), answer('+CPSMS:0,,,"01100000","00000000"'));
    await h.close();
  });

  it('reports PSM entry and exit with +UUPSMR when enabled', async () => {
    const h = await ublox({ registered: false });
    assert.equal(await at(h, 'AT+UPSMR?'), answer('+UPSMR: 0'));
    assert.equal(await at(h, 'AT+UPSMR=?'), answer('+UPSMR: (0,1)'));
    assert.equal(await at(h, 'AT+UPSMR=1'), OK);
    assert.equal(await at(h, 'AT+UPSMR?'), answer('+UPSMR: 1'));
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+UPSMR=2'), cmeError(50));
    await at(h, 'AT+CPSMS=1,,,"00000100","00000001"');
    await h.advance(REGISTRATION_MS);
    assert.equal(await h.advance(10_000), '', 'RRC idle; the 2 s active timer runs');
    assert.equal(await h.advance(2000), urc('+UUPSMR: 1'));
    h.module.services.pdp.countBytes(1, 1, 1);
    assert.equal(await h.advance(0), urc('+UUPSMR: 0'));
    await h.close();
  });

  it('sets and reads eDRX per access technology', async () => {
    const h = await ublox({ registered: false });
    assert.equal(await at(h, 'AT+CEDRXS?'), OK);
    assert.equal(await at(h, 'AT+CEDRXS=?'), answer('+CEDRXS: (0-3),(4,5),("0000"-"1111")'));
    assert.equal(await at(h, 'AT+CEDRXS=1,4,"0101"'), OK);
    assert.equal(await at(h, 'AT+CEDRXS=2,5,"0010"'), OK);
    assert.equal(await at(h, 'AT+CEDRXS?'), answer('+CEDRXS: 4,"0101"', '+CEDRXS: 5,"0010"'));
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+CEDRXS=1,6,"0101"'), cmeError(50));
    assert.equal(await at(h, 'AT+CEDRXS=1,4,"01010"'), cmeError(50));
    assert.equal(await at(h, 'AT+CEDRXS=1'), cmeError(50));
    assert.equal(await at(h, 'AT+CEDRXS=0,5'), OK);
    assert.equal(await at(h, 'AT+CEDRXS?'), answer('+CEDRXS: 4,"0101"'));
    assert.equal(await at(h, 'AT+CEDRXS=3'), OK);
    assert.equal(await at(h, 'AT+CEDRXS?'), OK);
    await h.close();
  });
});
