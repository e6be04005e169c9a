import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uutime } from './cell-time.js';
import { answer, at, cmeError, OK, ublox, urc } from './ublox.testutil.js';

describe('u-blox CellTime (+UTIME/+UTIMEIND/+UTIMECFG, +UUTIME/+UUTIMEIND)', () => {
  it('formats +UUTIME as ubxlib parses it', () => {
    assert.equal(uutime({ utcMs: Date.UTC(2026, 11, 5, 8, 9, 7, 123) + 0.5, accuracyNs: 1000, absolute: true }), '+UUTIME: 05/12/2026,08:09:07,123.500000,0.000001000,1');
  });

  it('one shot in ubxlib order: offset, indications, then the network time after the sync', async () => {
    const h = await ublox();
    try {
      await at(h, 'AT+CMEE=1');
      assert.equal(await at(h, 'AT+UTIMECFG=500000000,2'), OK);
      assert.equal(await at(h, 'AT+UTIMECFG?'), answer('+UTIMECFG: 500000000,2'));
      assert.equal(await at(h, 'AT+UTIMEIND=1'), OK);
      assert.equal(await at(h, 'AT+UTIME=2,2'), OK);
      assert.equal(await at(h, 'AT+UTIME?'), answer('+UTIME: 2,2'));
      const syncAt = h.clock.now() + 1000;
      assert.equal(await h.advance(1000), urc('+UUTIMEIND: 2,2,1,0', uutime({ utcMs: syncAt + 2500, accuracyNs: 1000, absolute: true })));
      // One shot: nothing more.
      assert.equal(await h.advance(5000), '');
    } finally {
      await h.close();
    }
  });

  it('pulse mode repeats every period until +UTIME=0; indications only when enabled', async () => {
    const h = await ublox();
    try {
      assert.equal(await at(h, 'AT+UTIME=1,1,2,100'), OK);
      const first = h.clock.now() + 1000;
      assert.equal(await h.advance(1000), urc(uutime({ utcMs: first, accuracyNs: 1000, absolute: true })));
      assert.equal(await h.advance(1000), '');
      assert.equal(await h.advance(1000), urc(uutime({ utcMs: first + 2000, accuracyNs: 1000, absolute: true })));
      assert.equal(await at(h, 'AT+UTIME=0'), OK);
      assert.equal(await h.advance(4000), '');
    } finally {
      await h.close();
    }
  });

  it('refuses a sync off a cell and bad values; nothing changes', async () => {
    const h = await ublox({ registered: false });
    try {
      await at(h, 'AT+CMEE=1');
      assert.equal(await at(h, 'AT+UTIME=2,2'), cmeError(3));
      assert.equal(await at(h, 'AT+UTIME=4'), cmeError(50));
      assert.equal(await at(h, 'AT+UTIMEIND=2'), cmeError(50));
      assert.equal(await at(h, 'AT+UTIME?'), answer('+UTIME: 0,1'));
      assert.equal(await at(h, 'AT+UTIMEIND?'), answer('+UTIMEIND: 0'));
    } finally {
      await h.close();
    }
  });
});
