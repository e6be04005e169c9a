import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { optionMismatch, SocketOptions } from './options.js';

describe('SocketOptions', () => {
  it('reads the defaults until set; a copy (an accepted socket) starts from its listener', () => {
    const o = new SocketOptions();
    assert.deepEqual(o.get('ip-ttl'), [64]);
    assert.deepEqual(o.get('tcp-keepidle'), [7_200_000]);
    o.set('linger', [1, 500]);
    const copy = new SocketOptions(o);
    o.set('linger', [0]);
    assert.deepEqual(copy.get('linger'), [1, 500]);
    assert.deepEqual(o.get('linger'), [0]);
  });

  it('knows which options belong to which protocol', () => {
    assert.equal(optionMismatch('udp', 'tcp-nodelay'), 'tcp-nodelay is a TCP option');
    assert.equal(optionMismatch('tcp', 'broadcast'), 'broadcast is a UDP option');
    assert.equal(optionMismatch('tcp', 'ip-ttl'), undefined);
    assert.equal(optionMismatch('udp', 'ip-ttl'), undefined);
  });
});
