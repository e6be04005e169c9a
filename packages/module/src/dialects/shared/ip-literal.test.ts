import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { describe, it } from 'node:test';
import { isIpv4Literal } from './ip-literal.js';

describe('isIpv4Literal', () => {
  it('agrees with node:net isIP on addresses and near misses', () => {
    const samples = ['0.0.0.0', '8.8.8.8', '255.255.255.255', '10.0.0.1', '256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.04', 'a.b.c.d', '', '::1', '1.2.3.4 ', '192.168.001.1'];
    for (const s of samples) assert.equal(isIpv4Literal(s), isIP(s) === 4, s);
  });
});
