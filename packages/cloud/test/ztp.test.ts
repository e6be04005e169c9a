import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { promisify } from 'node:util';
import { ztpKeyPair } from '@modemlab/at';
import * as x509 from '@peculiar/x509';
import type { TestCloud } from '../src/testing/cloud.js';
import { describeOnStores, newAccount, type TestAccount } from '../src/testing/fixtures.js';
import { sealedDevice } from '../src/testing/sealed-device.js';

const run = promisify(execFile);

/** `openssl verify -CAfile ca leaf` → true when OpenSSL accepts the chain. */
async function opensslVerifies(caPem: string, leafPem: string): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-ztp-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), caPem);
    writeFileSync(join(dir, 'leaf.pem'), leafPem);
    const out = await run('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'leaf.pem')]).then((r) => r.stdout, () => '');
    return out.includes(': OK');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function newCa(a: TestAccount, name = 'fleet CA') {
  const res = await a.call<{ RootCAUID: string; Certificate: string }>('/v1/ztp/rootca/create', {
    Name: name,
    KeyType: 'EC_P256',
    ValidityDays: 365,
    Subject: { CN: 'Acme Fleet Root', O: 'Acme, Inc.', C: 'CH' },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

const spkiB64 = (secret: Buffer, generation = 0): string =>
  ztpKeyPair(secret, generation).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

async function caKeyColumn(t: TestCloud, uid: string): Promise<string> {
  return String((await t.db.query<{ key_enc: string }>(`SELECT key_enc FROM ztp_root_cas WHERE uid = $1`, [uid])).rows[0]!.key_enc);
}

describeOnStores('zero-touch provisioning', (start) => {
  it('root CA: self-signed EC P-256 CA that OpenSSL accepts; its key is never answered and is encrypted at rest', async () => {
    const t = await start();
    const a = await newAccount(t);
    const ca = await newCa(a);
    assert.match(ca.RootCAUID, /^[0-9A-Za-z]{22}$/);
    const cert = new X509Certificate(ca.Certificate);
    assert.equal(cert.ca, true);
    assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    const name = new x509.X509Certificate(ca.Certificate).subjectName;
    assert.deepEqual([name.getField('CN'), name.getField('O'), name.getField('C')], [['Acme Fleet Root'], ['Acme, Inc.'], ['CH']]);
    assert.ok(cert.verify(cert.publicKey));
    assert.equal(await opensslVerifies(ca.Certificate, ca.Certificate), true);
    const key = await caKeyColumn(t, ca.RootCAUID);
    assert.match(key, /^v1\./);
    for (const res of [await a.call('/v1/ztp/rootca/get', { RootCAUID: ca.RootCAUID }), await a.call('/v1/ztp/rootca/list', {})]) {
      assert.equal(res.status, 200);
      assert.doesNotMatch(JSON.stringify(res.body), /PRIVATE KEY/);
    }
    const list = await a.call<{ RootCAs: { RootCAUID: string }[] }>('/v1/ztp/rootca/list', {});
    assert.deepEqual(list.body.RootCAs.map((c) => c.RootCAUID), [ca.RootCAUID]);
  });

  it('proof-of-possession certificate: CN = the AWS/Azure code, signed by the CA key', async () => {
    const t = await start();
    const a = await newAccount(t);
    const ca = await newCa(a);
    const code = '4d5b6a7c8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9012345678901234abcde';
    const res = await a.call<{ Certificate: string }>('/v1/ztp/rootca/popcertificate/generate', { RootCAUID: ca.RootCAUID, CommonName: code });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const pop = new X509Certificate(res.body.Certificate);
    assert.equal(pop.subject, `CN=${code}`);
    assert.equal(pop.ca, false);
    assert.ok(pop.checkIssued(new X509Certificate(ca.Certificate)));
    assert.ok(pop.verify(new X509Certificate(ca.Certificate).publicKey));
    assert.equal(await opensslVerifies(ca.Certificate, res.body.Certificate), true);
  });

  it('bootstrap provisioning → PENDING → module enrols its derived key → PROVISIONED with a certificate OpenSSL verifies', async () => {
    const t = await start();
    const a = await newAccount(t);
    const ca = await newCa(a);
    const { module, profileUid } = await sealedDevice(t, a, ['ZTP'], 'SN-0001');
    assert.deepEqual((await a.call('/v1/device/provisioning/get', { ROTPublicUID: module.rotUid })).body, { Status: 'DISABLED' });
    const set = await a.call('/v1/deviceprofile/bootstrapprovisioning/set', {
      DeviceProfileUID: profileUid,
      DeviceCertificate: { Enabled: true, RootCAUID: ca.RootCAUID, KeyType: 'EC_P256', ValidityDays: 30 },
    });
    assert.deepEqual([set.status, set.body], [200, {}]);
    assert.deepEqual((await a.call('/v1/deviceprofile/bootstrapprovisioning/get', { DeviceProfileUID: profileUid })).body, {
      DeviceProfileUID: profileUid,
      DeviceCertificate: { Enabled: true, RootCAUID: ca.RootCAUID, RootCAName: 'fleet CA', KeyType: 'EC_P256', ValidityDays: 30 },
    });
    assert.deepEqual((await a.call('/v1/device/provisioning/get', { ROTPublicUID: module.rotUid })).body, { Status: 'PENDING' });

    const enrol = await module.send<{ Status: string; DeviceCertificate: string; CACertificates: string }>('/v1/module/ztp/enrol', { PublicKey: spkiB64(module.secret) });
    assert.equal(enrol.status, 200, JSON.stringify(enrol.body));
    assert.equal(enrol.body.Status, 'PROVISIONED');
    assert.equal(enrol.body.CACertificates, ca.Certificate);
    const cert = new X509Certificate(enrol.body.DeviceCertificate);
    const subject = new x509.X509Certificate(enrol.body.DeviceCertificate).subjectName;
    assert.deepEqual([subject.getField('CN'), subject.getField('2.5.4.5')], [[module.rotUid], ['SN-0001']]);
    assert.ok(cert.checkPrivateKey(ztpKeyPair(module.secret, 0).privateKey));
    assert.equal(cert.ca, false);
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']); // clientAuth
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    assert.ok(days > 29.9 && days < 30.1, String(days));
    assert.equal(await opensslVerifies(ca.Certificate, enrol.body.DeviceCertificate), true);
    const got = await a.call('/v1/device/provisioning/get', { ROTPublicUID: module.rotUid });
    assert.deepEqual(got.body, { Status: 'PROVISIONED', DeviceCertificate: enrol.body.DeviceCertificate, CACertificates: ca.Certificate });
  });

  it('seed 001 names the CA by its name in later calls; names are unique per account; the CA gives the default device validity', async () => {
    const t = await start();
    const a = await newAccount(t);
    const created = await a.call<{ RootCAUID: string; Certificate: string }>('/v1/ztp/rootca/create', { Name: 'test-ca', ValidityDays: 365, DeviceValidityDays: 90 });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.deepEqual(new x509.X509Certificate(created.body.Certificate).subjectName.getField('CN'), ['test-ca']);
    const dup = await a.call('/v1/ztp/rootca/create', { Name: 'test-ca', ValidityDays: 10 });
    assert.deepEqual([dup.status, dup.body], [409, { Message: 'A root CA with this name exists' }]);
    const byName = await a.call<{ RootCAUID: string; DeviceValidityDays: number }>('/v1/ztp/rootca/get', { RootCAName: 'test-ca' });
    assert.deepEqual([byName.body.RootCAUID, byName.body.DeviceValidityDays], [created.body.RootCAUID, 90]);
    const pop = await a.call<{ Certificate: string }>('/v1/ztp/rootca/popcertificate/generate', { RootCAName: 'test-ca', CommonName: 'aws-code' });
    assert.ok(new X509Certificate(pop.body.Certificate).checkIssued(new X509Certificate(created.body.Certificate)));
    const both = await a.call('/v1/ztp/rootca/popcertificate/generate', { RootCAName: 'test-ca', RootCAUID: created.body.RootCAUID, CommonName: 'x' });
    assert.equal(both.status, 400);
    const neither = await a.call('/v1/ztp/rootca/get', {});
    assert.equal(neither.status, 400);
    const { module, profileUid } = await sealedDevice(t, a, ['ZTP']);
    assert.equal((await a.call('/v1/deviceprofile/bootstrapprovisioning/set', { DeviceProfileUID: profileUid, DeviceCertificate: { Enabled: true, RootCAName: 'test-ca' } })).status, 200);
    const enrol = await module.send<{ DeviceCertificate: string }>('/v1/module/ztp/enrol', { PublicKey: spkiB64(module.secret) });
    const cert = new X509Certificate(enrol.body.DeviceCertificate);
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    assert.ok(days > 89.9 && days < 90.1, String(days));
  });

  it('a per-device setting overrides the profile; Enabled false makes enrolment a 403', async () => {
    const t = await start();
    const a = await newAccount(t);
    const [ca1, ca2] = [await newCa(a, 'one'), await newCa(a, 'two')];
    const { module, profileUid } = await sealedDevice(t, a, ['ZTP']);
    await a.call('/v1/deviceprofile/bootstrapprovisioning/set', { DeviceProfileUID: profileUid, DeviceCertificate: { Enabled: true, RootCAUID: ca1.RootCAUID } });
    assert.equal((await a.call('/v1/device/provisioning/set', { ROTPublicUID: module.rotUid, DeviceCertificate: { Enabled: true, RootCAUID: ca2.RootCAUID } })).status, 200);
    const enrol = await module.send<{ DeviceCertificate: string }>('/v1/module/ztp/enrol', { PublicKey: spkiB64(module.secret) });
    assert.ok(new X509Certificate(enrol.body.DeviceCertificate).checkIssued(new X509Certificate(ca2.Certificate)));
    assert.equal((await a.call('/v1/device/provisioning/set', { ROTPublicUID: module.rotUid, DeviceCertificate: { Enabled: false } })).status, 200);
    assert.deepEqual((await a.call('/v1/device/provisioning/get', { ROTPublicUID: module.rotUid })).body, { Status: 'DISABLED' });
    const refused = await module.send('/v1/module/ztp/enrol', { PublicKey: spkiB64(module.secret) });
    assert.deepEqual([refused.status, refused.body], [403, { Message: 'No device certificate is provisioned for this device' }]);
  });

  it('enrolment is refused without the ZTP feature (403), before sealing (409), and for a key that is not P-256 (400)', async () => {
    const t = await start();
    const a = await newAccount(t);
    const ca = await newCa(a);
    const { module, profileUid } = await sealedDevice(t, a, []);
    await a.call('/v1/deviceprofile/bootstrapprovisioning/set', { DeviceProfileUID: profileUid, DeviceCertificate: { Enabled: true, RootCAUID: ca.RootCAUID } });
    const noFeature = await module.send('/v1/module/ztp/enrol', { PublicKey: spkiB64(module.secret) });
    assert.deepEqual([noFeature.status, noFeature.body], [403, { Message: 'Feature ZTP is not authorized for this device' }]);
    await a.call('/v1/device/features/set', { ROTPublicUID: module.rotUid, Features: { ZTP: true } });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const badKey = await module.send('/v1/module/ztp/enrol', { PublicKey: rsa });
    assert.equal(badKey.status, 400);
    assert.deepEqual((await a.call('/v1/device/provisioning/get', { ROTPublicUID: module.rotUid })).body, { Status: 'PENDING' });
    const { newModule } = await import('../src/testing/fixtures.js');
    const unsealed = await newModule(t);
    await unsealed.send('/v1/module/bootstrap', {});
    const early = await unsealed.send('/v1/module/ztp/enrol', { PublicKey: spkiB64(unsealed.secret) });
    assert.deepEqual([early.status, early.body], [409, { Message: 'Device not sealed' }]);
  });

  it("another account's CA, profile and device are 404, and nothing of theirs changes", async () => {
    const t = await start();
    const owner = await newAccount(t, 'owner');
    const other = await newAccount(t, 'other');
    const ca = await newCa(owner);
    const { module, profileUid } = await sealedDevice(t, owner, ['ZTP']);
    const mine = await newCa(other);
    const { profileUid: otherProfile } = await sealedDevice(t, other, ['ZTP']);
    const cases: [string, unknown, string][] = [
      ['/v1/ztp/rootca/get', { RootCAUID: ca.RootCAUID }, 'Root CA not found'],
      ['/v1/ztp/rootca/popcertificate/generate', { RootCAUID: ca.RootCAUID, CommonName: 'x' }, 'Root CA not found'],
      ['/v1/deviceprofile/bootstrapprovisioning/set', { DeviceProfileUID: profileUid, DeviceCertificate: { Enabled: true, RootCAUID: mine.RootCAUID } }, 'Device profile not found'],
      ['/v1/deviceprofile/bootstrapprovisioning/set', { DeviceProfileUID: otherProfile, DeviceCertificate: { Enabled: true, RootCAUID: ca.RootCAUID } }, 'Root CA not found'],
      ['/v1/deviceprofile/bootstrapprovisioning/get', { DeviceProfileUID: profileUid }, 'Device profile not found'],
      ['/v1/device/provisioning/set', { ROTPublicUID: module.rotUid, DeviceCertificate: { Enabled: false } }, 'Device not found'],
      ['/v1/device/provisioning/get', { ROTPublicUID: module.rotUid }, 'Device not found'],
    ];
    for (const [path, body, message] of cases) {
      const res = await other.call(path, body);
      assert.deepEqual([res.status, res.body], [404, { Message: message }], path);
    }
    const list = await other.call<{ RootCAs: { RootCAUID: string }[] }>('/v1/ztp/rootca/list', {});
    assert.deepEqual(list.body.RootCAs.map((c) => c.RootCAUID), [mine.RootCAUID]);
    assert.deepEqual((await owner.call('/v1/deviceprofile/bootstrapprovisioning/get', { DeviceProfileUID: profileUid })).body, { DeviceProfileUID: profileUid, DeviceCertificate: { Enabled: false } });
  });

  it('SQL-injection and odd text in names and subjects is stored and certified verbatim', async () => {
    const t = await start();
    const a = await newAccount(t);
    const evil = `x'); DROP TABLE ztp_root_cas; --`;
    const res = await a.call<{ RootCAUID: string; Certificate: string }>('/v1/ztp/rootca/create', { Name: evil, ValidityDays: 10, Subject: { CN: `CN=evil, O="q"; ${evil}` } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const got = await a.call<{ Name: string }>('/v1/ztp/rootca/get', { RootCAUID: res.body.RootCAUID });
    assert.equal(got.body.Name, evil);
    assert.deepEqual(new x509.X509Certificate(res.body.Certificate).subjectName.getField('CN'), [`CN=evil, O="q"; ${evil}`]);
    const bad = await a.call('/v1/ztp/rootca/create', { Name: 'n', ValidityDays: 10, KeyType: 'RSA_2048', Subject: { CN: 'c' } });
    assert.equal(bad.status, 400);
    assert.equal((await a.call<{ RootCAs: unknown[] }>('/v1/ztp/rootca/list', {})).body.RootCAs.length, 1);
  });
});
