import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { networkStack } from './network/network.testutil.js';
import { activeTimeMs, PowerSaving } from './power-saving.js';

describe('power saving', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('decodes T3324 active times', () => {
    assert.equal(activeTimeMs('00000000'), 0);
    assert.equal(activeTimeMs('00000101'), 10_000);
    assert.equal(activeTimeMs('00100011'), 180_000);
    assert.equal(activeTimeMs('01000010'), 720_000);
    assert.equal(activeTimeMs('11100000'), undefined);
  });

  it('enters PSM after RRC idle plus the active time, and wakes on activity', () => {
    const s = networkStack();
    dirs.push(s.dir);
    const ps = new PowerSaving(s.nvm, s.clock, s.operator);
    const states: boolean[] = [];
    ps.on('psm', (e) => states.push(e.entered));
    ps.setPsm({ enabled: true, activeTime: '00000101' });
    s.powerOn();
    s.clock.advance(2000 + 10_000);
    s.clock.advance(9_999);
    assert.equal(ps.inPsm, false);
    s.clock.advance(1);
    assert.equal(ps.inPsm, true);
    s.pdp.countBytes(1, 10, 10);
    assert.equal(ps.inPsm, false);
    assert.deepEqual(states, [true, false]);
  });

  it('keeps PSM and eDRX requests in NVM; mode resets restore the defaults', () => {
    const s = networkStack();
    dirs.push(s.dir);
    const ps = new PowerSaving(s.nvm, s.clock, s.operator);
    ps.setPsm({ enabled: true, periodicTau: '00000001' });
    ps.setEdrx(4, { mode: 1, value: '0101' });
    const again = new PowerSaving(s.nvm, s.clock, s.operator);
    assert.deepEqual(again.psm, { enabled: true, periodicRau: '', gprsReadyTimer: '', periodicTau: '00000001', activeTime: '00000000' });
    assert.deepEqual(again.edrxList(), [{ actType: 4, mode: 1, value: '0101' }]);
    again.resetPsm();
    again.resetEdrx();
    assert.equal(again.psm.enabled, false);
    assert.deepEqual(again.edrxList(), []);
  });
});
