import assert from 'node:assert/strict';
import { createSecureContext } from 'node:tls';
import { describe, it } from 'node:test';
import { saraR5Tls } from '../../models/tls-table.js';
import { factoryProfile } from './profiles.js';
import { ianaFromBytes, ianaHex, LEGACY_NUMBERS, suiteByCode, suiteByLegacy, TABLE_26 } from '../../models/cipher-suites.js';
import { planConnection, NO_CREDENTIALS, PlanError } from './tls-options.js';

describe('Table 26 cipher suites', () => {
  it('has every suite of the seed once, with legacy numbers 1-33', () => {
    assert.equal(TABLE_26.length, 165);
    assert.equal(new Set(TABLE_26.map((s) => s.code)).size, 165);
    assert.deepEqual(LEGACY_NUMBERS, Array.from({ length: 33 }, (_, i) => i + 1));
    // The u-blox legacy numbers, as ubxlib's table has them.
    const ubxlib: [number, number][] = [
      [0x002f, 1], [0x003c, 2], [0x0035, 3], [0x003d, 4], [0x000a, 5], [0x008c, 6], [0x008d, 7], [0x008b, 8], [0x0094, 9], [0x0095, 10],
      [0x0093, 11], [0x00ae, 12], [0x00af, 13], [0x00b6, 14], [0x00b7, 15], [0x00a8, 16], [0x00a9, 17], [0x00ac, 18], [0x00ad, 19],
      [0xc008, 20], [0xc009, 21], [0xc00a, 22], [0xc012, 23], [0xc013, 24], [0xc014, 25], [0xc023, 26], [0xc024, 27], [0xc027, 28],
      [0xc028, 29], [0xc02b, 30], [0xc02c, 31], [0xc02f, 32], [0xc030, 33],
    ];
    for (const [code, legacy] of ubxlib) assert.equal(suiteByLegacy(legacy)?.code, code, `legacy ${legacy}`);
    assert.equal(suiteByCode(0xcca8)?.name, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256');
  });

  it('gives node:tls a name it accepts for every suite it calls runnable, and none for RC4/3DES', () => {
    for (const s of TABLE_26.filter((c) => c.runnable)) {
      assert.doesNotThrow(() => createSecureContext({ ciphers: s.tls13 ? s.openssl! : `${s.openssl!}:@SECLEVEL=0` }), s.name);
    }
    for (const code of [0x000a, 0x008a, 0xc011, 0xc012, 0x0000]) assert.equal(suiteByCode(code)?.runnable, false, ianaHex(code));
    for (const code of [0xc010, 0x0034, 0x0032]) assert.equal(suiteByCode(code)?.runnable, false, `${ianaHex(code)}: NULL, anon, DSS`);
  });

  it('converts IANA bytes and codes', () => {
    assert.equal(ianaFromBytes('C0', '2b'), 0xc02b);
    assert.equal(ianaFromBytes('C', '2B'), undefined);
    assert.equal(ianaFromBytes('G0', '2B'), undefined);
    assert.equal(ianaHex(0x2f), '002F');
  });
});

describe('profile → node:tls options', () => {
  const plan = (change: (p: ReturnType<typeof factoryProfile>) => void, host = 'broker.example') => {
    const profile = factoryProfile();
    change(profile);
    return planConnection({ profile, table: saraR5Tls, credentials: NO_CREDENTIALS, host });
  };

  it('offers the (D) suites and TLS 1.3 by default, at security level 0 because "any" includes TLS 1.0', () => {
    const p = plan((x) => (x.validation = 0));
    assert.equal(p.minVersion, 'TLSv1');
    assert.equal(p.maxVersion, 'TLSv1.3');
    assert.match(String(p.options.ciphers), /^AES128-GCM-SHA256:.*:TLS_AES_128_GCM_SHA256:@SECLEVEL=0$/);
    assert.ok(!String(p.options.ciphers).includes('ECDH-ECDSA'), 'static ECDH (0xC02D) is not runnable');
    assert.equal(p.options.servername, undefined, 'no SNI without op 10');
    assert.equal(p.options.rejectUnauthorized, false);
  });

  it('caps the version at TLS 1.2 for a TLS 1.2 suite and raises it to 1.3 for a TLS 1.3 suite', () => {
    const a = plan((x) => {
      x.validation = 0;
      x.tlsVersion = 3;
      x.cipher = { kind: 'legacy', legacy: 32 };
    });
    assert.deepEqual([a.minVersion, a.maxVersion, a.options.ciphers], ['TLSv1.2', 'TLSv1.2', 'ECDHE-RSA-AES128-GCM-SHA256']);
    const b = plan((x) => {
      x.validation = 0;
      x.cipher = { kind: 'iana', code: 0x1301 };
    });
    assert.deepEqual([b.minVersion, b.maxVersion, b.options.ciphers], ['TLSv1.3', 'TLSv1.3', 'TLS_AES_128_GCM_SHA256']);
  });

  it('refuses what it cannot build: unrunnable suites, missing roots and client credentials', () => {
    assert.throws(() => plan((x) => (x.cipher = { kind: 'legacy', legacy: 5 })), (e: PlanError) => e.failure === 'no-cipher');
    assert.throws(() => plan((x) => (x.rootCa = 'nowhere')), (e: PlanError) => e.failure === 'ca-not-found');
    assert.throws(() => plan((x) => (x.clientCert = 'cc')), (e: PlanError) => e.failure === 'credentials');
    assert.throws(() => plan((x) => (x.rotPsk = 1)), (e: PlanError) => e.failure === 'credentials');
    assert.throws(() => plan((x) => (x.ztp = 2)), (e: PlanError) => e.failure === 'credentials');
  });

  it('puts SNI, ALPN and the PSK in the options', () => {
    const p = plan((x) => {
      x.validation = 0;
      x.sni = 'iot.example';
      x.alpn = 'mqtt';
      x.psk = { value: '0a0b', hex: true };
      x.pskIdentity = { value: 'dev', hex: false };
    });
    assert.equal(p.options.servername, 'iot.example');
    assert.deepEqual(p.options.ALPNProtocols, ['mqtt']);
    assert.deepEqual(p.options.pskCallback?.(null), { psk: Buffer.from([10, 11]), identity: 'dev' });
  });
});
