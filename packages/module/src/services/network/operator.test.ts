import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ManualClock } from '@modemlab/at';
import { NvmStore } from '../../nvm/store.js';
import { NetworkOperator, type RegistrationChange } from './operator.js';
import { resolveNetworkOptions, type NetworkOptions } from './options.js';

const dirs: string[] = [];
function operator(opts: NetworkOptions = {}, dir = mkdtempSync(join(tmpdir(), 'modemlab-op-'))) {
  dirs.push(dir);
  const clock = new ManualClock();
  const op = new NetworkOperator(clock, new NvmStore(dir), resolveNetworkOptions(opts));
  const changes: RegistrationChange[] = [];
  const rrc: boolean[] = [];
  op.on('registration', (c) => changes.push(c));
  op.on('rrc', (r) => rrc.push(r.connected));
  return { op, clock, changes, rrc, dir };
}

describe('network operator', () => {
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('searches at power-on and registers after the delay', () => {
    const { op, clock, changes, rrc } = operator({ registrationDelayMs: 500 });
    op.powerOn();
    assert.equal(op.stat, 2);
    clock.advance(499);
    assert.equal(op.stat, 2);
    clock.advance(1);
    assert.equal(op.stat, 1);
    assert.deepEqual(changes.map((c) => c.stat), [2, 1]);
    assert.deepEqual(rrc, [true]);
  });

  it('reports roaming when configured', () => {
    const { op, clock } = operator({ roaming: true });
    op.powerOn();
    clock.advance(2000);
    assert.equal(op.stat, 5);
    assert.equal(op.registered, true);
  });

  it('drops to 0 with the radio off and searches again with it on', () => {
    const { op, clock, changes } = operator();
    op.powerOn();
    clock.advance(2000);
    op.setFunctionality(4);
    assert.equal(op.stat, 0);
    assert.equal(op.lastCause, 'radio-off');
    op.setFunctionality(1);
    assert.equal(op.stat, 2);
    clock.advance(2000);
    assert.equal(op.stat, 1);
    assert.deepEqual(changes.map((c) => c.stat), [2, 1, 0, 2, 1]);
  });

  it('loses and regains registration with coverage', () => {
    const { op, clock, changes } = operator();
    op.powerOn();
    clock.advance(2000);
    op.setCoverage(false);
    assert.equal(op.stat, 2);
    assert.equal(op.lastCause, 'coverage-lost');
    clock.advance(60_000);
    assert.equal(op.stat, 2, 'no coverage, no registration');
    op.setCoverage(true);
    clock.advance(2000);
    assert.equal(op.stat, 1);
    assert.deepEqual(changes.map((c) => [c.stat, c.cause]), [[2, 'searching'], [1, 'registered'], [2, 'coverage-lost'], [1, 'registered']]);
  });

  it('keeps the deregistered selection mode in NVM', () => {
    const first = operator();
    first.op.powerOn();
    first.clock.advance(2000);
    first.op.select(2);
    assert.equal(first.op.stat, 0);
    const second = operator({}, first.dir);
    second.op.powerOn();
    second.clock.advance(5000);
    assert.equal(second.op.stat, 0);
    assert.equal(second.op.selectionMode, 2);
    second.op.select(0);
    second.clock.advance(2000);
    assert.equal(second.op.stat, 1);
  });

  it('refuses manual selection of an unknown network before changing anything', () => {
    const { op, clock } = operator();
    op.powerOn();
    clock.advance(2000);
    assert.throws(() => op.select(1, 'Other Network'));
    assert.equal(op.selectionMode, 0);
    op.select(1, '00101');
    assert.equal(op.selectionMode, 1);
    assert.equal(op.stat, 1);
  });

  it('goes RRC idle after the inactivity timer and reconnects on activity', () => {
    const { op, clock, rrc } = operator({ rrcInactivityMs: 10_000 });
    op.powerOn();
    clock.advance(2000);
    clock.advance(9_999);
    assert.equal(op.rrcConnected, true);
    clock.advance(1);
    assert.equal(op.rrcConnected, false);
    op.activity();
    assert.equal(op.rrcConnected, true);
    clock.advance(5000);
    op.activity();
    clock.advance(9_999);
    assert.equal(op.rrcConnected, true);
    clock.advance(1);
    assert.deepEqual(rrc, [true, false, true, false]);
  });

  it('forgets everything silently at power-off', () => {
    const { op, clock, changes } = operator();
    op.powerOn();
    clock.advance(2000);
    const before = changes.length;
    op.powerOff();
    assert.equal(op.stat, 0);
    assert.equal(changes.length, before);
    clock.advance(60_000);
    assert.equal(op.stat, 0);
  });
});
