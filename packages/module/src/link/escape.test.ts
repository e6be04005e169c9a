import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock, type Clock } from '@modemlab/at';
import { EscapeDetector } from './escape.js';

function detector(clock: Clock, guardMs = 1000) {
  const forwarded: Buffer[] = [];
  let escapes = 0;
  const d = new EscapeDetector(clock, guardMs, { forward: (b) => forwarded.push(Buffer.from(b)), escaped: () => escapes++ });
  return { d, data: () => Buffer.concat(forwarded).toString('latin1'), escapes: () => escapes };
}

describe('EscapeDetector (+++ with guard times)', () => {
  it('escapes on silence, +++, silence; forwards everything else unchanged', () => {
    const clock = new ManualClock(0);
    const t = detector(clock);
    t.d.input(Buffer.from('a+b'));
    clock.advance(1000);
    t.d.input(Buffer.from('+++'));
    clock.advance(1000);
    assert.equal(t.escapes(), 1);
    assert.equal(t.data(), 'a+b');
  });

  it('+++ without the silence before, or followed by data, is data', () => {
    const clock = new ManualClock(0);
    const t = detector(clock);
    clock.advance(1000);
    t.d.input(Buffer.from('x+++'));
    clock.advance(1000);
    clock.advance(1000);
    t.d.input(Buffer.from('+++y'));
    clock.advance(1000);
    assert.equal(t.escapes(), 0);
    assert.equal(t.data(), 'x++++++y');
  });

  it('escapes even when its timer fires a millisecond before the clock says the guard time is over', () => {
    // Node timers may run a little before Date.now() reaches their due time.
    const manual = new ManualClock(0);
    const early: Clock = { now: () => manual.now(), setTimeout: (fn, ms) => manual.setTimeout(fn, Math.max(1, ms - 1)) };
    const t = detector(early);
    manual.advance(1000);
    t.d.input(Buffer.from('+++'));
    manual.advance(999);
    assert.equal(t.escapes(), 0, 'not yet: the guard time is not over');
    manual.advance(1);
    assert.equal(t.escapes(), 1);
    assert.equal(t.data(), '');
  });
});
