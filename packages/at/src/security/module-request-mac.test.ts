import assert from 'node:assert/strict';
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { it } from 'node:test';
import { MODULE_REQUEST_HEADERS, moduleRequestHeaders, moduleRequestKey, moduleRequestMac, moduleRequestMacValid } from './module-request-mac.js';

const secret = Buffer.from('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'hex');
const parts = {
  method: 'post',
  path: '/v1/module/heartbeat',
  rotUid: '0a04f008003c9623',
  counter: 42,
  nonce: '0123456789ABCDEF0123456789ABCDEF',
  body: Buffer.from('{"KeyEpoch":0}'),
};

it('the MAC is HMAC-SHA256 under an HKDF key over the documented text (computed independently here)', () => {
  const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'modemlab/cloud/module-request/v1', 32));
  assert.deepEqual(moduleRequestKey(secret), key);
  const text = `MODEMLAB-MODULE-REQUEST-V1\nPOST\n/v1/module/heartbeat\n0A04F008003C9623\n42\n0123456789abcdef0123456789abcdef\n${createHash('sha256').update(parts.body).digest('hex')}`;
  const expected = createHmac('sha256', key).update(text).digest('hex');
  assert.equal(moduleRequestMac(key, parts), expected);
  const headers = moduleRequestHeaders(secret, parts);
  assert.deepEqual(headers, {
    [MODULE_REQUEST_HEADERS.rotUid]: '0A04F008003C9623',
    [MODULE_REQUEST_HEADERS.counter]: '42',
    [MODULE_REQUEST_HEADERS.nonce]: '0123456789abcdef0123456789abcdef',
    [MODULE_REQUEST_HEADERS.mac]: expected,
  });
});

it('any change to method, path, uid, counter, nonce or body invalidates the MAC; malformed MACs are refused', () => {
  const key = moduleRequestKey(secret);
  const mac = moduleRequestMac(key, parts);
  assert.equal(moduleRequestMacValid(key, parts, mac.toUpperCase()), true);
  for (const changed of [
    { method: 'GET' },
    { path: '/v1/module/seal' },
    { rotUid: '0A04F008003C9624' },
    { counter: 43 },
    { nonce: '1'.repeat(32) },
    { body: Buffer.from('{"KeyEpoch":1}') },
  ]) {
    assert.equal(moduleRequestMacValid(key, { ...parts, ...changed }, mac), false, JSON.stringify(changed));
  }
  assert.equal(moduleRequestMacValid(moduleRequestKey(Buffer.alloc(32)), parts, mac), false);
  assert.equal(moduleRequestMacValid(key, parts, mac.slice(2)), false);
  assert.equal(moduleRequestMacValid(key, parts, 'zz' + mac.slice(2)), false);
});
