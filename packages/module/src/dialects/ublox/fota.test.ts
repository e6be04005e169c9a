import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answer, at, cmeError, OK, ublox, urc } from './ublox.testutil.js';

const IMAGE = 'MODEMLAB-FIRMWARE 03.16 03.16,A00.02\n\x00\x01firmware payload';

describe('u-blox FOTA (+UFOTASTAT, +UFWINSTALL)', () => {
  it('installs an image downloaded to the file system: OK, reports, reboot, the new version in +CGMR/ATI9/ATI', async () => {
    const h = await ublox({ registered: false });
    try {
      await at(h, 'AT+CMEE=1');
      assert.equal(await at(h, 'AT+CGMR'), answer('03.15'));
      // ubxlib's uCellFotaSetStatusCallback: +UFOTASTAT=1, then the install reports on.
      assert.equal(await at(h, 'AT+UFOTASTAT=1'), OK);
      assert.equal(await at(h, 'AT+UFOTASTAT?'), answer('+UFOTASTAT: 1'));
      assert.equal(await at(h, 'AT+UFWINSTALL=,,,1'), OK);
      // No image yet: refused, nothing changes.
      assert.equal(await at(h, 'AT+UFWINSTALL'), cmeError(3));
      assert.equal(await at(h, `AT+UDWNFILE="fw.bin",${IMAGE.length}`), '\r\n>');
      assert.equal(await h.send(Buffer.from(IMAGE, 'latin1')), OK);
      assert.equal(await at(h, 'AT+UFWINSTALL'), OK + urc('+UFWPREVAL: 100', '+UUFWINSTALL: 100'));
      // The image is consumed; after the reboot the new firmware runs and says so once.
      assert.equal(await h.advance(h.module.model.timing.rebootMs), urc('+UFOTASTAT: 3,1,0'));
      await at(h, 'ATE0');
      assert.equal(await at(h, 'AT+CGMR'), answer('03.16'));
      assert.equal(await at(h, 'ATI9'), answer('03.16,A00.02'));
      assert.ok((await at(h, 'ATI')).includes('\r\nRevision: 03.16\r\n'));
      assert.equal(await at(h, 'AT+ULSTFILE=0'), answer('+ULSTFILE: '));
      // A plain reboot reports nothing more and keeps the version (NVM).
      await at(h, 'AT+CFUN=16');
      assert.equal(await h.advance(h.module.model.timing.rebootMs), '');
      await at(h, 'ATE0');
      assert.equal(await at(h, 'AT+CGMR'), answer('03.16'));
    } finally {
      await h.close();
    }
  });

  it('a file without the lab header is no image', async () => {
    const h = await ublox({ registered: false });
    try {
      await at(h, 'AT+CMEE=1');
      h.module.services.files.write('fw.bin', Buffer.from('MODEMLAB-FIRMWARE\njunk'));
      assert.equal(await at(h, 'AT+UFWINSTALL=1,115200'), cmeError(3));
      assert.equal(await at(h, 'AT+CGMR'), answer('03.15'));
    } finally {
      await h.close();
    }
  });
});
