import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RxQueue } from './rx-queue.js';

describe('RxQueue', () => {
  it('takes bytes in arrival order across chunks, cutting the last one', () => {
    const q = new RxQueue();
    q.push(Buffer.from('abc'));
    q.push(Buffer.from('defg'));
    assert.equal(q.bytes, 7);
    assert.deepEqual(q.take(2), Buffer.from('ab'));
    assert.deepEqual(q.take(4), Buffer.from('cdef'));
    assert.equal(q.bytes, 1);
    assert.deepEqual(q.take(10), Buffer.from('g'));
    assert.deepEqual(q.take(10), Buffer.alloc(0));
    assert.equal(q.bytes, 0);
  });

  it('drains whole chunks for an online-mode sink and is empty after', () => {
    const q = new RxQueue();
    q.push(Buffer.from('x'));
    q.push(Buffer.from('yz'));
    assert.deepEqual(q.drain(), [Buffer.from('x'), Buffer.from('yz')]);
    assert.equal(q.bytes, 0);
    assert.deepEqual(q.drain(), []);
  });
});
