import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { saraR5Certificates } from '../../models/certificate-table.js';
import { NvmStore } from '../../nvm/store.js';
import { THAWTE_MD5, THAWTE_PEM } from '../../dialects/ublox/usecmng.testutil.js';
import { CertificateStore } from './cert-store.js';
import type { TlsCredentials } from './tls-options.js';

const THAWTE = Buffer.from(THAWTE_PEM, 'latin1');

describe('CertificateStore', () => {
  let dir: string;
  let store: CertificateStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'modemlab-certstore-'));
    store = new CertificateStore(new NvmStore(dir), saraR5Certificates);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores PEM as DER with its MD5, CN and notAfter', () => {
    const e = store.import(0, 'ThawteCA', THAWTE);
    assert.equal(e.md5, THAWTE_MD5);
    assert.equal(createHash('md5').update(e.der).digest('hex'), THAWTE_MD5);
    assert.equal(e.commonName, 'thawte Primary Root CA');
    assert.equal(e.notAfter?.toISOString(), '2036-07-16T23:59:59.000Z');
    assert.equal(new X509Certificate(e.der).subject.includes('thawte'), true);
  });

  it('keeps the user database in NVM namespace "certificates"', () => {
    store.import(0, 'ThawteCA', THAWTE);
    const reopened = new CertificateStore(new NvmStore(dir), saraR5Certificates);
    assert.deepEqual(reopened.list().map((e) => [e.type, e.name, e.md5]), [[0, 'ThawteCA', THAWTE_MD5]]);
    const raw = new NvmStore(dir).read<{ entries: { der: string }[] }>('certificates', { entries: [] });
    assert.equal(raw.entries.length, 1);
    reopened.erase();
    assert.deepEqual(reopened.list(), []);
  });

  it('selects trusted roots by database (+USECPRF op 16)', () => {
    store.import(0, 'ThawteCA', THAWTE);
    const pre = store.list(0, 'preinstalled');
    assert.deepEqual(
      pre.map((e) => e.name),
      ['ubx_digicert_global_root_ca', 'ubx_digicert_global_root_g2', 'ubx_digicert_trusted_root_g4', 'ubx_digicert_eccp384_root_g5', 'ubx_digicert_rsa4096_root_g5', 'ubx_starfield_service_root_ca_g2'],
      'roots Node lacks (Baltimore, T-Mobile) are left out',
    );
    assert.ok(pre.every((e) => e.preinstalled));
    assert.equal(store.allCas('user').length, 1);
    assert.equal(store.allCas('preinstalled').length, pre.length);
    assert.equal(store.allCas().length, pre.length + 1);
    assert.ok(store.findCa('ThawteCA', 'user'));
    assert.equal(store.findCa('ThawteCA', 'preinstalled'), undefined);
    assert.ok(store.findCa('ubx_digicert_global_root_g2'));
    assert.equal(store.findCa('ubx_digicert_global_root_g2', 'user'), undefined);
    assert.equal(store.clientCert('ThawteCA'), undefined, 'another type');
    // The TLS service's view of the store.
    const credentials: TlsCredentials = store;
    assert.equal(credentials.findCa('ThawteCA', 'all'), store.findCa('ThawteCA'));
  });

  it('refuses with a reason and changes nothing', () => {
    store.import(0, 'root', THAWTE);
    const before = JSON.stringify(store.list());
    assert.throws(() => store.import(7, 'x', THAWTE), { reason: 'bad-parameter' });
    assert.throws(() => store.import(0, 'x'.repeat(31), THAWTE), { reason: 'bad-parameter' });
    assert.throws(() => store.import(0, 'x', Buffer.alloc(8193, 0x30)), { reason: 'too-large' });
    assert.throws(() => store.import(0, 'root', Buffer.from('not a certificate')), { reason: 'invalid-certificate' });
    const weak = generateKeyPairSync('rsa', { modulusLength: 768 }).privateKey.export({ type: 'pkcs8', format: 'der' });
    assert.throws(() => store.import(2, 'root', weak), { reason: 'weak-key' });
    assert.throws(() => store.remove(0, 'ubx_digicert_global_root_ca'), { reason: 'read-only' });
    assert.throws(() => store.remove(0, 'nothing'), { reason: 'not-found' });
    assert.throws(() => store.md5(1, 'root'), { reason: 'not-found' });
    assert.equal(JSON.stringify(store.list()), before);
  });
});
