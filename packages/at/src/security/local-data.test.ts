import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SecurityFormatError } from './kdf.js';
import { LOCAL_OVERHEAD, localDecrypt, localEncrypt } from './local-data.js';

const root = Buffer.alloc(32, 0x24);

describe('local data protection', () => {
  it('round-trips with 29 bytes of overhead; a clone (other root) and tampering fail', () => {
    const data = Buffer.from('calibration table');
    const blob = localEncrypt(root, data);
    assert.equal(blob.length, data.length + LOCAL_OVERHEAD);
    assert.equal(blob[0], 0x01);
    assert.deepEqual(localDecrypt(root, blob), data);
    assert.throws(() => localDecrypt(Buffer.alloc(32, 0x25), blob), SecurityFormatError);
    const t = Buffer.from(blob);
    t[14] ^= 0x80;
    assert.throws(() => localDecrypt(root, t), /does not authenticate/);
    assert.throws(() => localDecrypt(root, blob.subarray(0, 20)), /not a local/);
    assert.deepEqual(localDecrypt(root, localEncrypt(root, Buffer.alloc(0))), Buffer.alloc(0));
  });
});
