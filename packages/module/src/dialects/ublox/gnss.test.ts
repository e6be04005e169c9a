import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nmeaCoordinates, sentence } from '../../services/gnss.js';
import { decodeUbx, encodeUbx } from '../../services/gnss-ubx.js';
import { answer, at, cmeError, OK, ublox, urc } from './ublox.testutil.js';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

describe('u-blox GNSS (+UGPS, +UGRMC, +UGGGA) and CellLocate (+ULOC)', () => {
  it('builds NMEA coordinates and checksums', () => {
    assert.deepEqual(nmeaCoordinates({ latitude: -33.5, longitude: -70.25, altitude: 0 }), { lat: '3330.00000', ns: 'S', lon: '07015.00000', ew: 'W' });
    // The checksum of a well-known sentence.
    assert.equal(sentence('GPGGA,092750.000,5321.6802,N,00630.3372,W,1,8,1.03,61.7,M,55.2,M,,'), '$GPGGA,092750.000,5321.6802,N,00630.3372,W,1,8,1.03,61.7,M,55.2,M,,*76');
  });

  it('switches the receiver on, reports "Not available" until the fix, then RMC and GGA of the configured position', async () => {
    const h = await ublox();
    try {
      await at(h, 'AT+CMEE=1');
      h.module.services.gnss.setPosition({ latitude: 52.5, longitude: 13.25, altitude: 34 });
      assert.equal(await at(h, 'AT+UGRMC=1'), OK);
      assert.equal(await at(h, 'AT+UGGGA=1'), OK);
      assert.equal(await at(h, 'AT+UGPS?'), answer('+UGPS: 0'));
      assert.equal(await at(h, 'AT+UGRMC?'), answer('+UGRMC: 1,Not available'));
      assert.equal(await at(h, 'AT+UGPS=1,0,1'), OK);
      assert.equal(await at(h, 'AT+UGPS?'), answer('+UGPS: 1,0,1'));
      assert.equal(await at(h, 'AT+UGGGA?'), answer('+UGGGA: 1,Not available'));
      await h.advance(1000);
      const d = new Date(h.clock.now());
      const time = `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}.00`;
      const date = `${pad(d.getUTCDate())}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCFullYear() % 100)}`;
      assert.equal(await at(h, 'AT+UGRMC?'), answer(`+UGRMC: 1,${sentence(`GPRMC,${time},A,5230.00000,N,01315.00000,E,0.000,,${date},,,A`)}`));
      assert.equal(await at(h, 'AT+UGGGA?'), answer(`+UGGGA: 1,${sentence(`GPGGA,${time},5230.00000,N,01315.00000,E,1,08,1.00,34.0,M,47.0,M,,`)}`));
      assert.equal(await at(h, 'AT+UGPS=0'), OK);
      assert.equal(await at(h, 'AT+UGRMC?'), answer('+UGRMC: 1,Not available'));
      assert.equal(await at(h, 'AT+UGRMC=0'), OK);
      assert.equal(await at(h, 'AT+UGRMC?'), answer('+UGRMC: 0'));
    } finally {
      await h.close();
    }
  });

  it('+ULOC answers OK, then +UULOC with the same position', async () => {
    const h = await ublox();
    try {
      await at(h, 'AT+CMEE=1');
      h.module.services.gnss.setPosition({ latitude: 45.633452, longitude: 13.061862, altitude: 49 });
      assert.equal(await at(h, 'AT+ULOC=2,3,0,120,1'), OK);
      const d = new Date(h.clock.now() + 1000);
      const when = `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()},${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
      assert.equal(await h.advance(1000), urc(`+UULOC: ${when},45.6334520,13.0618620,49,10`));
      assert.equal(await at(h, 'AT+ULOC=2,3,2,120,1'), cmeError(50));
      // A reboot drops a request in progress.
      assert.equal(await at(h, 'AT+ULOC=2,3,0,120,1'), OK);
      await at(h, 'AT+CFUN=16');
      assert.equal(await h.advance(h.module.model.timing.rebootMs), '');
    } finally {
      await h.close();
    }
  });

  it('+UGUBX: refused with the receiver off and for what is not one UBX frame; NAV-PVT without a fix is fixType 0', async () => {
    const h = await ublox();
    try {
      await at(h, 'AT+CMEE=1');
      assert.equal(await at(h, 'AT+UGUBX="B562010700000819"'), cmeError(3));
      assert.equal(await at(h, 'AT+UGPS=1'), OK);
      for (const bad of ['B56201070000081', 'B562010700000819FF', 'B562010701000819', 'ZZ62010700000819']) assert.equal(await at(h, `AT+UGUBX="${bad}"`), cmeError(50), bad);
      const reply = /\+UGUBX: "([0-9A-F]+)"/.exec(await at(h, 'AT+UGUBX="B562010700000819"'))![1]!;
      const pvt = decodeUbx(Buffer.from(reply, 'hex'))!;
      assert.equal(pvt.payload.length, 92);
      assert.equal(pvt.payload[20], 0);
      // Unknown messages get an empty answer.
      assert.equal(await at(h, `AT+UGUBX="${encodeUbx({ cls: 0x27, id: 0x03, payload: Buffer.alloc(0) }).toString('hex')}"`), answer('+UGUBX: ""'));
    } finally {
      await h.close();
    }
  });

  it('a product without GNSS answers "operation not supported"', async () => {
    const h = await ublox({ model: 'sara-r410m' });
    try {
      await at(h, 'AT+CMEE=1');
      assert.equal(await at(h, 'AT+UGPS=1'), cmeError(4));
    } finally {
      await h.close();
    }
  });
});
