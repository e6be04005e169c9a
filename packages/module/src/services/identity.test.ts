import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { NvmStore } from '../nvm/store.js';
import { ServiceError } from './errors.js';
import { IdentityService, luhnDigit } from './identity.js';

describe('identity service', () => {
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-id-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('computes Luhn check digits', () => {
    assert.equal(luhnDigit('49015420323751'), '8');
    assert.equal(luhnDigit('35360611000000'), luhnDigit('35360611000000'));
    assert.equal(luhnDigit('7992739871'), '3');
  });

  it('generates a valid IMEI with the model TAC, an IMSI of the home PLMN and an ICCID, once', () => {
    const id = new IdentityService(new NvmStore(dir), '35360611', '00101');
    id.powerOn();
    assert.match(id.imei, /^35360611\d{7}$/);
    assert.equal(luhnDigit(id.imei.slice(0, 14)), id.imei[14]);
    assert.match(id.imsi, /^00101\d{10}$/);
    assert.match(id.iccid, /^89\d{18}$/);
    assert.equal(luhnDigit(id.iccid.slice(0, 19)), id.iccid[19]);
    const again = new IdentityService(new NvmStore(dir), '35360611', '00101');
    again.powerOn();
    assert.deepEqual([again.imei, again.imsi, again.iccid], [id.imei, id.imsi, id.iccid]);
  });

  it('refuses SIM identities without a SIM', () => {
    const id = new IdentityService(new NvmStore(dir), '35360611', '00101');
    id.simPresent = false;
    assert.throws(() => id.imsi, (e) => e instanceof ServiceError && e.reason === 'sim-missing');
    assert.match(id.imei, /^\d{15}$/);
  });
});
