import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answer, at, cmeError, ublox } from './ublox.testutil.js';

const swap = (digits: string) => digits.replace(/(.)(.)/g, '$2$1');

describe('u-blox SIM commands', () => {
  it('reports the PIN state', async () => {
    const h = await ublox({ registered: false });
    assert.equal(await at(h, 'AT+CPIN?'), answer('+CPIN: READY'));
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+CPIN="1234"'), cmeError(3));
    h.module.services.identity.simPresent = false;
    assert.equal(await at(h, 'AT+CPIN?'), cmeError(10));
    await h.close();
  });

  it('reads and updates the forbidden PLMN file, which survives a reboot', async () => {
    const h = await ublox({ registered: false });
    assert.equal(await at(h, 'AT+CRSM=176,28539,0,0,12'), answer('+CRSM: 144,0,"FFFFFFFFFFFFFFFFFFFFFFFF"'));
    assert.equal(await at(h, 'AT+CRSM=214,28539,0,0,3,"00F110"'), answer('+CRSM: 144,0'));
    assert.equal(await at(h, 'AT+CRSM=176,28539,0,0,0'), answer('+CRSM: 144,0,"00F110FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"'));
    await at(h, 'AT+CFUN=16');
    await h.advance(3000);
    await at(h, 'ATE0');
    assert.equal(await at(h, 'AT+CRSM=176,28539,0,0,3'), answer('+CRSM: 144,0,"00F110"'));
    await h.close();
  });

  it('reads EF_FPLMN as host libraries do (20 bytes: the bytes and 144,0), and the IMSI, AD, HPPLMN files', async () => {
    const h = await ublox({ registered: false });
    assert.equal(await at(h, 'AT+CRSM=176,28539,0,0,20'), answer(`+CRSM: 144,0,"${'F'.repeat(40)}"`));
    assert.equal(await at(h, 'AT+CRSM=176,28539,0,0,45'), answer(`+CRSM: 144,0,"${'F'.repeat(90)}"`));
    const imsi = h.module.services.identity.imsi;
    assert.equal(await at(h, 'AT+CRSM=176,28423,0,0,9'), answer(`+CRSM: 144,0,"08${swap(`9${imsi}`)}"`));
    assert.equal(await at(h, 'AT+CRSM=176,28589,0,0,4'), answer('+CRSM: 144,0,"00000002"'));
    assert.equal(await at(h, 'AT+CRSM=176,28465,0,0,1'), answer('+CRSM: 144,0,"0A"'));
    assert.equal(await at(h, 'AT+CRSM=214,28423,0,0,1,"00"'), answer('+CRSM: 105,130'), 'the IMSI is read-only');
    await h.close();
  });

  it('reads the ICCID file and answers status words for what it cannot do', async () => {
    const h = await ublox({ registered: false });
    const iccid = h.module.services.identity.iccid;
    assert.equal(await at(h, 'AT+CRSM=176,12258,0,0,10'), answer(`+CRSM: 144,0,"${swap(iccid)}"`));
    assert.equal(await at(h, 'AT+CRSM=176,28539,0,0,61'), answer('+CRSM: 108,60'), 'past the end of the file');
    assert.equal(await at(h, 'AT+CRSM=176,12345,0,0,1'), answer('+CRSM: 106,130'));
    assert.equal(await at(h, 'AT+CRSM=214,12258,0,0,1,"00"'), answer('+CRSM: 105,130'));
    assert.equal(await at(h, 'AT+CRSM=214,28539,0,58,3,"000000"'), answer('+CRSM: 103,0'), 'past the end of the file');
    assert.equal(await at(h, 'AT+CRSM=?'), answer('+CRSM: (176,178,192,214,220,242),(0-65535),(0-255),(0-255),(0-255)'));
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+CRSM=177,28539,0,0,1'), cmeError(50));
    assert.equal(await at(h, 'AT+CRSM=214,28539,0,0,2,"00F110"'), cmeError(50));
    assert.equal(await at(h, 'AT+CRSM=214,28539,0,0,1,"0G"'), cmeError(50));
    assert.equal(await at(h, 'AT+CRSM=176,28539,0,0,3'), answer('+CRSM: 144,0,"FFFFFF"'), 'rejected updates changed nothing');
    await h.close();
  });
});
