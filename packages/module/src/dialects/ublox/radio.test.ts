import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModuleHarness } from '../../testing/harness.js';
import { answer, at, cmeError, OK, ublox } from './ublox.testutil.js';

/** Bits of bands 1,2,3,4,5,8,12,13,18,19,20,25,26,28 (SARA-R5 LTE-M, bands <= 64). */
const R5_M1_MASK = '185473183';

describe('u-blox radio configuration', () => {
  it('changes the MNO profile only with the radio off (CFUN=0 or 4), effective after a reboot (seed 2.3)', async () => {
    const h = await ModuleHarness.create();
    assert.equal(await at(h, 'AT+CFUN=0'), `AT+CFUN=0\r${OK}`);
    assert.equal(await at(h, 'AT+UMNOPROF=100'), `AT+UMNOPROF=100\r${OK}`);
    assert.equal(await at(h, 'AT+UMNOPROF?'), `AT+UMNOPROF?\r${answer('+UMNOPROF: 90')}`, 'not effective yet');
    assert.equal(await at(h, 'AT+CFUN=16'), `AT+CFUN=16\r${OK}`);
    await h.advance(3000);
    assert.equal(await at(h, 'AT+UMNOPROF?'), `AT+UMNOPROF?\r${answer('+UMNOPROF: 100')}`);
    await h.close();
  });

  it('takes +UMNOPROF in airplane mode (CFUN=4) too: seed 000 §2.3 radio off, as ubxlib sends it', async () => {
    const h = await ublox();
    await at(h, 'ATE0');
    assert.equal(await at(h, 'AT+CFUN=4'), OK);
    assert.equal(await at(h, 'AT+UMNOPROF=100'), OK);
    assert.equal(await at(h, 'AT+URAT=7'), OK, 'the other radio-configuration commands alike');
    assert.equal(await at(h, `AT+UBANDMASK=0,${R5_M1_MASK}`), OK);
    assert.equal(await at(h, 'AT+CFUN=16'), OK);
    await h.advance(3000);
    await at(h, 'ATE0');
    assert.equal(await at(h, 'AT+UMNOPROF?'), answer('+UMNOPROF: 100'));
    await h.close();
  });

  it('refuses +UMNOPROF with the radio on or a profile the module lacks, changing nothing', async () => {
    const h = await ublox();
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+UMNOPROF=100'), cmeError(3));
    await at(h, 'AT+CMEE=2');
    assert.equal(await at(h, 'AT+UMNOPROF=100'), cmeError('operation not allowed'));
    await at(h, 'AT+CFUN=0');
    assert.equal(await at(h, 'AT+UMNOPROF=99'), cmeError('Incorrect parameters'));
    assert.equal(await at(h, 'AT+UMNOPROF'), cmeError('operation not supported'));
    await at(h, 'AT+CFUN=16');
    await h.advance(3000);
    await at(h, 'ATE0');
    assert.equal(await at(h, 'AT+UMNOPROF?'), answer('+UMNOPROF: 90'));
    assert.equal(
      await at(h, 'AT+UMNOPROF=?'),
      answer('+UMNOPROF: (0,1,19,21,28,31,39,42,43,44,45,46,90,100,101,102,103,104,200,201,206),(0-1)'),
    );
    await h.close();
  });

  it('selects the RAT with the radio off, effective after a reboot', async () => {
    const h = await ublox();
    assert.equal(await at(h, 'AT+URAT?'), answer('+URAT: 7'));
    assert.equal(await at(h, 'AT+URAT=?'), answer('+URAT: (7,8),(7,8)'));
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+URAT=8'), cmeError(3));
    await at(h, 'AT+CFUN=0');
    assert.equal(await at(h, 'AT+URAT=9'), cmeError(50));
    assert.equal(await at(h, 'AT+URAT=7,7'), cmeError(50));
    assert.equal(await at(h, 'AT+URAT=8,7'), OK);
    assert.equal(await at(h, 'AT+URAT?'), answer('+URAT: 7'));
    await at(h, 'AT+CFUN=16');
    await h.advance(3000);
    await at(h, 'ATE0');
    assert.equal(await at(h, 'AT+URAT?'), answer('+URAT: 8,7'));
    await h.advance(2000);
    assert.equal(await at(h, 'AT+COPS?'), answer('+COPS: 0,0,"Nutaq Cat-M1 Network",9'), 'NB-IoT is AcT 9');
    await h.close();
  });

  it('reads and sets band masks with the radio off', async () => {
    const h = await ublox();
    assert.equal(await at(h, 'AT+URAT?'), answer('+URAT: 7'));
    assert.equal(await at(h, 'AT+UBANDMASK?'), answer(`+UBANDMASK: 0,${R5_M1_MASK}`), 'only the enabled RAT (Cat-M1)');
    assert.equal(await at(h, 'AT+UBANDMASK=?'), answer('+UBANDMASK: (0,1)'));
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+UBANDMASK=0,524420'), cmeError(3));
    await at(h, 'AT+CFUN=0');
    // Bands 3, 8 and 20.
    assert.equal(await at(h, 'AT+UBANDMASK=0,524420'), OK);
    assert.equal(await at(h, 'AT+UBANDMASK=0,64'), cmeError(50), 'band 7 is not supported');
    assert.equal(await at(h, 'AT+UBANDMASK=0,0'), cmeError(50));
    assert.equal(await at(h, 'AT+UBANDMASK=2,4'), cmeError(50));
    assert.equal(await at(h, 'AT+UBANDMASK=1,abc'), cmeError(50));
    assert.equal(await at(h, 'AT+UBANDMASK=1'), cmeError(50));
    assert.equal(await at(h, 'AT+UBANDMASK=1,4,0'), OK);
    assert.equal(await at(h, 'AT+UBANDMASK?'), answer('+UBANDMASK: 0,524420'), 'NB-IoT is not enabled');
    assert.equal(await at(h, 'AT+URAT=7,8'), OK);
    await at(h, 'AT+CFUN=16');
    await h.advance(3000);
    await at(h, 'ATE0');
    assert.equal(await at(h, 'AT+UBANDMASK?'), answer('+UBANDMASK: 0,524420,1,4'), 'both RATs enabled: both listed');
    await h.close();
  });
});
