import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ManualClock } from './clock.js';

it('ManualClock fires due timers in order and honours cancel', () => {
  const c = new ManualClock(0);
  const fired: string[] = [];
  c.setTimeout(() => fired.push('b'), 20);
  c.setTimeout(() => fired.push('a'), 10);
  const x = c.setTimeout(() => fired.push('x'), 15);
  x.cancel();
  c.setTimeout(() => c.setTimeout(() => fired.push('nested'), 5), 12);
  c.advance(19);
  assert.deepEqual(fired, ['a', 'nested']);
  c.advance(1);
  assert.deepEqual(fired, ['a', 'nested', 'b']);
  assert.equal(c.now(), 20);
});
