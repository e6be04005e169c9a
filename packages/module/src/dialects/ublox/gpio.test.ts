import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModuleHarness } from '../../testing/harness.js';
import { answer, at, cmeError, OK, ublox } from './ublox.testutil.js';

describe('u-blox GPIO (+UGPIOC/+UGPIOR/+UGPIOW) and +USIO', () => {
  it('configures pads, drives outputs the lab sees, reads levels the lab drives', async () => {
    const h = await ublox();
    try {
      await at(h, 'AT+CMEE=1');
      assert.equal(await at(h, 'AT+UGPIOC=?'), answer('+UGPIOC: (16,19,23-25,42),(0-7,10,12,15,16,18,19,21-24,255)'));
      assert.equal(await at(h, 'AT+UGPIOC?'), answer('+UGPIOC:', '16,255', '19,255', '23,255', '24,255', '25,255', '42,255'));
      const seen: Array<{ id: number; level: number }> = [];
      h.module.services.gpio.on('output', (e) => seen.push(e));
      // ubxlib's uCellGpioConfig: output with an initial level, then input.
      assert.equal(await at(h, 'AT+UGPIOC=16,0,1'), OK);
      assert.equal(await at(h, 'AT+UGPIOR=16'), answer('+UGPIOR: 16,1'));
      assert.equal(await at(h, 'AT+UGPIOW=16,0'), OK);
      assert.equal(await at(h, 'AT+UGPIOR=16'), answer('+UGPIOR: 16,0'));
      assert.deepEqual(seen, [{ id: 16, level: 1 }, { id: 16, level: 0 }]);
      assert.equal(h.module.services.gpio.level(16), 0);

      assert.equal(await at(h, 'AT+UGPIOC=23,1'), OK);
      assert.equal(await at(h, 'AT+UGPIOR=23'), answer('+UGPIOR: 23,0'));
      h.module.services.gpio.drive(23, 1);
      assert.equal(await at(h, 'AT+UGPIOR=23'), answer('+UGPIOR: 23,1'));
      h.module.services.gpio.drive(23, undefined);
      // Input with a pull-up floats high.
      assert.equal(await at(h, 'AT+UGPIOC=23,1,1'), OK);
      assert.equal(await at(h, 'AT+UGPIOR=23'), answer('+UGPIOR: 23,1'));
      assert.equal(await at(h, 'AT+UGPIOC?'), answer('+UGPIOC:', '16,0', '19,255', '23,1', '24,255', '25,255', '42,255'));
    } finally {
      await h.close();
    }
  });

  it('refuses pads and values the product lacks and writes to non-outputs; nothing changes', async () => {
    const h = await ublox();
    try {
      await at(h, 'AT+CMEE=1');
      assert.equal(await at(h, 'AT+UGPIOC=17,0'), cmeError(50));
      assert.equal(await at(h, 'AT+UGPIOC=16,8'), cmeError(50));
      assert.equal(await at(h, 'AT+UGPIOC=16,0,2'), cmeError(50));
      assert.equal(await at(h, 'AT+UGPIOR=17'), cmeError(50));
      assert.equal(await at(h, 'AT+UGPIOW=16,1'), cmeError(3));
      assert.equal(await at(h, 'AT+UGPIOW=16,2'), cmeError(50));
      assert.equal(await at(h, 'AT+UGPIOC?'), answer('+UGPIOC:', '16,255', '19,255', '23,255', '24,255', '25,255', '42,255'));
    } finally {
      await h.close();
    }
  });

  it('keeps the pads’ configuration across a restart on the same state (NVM)', async () => {
    const first = await ublox();
    const stateDir = first.module.nvm.dir;
    await at(first, 'AT+UGPIOC=42,0,1');
    await first.module.close();
    const again = await ModuleHarness.create({ stateDir });
    try {
      await again.send('ATE0\r');
      assert.equal(await at(again, 'AT+UGPIOR=42'), answer('+UGPIOR: 42,1'));
    } finally {
      await again.close();
      await first.close();
    }
  });

  it('+USIO? names the active serial variant with a star (as ubxlib parses it)', async () => {
    const h = await ublox();
    try {
      assert.equal(await at(h, 'AT+USIO?'), answer('+USIO: 0,*0'));
      assert.equal(await at(h, 'AT+USIO=?'), answer('+USIO: (0)'));
    } finally {
      await h.close();
    }
  });
});
