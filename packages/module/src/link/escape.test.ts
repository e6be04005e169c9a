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

  it('reads the clock once per chunk and forwards a chunk without an escape start whole, uncopied', () => {
    const manual = new ManualClock(0);
    let reads = 0;
    const counting: Clock = { now: () => (reads++, manual.now()), setTimeout: (fn, ms) => manual.setTimeout(fn, ms) };
    const forwarded: Buffer[] = [];
    const d = new EscapeDetector(counting, 1000, { forward: (b) => forwarded.push(b), escaped: () => {} });
    reads = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x2b);
    chunk[0] = 0x41;
    d.input(chunk);
    manual.advance(1000);
    const plusFirstButNoSilence = Buffer.from('+++ data');
    d.input(Buffer.from('x'));
    d.input(plusFirstButNoSilence);
    assert.equal(reads, 3);
    assert.equal(forwarded[0], chunk, 'the same buffer, not a copy');
    assert.equal(forwarded[2], plusFirstButNoSilence);
  });

  it('a + run split over chunks escapes; four + are data', () => {
    const clock = new ManualClock(0);
    const t = detector(clock);
    clock.advance(1000);
    t.d.input(Buffer.from('+'));
    t.d.input(Buffer.from('+'));
    t.d.input(Buffer.from('+'));
    clock.advance(1000);
    assert.equal(t.escapes(), 1);
    clock.advance(1000);
    t.d.input(Buffer.from('++'));
    t.d.input(Buffer.from('++z'));
    clock.advance(1000);
    assert.equal(t.escapes(), 1);
    assert.equal(t.data(), '++++z');
  });

  it('with a guard time of 0 the trailing +++ of a chunk escapes', () => {
    const clock = new ManualClock(0);
    const t = detector(clock, 0);
    t.d.input(Buffer.from('data+++'));
    clock.advance(1);
    assert.equal(t.escapes(), 1);
    t.d.input(Buffer.from('a++++'));
    clock.advance(1);
    assert.equal(t.escapes(), 1);
    assert.equal(t.data(), 'dataa++++');
  });
});
