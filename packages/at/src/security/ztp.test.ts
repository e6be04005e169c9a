import assert from 'node:assert/strict';
import { createSign, createVerify } from 'node:crypto';
import { describe, it } from 'node:test';
import { ztpKeyPair, ztpPrivateScalar } from './ztp.js';

const root = Buffer.alloc(32, 0x42);

describe('ZTP key derivation', () => {
  it('is a working EC P-256 pair, the same for one root and generation, different otherwise', () => {
    const a = ztpKeyPair(root, 0);
    assert.equal(a.privateKey.asymmetricKeyType, 'ec');
    assert.equal(a.privateKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    const sig = createSign('sha256').update('hello').sign(a.privateKey);
    assert.ok(createVerify('sha256').update('hello').verify(a.publicKey, sig));
    const again = ztpKeyPair(root, 0);
    assert.equal(again.publicKey.export({ format: 'pem', type: 'spki' }), a.publicKey.export({ format: 'pem', type: 'spki' }));
    assert.notEqual(ztpKeyPair(root, 1).publicKey.export({ format: 'pem', type: 'spki' }), a.publicKey.export({ format: 'pem', type: 'spki' }));
    assert.notEqual(ztpKeyPair(Buffer.alloc(32, 1), 0).publicKey.export({ format: 'pem', type: 'spki' }), a.publicKey.export({ format: 'pem', type: 'spki' }));
    assert.equal(ztpPrivateScalar(root, 0).length, 32);
  });
});
