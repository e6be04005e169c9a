import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '@modemlab/at';
import { ModuleHarness } from '../../testing/harness.js';
import { pkiFile, sharedPki, startPeer } from '../../testing/tls-peers.js';
import { at, storePem, telitModule } from './telit.testutil.js';

const OK = '\r\nOK\r\n';
const answer = (line: string) => `\r\n${line}\r\n${OK}`;
const DAY = 86_400_000;
const two = (n: number) => String(n).padStart(2, '0');
/** Telit's "yy/MM/dd,hh:mm:ss+00,0" for a UTC time. */
const telitTime = (ms: number): string => {
  const d = new Date(ms);
  return `${two(d.getUTCFullYear() % 100)}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())},${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}+00,0`;
};
const dial = (port: number) => `AT#SSLD=1,${port},"127.0.0.1",0,1\r`;

describe('Telit #CCLK and #NITZ', () => {
  it('sets and reads the clock with zone and daylight saving; the network time replaces it while #NITZ updates', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    const h = await ModuleHarness.create({ model: 'ge910', clock });
    try {
      await h.send('ATE0\r');
      await h.advance(2000);
      await h.send('AT+CMEE=1\r');
      assert.equal(await h.send('AT#CCLK?\r'), answer('#CCLK: "26/01/01,12:00:02+00,0"'));
      assert.equal(await h.send('AT#NITZ?\r'), answer('#NITZ: 7,0'));
      assert.equal(await h.send('AT#NITZ=?\r'), answer('#NITZ: (0-15),(0,1)'));
      assert.equal(await h.send('AT#CCLK=?\r'), OK);
      assert.equal(await h.send('AT#CCLK="13/09/13,10:30:00+04,1"\r'), OK);
      assert.equal(await h.advance(5000), '');
      assert.equal(await h.send('AT#CCLK?\r'), answer('#CCLK: "13/09/13,10:30:05+04,1"'));
      for (const bad of ['"13/02/30,10:30:00+04,0"', '"13/09/13,10:30:00+04,3"', '"13/09/13 10:30"', '5']) {
        assert.equal(await h.send(`AT#CCLK=${bad}\r`), '\r\n+CME ERROR: 4\r\n', bad);
      }
      assert.equal(await h.send('AT#NITZ=16\r'), '\r\n+CME ERROR: 4\r\n');
      // Automatic update on (factory 7): registering again brings the network's time, with the URC asked for.
      assert.equal(await h.send('AT#NITZ=15,1\r'), OK);
      await h.send('AT+CFUN=4\r');
      await h.send('AT+CFUN=1\r');
      assert.equal(await h.advance(2000), '\r\n#NITZ: 26/01/01,12:00:09+00,0\r\n');
      assert.equal(await h.send('AT#CCLK?\r'), answer('#CCLK: "26/01/01,12:00:09+00,0"'));
      // Off: the #CCLK time stays across registrations, and #NITZ is kept in NVM.
      assert.equal(await h.send('AT#NITZ=0\r'), OK);
      await h.send('AT#CCLK="13/09/13,10:30:00-08,0"\r');
      await h.send('AT+CFUN=4\r');
      await h.send('AT+CFUN=1\r');
      assert.equal(await h.advance(2000), '');
      assert.equal(await h.send('AT#CCLK?\r'), answer('#CCLK: "13/09/13,10:30:02-08,0"'));
      assert.equal(await h.send('AT#NITZ?\r'), answer('#NITZ: 0,0'));
    } finally {
      await h.close();
    }
  });
});

describe('Telit: the stored CA must be valid at the module date (seed 003 §3.3.1)', () => {
  for (const model of ['ge910', 'he910'] as const) {
    it(`${model}: a CA expired at the module's date fails #SSLD with 839; #NITZ=0 and #CCLK before the expiry make it succeed`, async () => {
      const peer = await startPeer('echo', ['tls1']);
      const h = await telitModule(model);
      try {
        const ca = sharedPki().ca.x509;
        assert.equal(await at(h, 'AT#SSLSECCFG=1,0,1\r'), OK);
        assert.equal(await storePem(h, 1, pkiFile('ca.pem')), OK);
        // The module's date after the CA's notAfter (automatic update still on: #CCLK holds until the next registration).
        assert.equal(await at(h, `AT#CCLK="${telitTime(Date.parse(ca.validTo) + DAY)}"\r`), OK);
        assert.equal(await at(h, dial(peer.port)), '\r\n+CME ERROR: 839\r\n');
        assert.equal(await at(h, 'AT#SSLS=1\r'), answer('#SSLS: 1,1'));
        // Before its notBefore: not yet valid, the same error.
        assert.equal(await at(h, `AT#CCLK="${telitTime(Date.parse(ca.validFrom) - DAY)}"\r`), OK);
        assert.equal(await at(h, dial(peer.port)), '\r\n+CME ERROR: 839\r\n');
        // Verify none does not look at the CA.
        assert.equal(await at(h, 'AT#SSLSECCFG=1,0,0\r'), OK);
        assert.equal(await at(h, dial(peer.port)), OK);
        assert.equal(await at(h, 'AT#SSLH=1\r'), OK);
        assert.equal(await at(h, 'AT#SSLSECCFG=1,0,1\r'), OK);
        // The note's way out: no automatic update, a date before the expiry.
        assert.equal(await at(h, 'AT#NITZ=0\r'), OK);
        assert.equal(await at(h, `AT#CCLK="${telitTime(Date.parse(ca.validTo) - DAY)}"\r`), OK);
        assert.equal(await at(h, dial(peer.port)), OK);
        assert.equal(await at(h, 'AT#SSLS=1\r'), answer('#SSLS: 1,2,3'));
        assert.equal(await at(h, 'AT#SSLH=1\r'), OK);
        // The date stays through a new registration with #NITZ=0.
        await at(h, 'AT+CFUN=4\r');
        await at(h, 'AT+CFUN=1\r');
        await h.advance(2000);
        await at(h, 'AT#SGACT=1,1\r');
        assert.equal(await at(h, dial(peer.port)), OK);
      } finally {
        await h.close();
        await peer.close();
      }
    });
  }

  it('with automatic update on, registering brings back the network date and the CA is valid again', async () => {
    const peer = await startPeer('echo', ['tls1']);
    const h = await telitModule('ge910');
    try {
      await at(h, 'AT#SSLSECCFG=1,0,1\r');
      await storePem(h, 1, pkiFile('ca.pem'));
      await at(h, `AT#CCLK="${telitTime(Date.parse(sharedPki().ca.x509.validTo) + DAY)}"\r`);
      assert.equal(await at(h, dial(peer.port)), '\r\n+CME ERROR: 839\r\n');
      await at(h, 'AT+CFUN=4\r');
      await at(h, 'AT+CFUN=1\r');
      await h.advance(2000);
      await at(h, 'AT#SGACT=1,1\r');
      assert.equal(await at(h, dial(peer.port)), OK);
    } finally {
      await h.close();
      await peer.close();
    }
  });
});
