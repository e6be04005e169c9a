import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCclk, parseCclk } from '../shared/clock.js';
import { answer, at, cmeError, OK, ublox } from './ublox.testutil.js';

describe('u-blox device settings', () => {
  it('formats and parses +CCLK times', () => {
    assert.equal(formatCclk({ localMs: Date.UTC(2026, 0, 1, 12, 30, 5), quarterHours: -8 }), '26/01/01,12:30:05-08');
    assert.deepEqual(parseCclk('24/02/29,23:59:59+04'), { localMs: Date.UTC(2024, 1, 29, 23, 59, 59), quarterHours: 4 });
    assert.equal(parseCclk('23/02/29,00:00:00+00'), undefined);
    assert.equal(parseCclk('24/01/01,24:00:00+00'), undefined);
    assert.equal(parseCclk('24/01/01,00:00:00+97'), undefined);
    assert.equal(parseCclk('24/1/01,00:00:00+00'), undefined);
  });

  it('reads the clock from the module clock and keeps the host setting running', async () => {
    const h = await ublox({ registered: false });
    assert.equal(await at(h, 'AT+CCLK?'), answer('+CCLK: "26/01/01,00:00:00+00"'));
    assert.equal(await at(h, 'AT+CCLK="25/12/31,23:59:50+04"'), OK);
    await h.advance(15_000);
    assert.equal(await at(h, 'AT+CCLK?'), answer('+CCLK: "26/01/01,00:00:05+04"'));
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+CCLK="25/13/01,00:00:00+00"'), cmeError(50));
    assert.equal(await at(h, 'AT+CCLK=25'), cmeError(50));
    assert.equal(await at(h, 'AT+CCLK?'), answer('+CCLK: "26/01/01,00:00:05+04"'));
    await h.close();
  });

  it('routes GNSS data and keeps it in NVM', async () => {
    const h = await ublox({ registered: false });
    assert.equal(await at(h, 'AT+UGPRF?'), answer('+UGPRF: 0,0,""'));
    assert.equal(await at(h, 'AT+UGPRF=?'), answer('+UGPRF: (0-127),(0-65535),255'));
    assert.equal(await at(h, 'AT+UGPRF=16,1234,"myserver"'), OK);
    assert.equal(await at(h, 'AT+UGPRF?'), answer('+UGPRF: 16,1234,"myserver"'));
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+UGPRF=16'), cmeError(50), 'IP output needs a server');
    assert.equal(await at(h, 'AT+UGPRF=128'), cmeError(50));
    assert.equal(await at(h, 'AT+UGPRF=1'), OK);
    await at(h, 'AT+CFUN=16');
    await h.advance(3000);
    await at(h, 'ATE0');
    assert.equal(await at(h, 'AT+UGPRF?'), answer('+UGPRF: 1,0,""'));
    await h.close();
  });

  it('enables and disables the LwM2M client', async () => {
    const h = await ublox({ registered: false });
    assert.equal(await at(h, 'AT+ULWM2M?'), answer('+ULWM2M: 1'));
    assert.equal(await at(h, 'AT+ULWM2M=?'), answer('+ULWM2M: (0,1)'));
    assert.equal(await at(h, 'AT+ULWM2M=0'), OK);
    assert.equal(await at(h, 'AT+ULWM2M?'), answer('+ULWM2M: 0'));
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+ULWM2M=2'), cmeError(50));
    assert.equal(await at(h, 'AT+ULWM2M?'), answer('+ULWM2M: 0'));
    await h.close();
  });
});
