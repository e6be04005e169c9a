import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRecords } from './record.js';
import { openCcm8Record, sealCcm8Record } from './record-ccm.js';
import { DTLS_PSK_SUITES, pskPremaster } from './suites.js';

describe('PSK DTLS parts', () => {
  it('premaster (RFC 4279 §2): uint16 N, N zeros, uint16 N, the PSK', () => {
    // By hand for a 5-byte key: 0005 | 00×5 | 0005 | 0102030405.
    assert.equal(pskPremaster(Buffer.from('0102030405', 'hex')).toString('hex'), '0005' + '0000000000' + '0005' + '0102030405');
    const sixteen = pskPremaster(Buffer.alloc(16, 0xab));
    assert.equal(sixteen.length, 36);
    assert.equal(sixteen.subarray(0, 20).toString('hex'), '0010' + '00'.repeat(16) + '0010');
  });

  // The expected record was computed once by an independent AES-CCM (RFC 3610: B0 flags 0x1a for
  // an 8-byte tag and 3-byte length, CBC-MAC over B0 ‖ len(AAD) ‖ AAD, CTR from counter 1, tag
  // XOR S0) written in Python on the AES-128-ECB block of `openssl enc`: key 00..0f, write IV
  // a0a1a2a3, epoch 1, sequence 5, application data "modemlab ccm8".
  const keys = { key: Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'), salt: Buffer.from('a0a1a2a3', 'hex') };
  const VECTOR = '17fefd0001000000000005001d000100000000000541926a52c2caa5513c543488abb2b7109c5b600350';

  it('CCM_8 records: seal to the fixed vector, open it back, refuse altered ones', () => {
    const sealed = sealCcm8Record(23, 1, 5, Buffer.from('modemlab ccm8'), keys);
    assert.equal(sealed.toString('hex'), VECTOR);
    const [r] = parseRecords(sealed);
    assert.equal(openCcm8Record(r!, keys)?.toString(), 'modemlab ccm8');
    const altered = Buffer.from(sealed);
    altered[altered.length - 1]! ^= 1;
    assert.equal(openCcm8Record(parseRecords(altered)[0]!, keys), undefined);
    assert.equal(openCcm8Record({ ...r!, seq: 6 }, keys), undefined, 'the header is authenticated');
    assert.equal(openCcm8Record({ ...r!, fragment: r!.fragment.subarray(0, 15) }, keys), undefined, 'shorter than nonce and tag');
  });

  it('suites: the IANA codes the client offers', () => {
    assert.deepEqual(
      DTLS_PSK_SUITES.map((s) => [s.code, s.name]),
      [
        [0x00a8, 'TLS_PSK_WITH_AES_128_GCM_SHA256'],
        [0x00a9, 'TLS_PSK_WITH_AES_256_GCM_SHA384'],
        [0xc0a8, 'TLS_PSK_WITH_AES_128_CCM_8'],
      ],
    );
  });
});
