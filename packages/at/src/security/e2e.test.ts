import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ccmDecryptReference, officialScriptDecrypt } from './ccm-reference.testutil.js';
import { devIdxOf } from './identity.js';
import {
  E2E_V1,
  E2E_V2,
  e2eDecrypt,
  e2eEncrypt,
  e2eEpochSalt,
  e2eOpen,
  e2eParameters,
  e2eSeal,
  e2eV1Identity,
  e2eV2Identity,
  parseE2eIdentity,
} from './e2e.js';
import { SecurityFormatError } from './kdf.js';

const root = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const devIdx = devIdxOf('0A04F008003C9623');
const fox = Buffer.from('The quick brown fox jumps over the lazy dog.');

function asApi(p: ReturnType<typeof e2eParameters>) {
  return { Nonce: p.nonce.toString('base64'), MACLength: p.macLengthBits, CipherSuite: p.cipherSuite, Key: p.key.toString('base64'), ROTPublicUID: '0A04F008003C9623' };
}

describe('E2E V1', () => {
  it('is id ‖ ct ‖ tag, 32 bytes longer, and the official script logic decrypts it with the regenerated parameters', () => {
    const id = e2eV1Identity({ devIdx, epochSalt: Buffer.from('3b08c787d1b2', 'hex'), counter: 0 });
    assert.equal(id.toString('hex'), '1101f008003c96233b08c787d1b20000');
    const blob = e2eEncrypt(root, id, fox);
    assert.equal(blob.length, fox.length + E2E_V1.overhead);
    assert.equal(blob.length, 76); // the worked sample's size (notes §1.4)
    assert.ok(blob.subarray(0, 16).equals(id));
    const params = e2eParameters(root, blob.subarray(0, 16));
    assert.equal(params.key.length, 16);
    assert.equal(params.nonce.length, 13);
    assert.deepEqual(officialScriptDecrypt(blob, asApi(params)), fox);
    // 163-byte input → 195 (ubxlib's size test)
    assert.equal(e2eEncrypt(root, id, Buffer.alloc(163, 7)).length, 195);
  });

  it('keeps one key per epoch salt and a new nonce per counter; another root gets neither', () => {
    const salt = e2eEpochSalt(root, 3);
    assert.deepEqual(salt, e2eEpochSalt(root, 3));
    assert.notDeepEqual(salt, e2eEpochSalt(root, 4));
    const a = e2eParameters(root, e2eV1Identity({ devIdx, epochSalt: salt, counter: 1 }));
    const b = e2eParameters(root, e2eV1Identity({ devIdx, epochSalt: salt, counter: 2 }));
    assert.deepEqual(a.key, b.key);
    assert.notDeepEqual(a.nonce, b.nonce);
    const other = e2eParameters(Buffer.alloc(32, 9), e2eV1Identity({ devIdx, epochSalt: salt, counter: 1 }));
    assert.notDeepEqual(other.key, a.key);
  });

  it('known answer: the derivation is part of the module ↔ cloud contract', () => {
    const p = e2eParameters(root, Buffer.from('1101f008003c96233b08c787d1b20000', 'hex'));
    assert.equal(p.key.toString('hex'), KAT_V1.key);
    assert.equal(p.nonce.toString('hex'), KAT_V1.nonce);
  });

  it('downlink uses key set 0x02, so no downlink key equals an uplink key', () => {
    const epochSalt = Buffer.alloc(6, 1);
    const up = e2eV1Identity({ devIdx, epochSalt, counter: 0 });
    const down = e2eV1Identity({ devIdx, epochSalt, counter: 0, direction: 'downlink' });
    assert.equal(down[1], 0x02);
    assert.equal(parseE2eIdentity(down).direction, 'downlink');
    assert.notDeepEqual(e2eParameters(root, up).key, e2eParameters(root, down).key);
    const params = e2eParameters(root, down);
    const blob = e2eSeal(params, down, fox);
    assert.deepEqual(e2eDecrypt(root, blob), fox);
  });
});

describe('E2E V2', () => {
  it('is hdr(12, authenticated) ‖ ct ‖ tag, 28 bytes longer; first nibble 2', () => {
    const id = e2eV2Identity({ devIdx, epoch: 1, counter: 0x010203 });
    assert.equal(id.length, 11);
    assert.equal(id.toString('hex'), '21f008003c962301010203');
    const blob = e2eEncrypt(root, id, fox);
    assert.equal(blob.length, fox.length + E2E_V2.overhead);
    assert.equal(e2eEncrypt(root, id, Buffer.alloc(163)).length, 191);
    const p = e2eParameters(root, blob.subarray(0, 11));
    assert.equal(p.cipherSuite, 'AES_128_CCM_AAD');
    const header = blob.subarray(0, 12);
    assert.deepEqual(ccmDecryptReference(p.key, p.nonce, blob.subarray(12, blob.length - 16), blob.subarray(blob.length - 16), header), fox);
    assert.throws(() => officialScriptDecrypt(blob, asApi(p)), /V2 not supported/);
    // The header is authenticated: flip its reserved byte and the tag fails.
    const tampered = Buffer.from(blob);
    tampered[11] = 1;
    assert.throws(() => e2eOpen(tampered, p), SecurityFormatError);
    assert.deepEqual(e2eDecrypt(root, blob), fox);
  });

  it('a new epoch is a new key', () => {
    const k1 = e2eParameters(root, e2eV2Identity({ devIdx, epoch: 1, counter: 0 })).key;
    const k2 = e2eParameters(root, e2eV2Identity({ devIdx, epoch: 2, counter: 0 })).key;
    assert.notDeepEqual(k1, k2);
  });
});

describe('E2E errors', () => {
  it('rejects what is not an identity, and blobs that do not authenticate', () => {
    assert.throws(() => parseE2eIdentity(Buffer.from('31', 'hex')), SecurityFormatError);
    assert.throws(() => parseE2eIdentity(Buffer.alloc(15, 0x11)), /16 bytes/);
    assert.throws(() => parseE2eIdentity(Buffer.alloc(17, 0x11), { exact: true }), /16 bytes/);
    assert.throws(() => parseE2eIdentity(Buffer.concat([Buffer.from([0x11, 0x07]), Buffer.alloc(14)])), /format/);
    assert.throws(() => e2eV1Identity({ devIdx, epochSalt: Buffer.alloc(6), counter: 65536 }), SecurityFormatError);
    const id = e2eV1Identity({ devIdx, epochSalt: Buffer.alloc(6), counter: 0 });
    const blob = e2eEncrypt(root, id, fox);
    blob[20] ^= 1;
    assert.throws(() => e2eDecrypt(root, blob), /does not authenticate/);
    assert.throws(() => e2eDecrypt(root, blob.subarray(0, 20)), /too short/);
  });
});

// Computed independently (Python hmac/hashlib HKDF) from notes §5.2.
const KAT_V1 = { key: '62711d2af12ee0a8b5e43ffdeb728f4c', nonce: '3776effc162c32f7d59ebbc283' };
