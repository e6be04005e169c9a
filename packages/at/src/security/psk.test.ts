import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { devIdxOf, rotUidSuffixOf } from './identity.js';
import { SecurityFormatError } from './kdf.js';
import { derivePsk, parsePskIdentity, pskIdentity } from './psk.js';

const root = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');

describe('PSK from identity', () => {
  it('the identity is 14 bytes 1101 ‖ devIdx ‖ salt, and names its device', () => {
    const devIdx = devIdxOf('0a04f008003c9623');
    const id = pskIdentity(devIdx, Buffer.from('a1a2a3a4a5a6', 'hex'));
    assert.equal(id.toString('hex'), '1101f008003c9623a1a2a3a4a5a6');
    assert.equal(rotUidSuffixOf(parsePskIdentity(id).devIdx), 'F008003C9623');
    assert.equal(pskIdentity(devIdx).length, 14);
    assert.notDeepEqual(pskIdentity(devIdx), pskIdentity(devIdx)); // random salt by default
  });

  it('regenerates the same PSK from the identity, 16 or 32 bytes, known answer', () => {
    const id = Buffer.from('1101f008003c9623a1a2a3a4a5a6', 'hex');
    const psk = derivePsk(root, id, 32);
    // Computed independently (Python hmac/hashlib HKDF) from notes §5.4.
    assert.equal(psk.toString('hex'), 'b73f850a5f7785de9ef165ac6868002fabf4ba969aca87b86cc37f51b625e247');
    assert.deepEqual(derivePsk(root, id, 32), psk);
    assert.equal(derivePsk(root, id, 16).length, 16);
    assert.notDeepEqual(derivePsk(root, id, 16), psk.subarray(0, 16)); // the length is part of the derivation
    assert.notDeepEqual(derivePsk(Buffer.alloc(32), id, 32), psk);
  });

  it('rejects identities that are not ours and bad lengths', () => {
    assert.throws(() => parsePskIdentity(Buffer.alloc(14)), SecurityFormatError);
    assert.throws(() => parsePskIdentity(Buffer.from('1101f008003c9623a1a2a3a4a5', 'hex')), SecurityFormatError);
    assert.throws(() => derivePsk(root, Buffer.from('1101f008003c9623a1a2a3a4a5a6', 'hex'), 24 as 16), /16 or 32/);
    assert.throws(() => devIdxOf('0a04'), SecurityFormatError);
  });
});
