import assert from 'node:assert/strict';
import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ModuleHarness } from '../../testing/harness.js';
import { answer, at, cmeError, OK, ublox } from './ublox.testutil.js';
import { formatExpiry } from './usecmng.js';
import { makeKeys, makeTestMaterial, THAWTE_MD5, THAWTE_PEM, type TestMaterial } from './usecmng.testutil.js';

const PROMPT = '\r\n>';
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');
/** SARA-R5 (the default model) prints <expiration_date> as date and time. */
const expiry = (x: X509Certificate): string => formatExpiry(new Date(x.validTo), 'date-time');

/** AT+USECMNG=0,...: the prompt, then the data; returns what follows the data. */
async function importItem(h: ModuleHarness, type: number, name: string, data: Buffer | string, password?: string): Promise<string> {
  const pw = password === undefined ? '' : `,"${password}"`;
  const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  assert.equal(await at(h, `AT+USECMNG=0,${type},"${name}",${bytes.length}${pw}`), PROMPT);
  return h.send(bytes);
}

const imported = (type: number, name: string, digest: string): string => answer(`+USECMNG: 0,${type},"${name}","${digest}"`);

let m: TestMaterial;
let keys: ReturnType<typeof makeKeys>;

before(() => {
  m = makeTestMaterial();
  keys = makeKeys();
});
after(() => m.cleanup());

describe('u-blox +USECMNG', () => {
  it('imports the seed 002 Thawte root: 1516 bytes of PEM, the seed MD5, listed with CN and expiry', async () => {
    assert.equal(THAWTE_PEM.length, 1516);
    const h = await ublox({ registered: false });
    assert.equal(await importItem(h, 0, 'ThawteCA', THAWTE_PEM), imported(0, 'ThawteCA', THAWTE_MD5));
    // SARA-R5: notAfter as date and time, as seed 000 §3.1 prints it.
    assert.equal(await at(h, 'AT+USECMNG=3'), answer('CA,"ThawteCA","thawte Primary Root CA","2036/07/16 23:59:59"'));
    assert.equal(await at(h, 'AT+USECMNG=3,0'), answer('CA,"ThawteCA","thawte Primary Root CA","2036/07/16 23:59:59"'));
    assert.equal(await at(h, 'AT+USECMNG=3,1'), OK);
    assert.equal(await at(h, 'AT+USECMNG=4,0,"ThawteCA"'), answer(`+USECMNG: 4,0,"ThawteCA","${THAWTE_MD5}"`));
    await h.close();
  });

  it('lists the expiry as a date only on SARA-R4, as the seed 002 Thawte example prints it', async () => {
    const h = await ublox({ registered: false, model: 'sara-r410m' });
    assert.equal(await importItem(h, 0, 'ThawteCA', THAWTE_PEM), imported(0, 'ThawteCA', THAWTE_MD5));
    assert.equal(await at(h, 'AT+USECMNG=3'), answer('CA,"ThawteCA","thawte Primary Root CA","2036/07/17"'));
    await h.close();
  });

  it('imports an RSA-1024 client certificate and key (seed 002: RSA keys of at least 1024 bits)', async () => {
    const h = await ublox({ registered: false });
    const keyDer = Buffer.from(m.rsa1024Cert.keyPem.toString('latin1').replace(/-----[^-]+-----|\s/g, ''), 'base64');
    assert.equal(await importItem(h, 1, 'cc1024', m.rsa1024Cert.pem), imported(1, 'cc1024', md5(m.rsa1024Cert.der)));
    assert.equal(await importItem(h, 2, 'pk1024', m.rsa1024Cert.keyPem), imported(2, 'pk1024', md5(keyDer)));
    assert.equal(await importItem(h, 2, 'pk1024b', keys.rsa1024Pem), imported(2, 'pk1024b', md5(Buffer.from(keys.rsa1024Pem.toString('latin1').replace(/-----[^-]+-----|\s/g, ''), 'base64'))));
    assert.equal(await at(h, 'AT+USECMNG=3,1'), answer(`CC,"cc1024","RSA 1024 client","${expiry(m.rsa1024Cert.x509)}"`));
    await h.close();
  });

  it('imports DER and PEM of the same certificate to the same MD5', async () => {
    const h = await ublox({ registered: false });
    assert.equal(await importItem(h, 0, 'der', m.ca.der), imported(0, 'der', md5(m.ca.der)));
    assert.equal(await importItem(h, 0, 'pem', m.ca.pem), imported(0, 'pem', md5(m.ca.der)));
    const line = (name: string) => `CA,"${name}","modemlab Test Root","${expiry(m.ca.x509)}"`;
    assert.equal(await at(h, 'AT+USECMNG=3'), answer(line('der'), line('pem')));
    assert.deepEqual(h.module.services.certificates.findCa('pem'), m.ca.der);
    await h.close();
  });

  it('imports a client certificate and its key for mutual authentication', async () => {
    const h = await ublox({ registered: false });
    const keyDer = Buffer.from(m.client.keyPem.toString('latin1').replace(/-----[^-]+-----|\s/g, ''), 'base64');
    assert.equal(await importItem(h, 1, 'client_cert', m.client.pem), imported(1, 'client_cert', md5(m.client.der)));
    assert.equal(await importItem(h, 2, 'client_key', m.client.keyPem), imported(2, 'client_key', md5(keyDer)));
    assert.equal(await importItem(h, 3, 'server', m.ecClient.der), imported(3, 'server', md5(m.ecClient.der)));
    assert.equal(
      await at(h, 'AT+USECMNG=3'),
      answer(`CC,"client_cert","A client certificate","${expiry(m.client.x509)}"`, 'PK,"client_key"', 'SC,"server"'),
    );
    assert.equal(await at(h, 'AT+USECMNG=3,2'), answer('PK,"client_key"'));
    const store = h.module.services.certificates;
    assert.deepEqual(store.clientCert('client_cert'), m.client.der);
    assert.deepEqual(store.serverCert('server'), m.ecClient.der);
    const key = store.privateKey('client_key')!;
    assert.deepEqual(createPublicKey(key).export({ type: 'spki', format: 'der' }), m.client.x509.publicKey.export({ type: 'spki', format: 'der' }));
    assert.equal(store.privateKey('nothing'), undefined);
    await h.close();
  });

  it('accepts PKCS#1, SEC1 and PKCS#8 keys in PEM and DER, stored as DER', async () => {
    const h = await ublox({ registered: false });
    assert.equal(await importItem(h, 2, 'p1pem', keys.rsaPkcs1Pem), imported(2, 'p1pem', md5(keys.rsaPkcs1Der)));
    assert.equal(await importItem(h, 2, 'p1der', keys.rsaPkcs1Der), imported(2, 'p1der', md5(keys.rsaPkcs1Der)));
    assert.equal(await importItem(h, 2, 'p8pem', keys.rsaPkcs8Pem), imported(2, 'p8pem', md5(keys.rsa.export({ type: 'pkcs8', format: 'der' }))));
    assert.equal(await importItem(h, 2, 'ec192', keys.ec192Sec1Pem), imported(2, 'ec192', md5(keys.ec192Sec1Der)), 'ECDSA 192 is the minimum');
    await h.close();
  });

  it('imports an encrypted PKCS#8 key in DER with its password; a wrong or missing one is refused', async () => {
    const h = await ublox({ registered: false });
    await at(h, 'AT+CMEE=1');
    assert.equal(await importItem(h, 2, 'enc', keys.rsaEncryptedDer, 'wrong'), cmeError(1918));
    assert.equal(await importItem(h, 2, 'enc', keys.rsaEncryptedDer), cmeError(1918));
    assert.equal(await importItem(h, 2, 'enc', keys.rsaEncryptedPem, 'secret'), cmeError(1918), 'encrypted keys only in DER (seed 002)');
    assert.equal(await at(h, 'AT+USECMNG=3'), OK);
    assert.equal(await importItem(h, 2, 'enc', keys.rsaEncryptedDer, 'secret'), imported(2, 'enc', md5(keys.rsaEncryptedDer)));
    const store = h.module.services.certificates;
    assert.equal(store.get(2, 'enc')?.encrypted, true);
    assert.equal(store.privateKey('enc', 'secret')?.asymmetricKeyType, 'rsa');
    assert.throws(() => store.privateKey('enc', 'wrong'), { reason: 'bad-password' });
    await h.close();
  });

  it('refuses weak keys, EC PARAMETERS PEM, non-X.509 data and broken PEM', async () => {
    const h = await ublox({ registered: false });
    await at(h, 'AT+CMEE=2');
    const keyFormat = cmeError('USECMNG private key format error');
    const badFormat = cmeError('USECMNG invalid certificate/key format');
    assert.equal(await importItem(h, 2, 'k', keys.rsa768Pem), keyFormat, 'RSA 768');
    assert.equal(await importItem(h, 2, 'k', keys.ed25519Pem), keyFormat, 'not RSA or ECDSA');
    assert.equal(await importItem(h, 2, 'k', m.ecWithParams), keyFormat, 'EC PARAMETERS');
    assert.equal(await importItem(h, 2, 'k', m.ca.pem), keyFormat, 'a certificate is not a key');
    assert.equal(await importItem(h, 0, 'c', m.rsa768Cert.pem), badFormat, 'a certificate on an RSA 768 key');
    assert.equal(await importItem(h, 0, 'c', keys.rsaPkcs8Pem), badFormat, 'a key is not a certificate');
    assert.equal(await importItem(h, 1, 'c', 'hello world'), badFormat, 'neither PEM nor DER');
    assert.equal(await importItem(h, 1, 'c', Buffer.concat([m.ca.der, Buffer.from([0])])), badFormat, 'trailing bytes');
    const broken = THAWTE_PEM.replace('MIIEIDCC', 'MII*IDCC');
    assert.equal(await importItem(h, 0, 'c', broken), cmeError('USECMNG PEM DER conversion error'));
    assert.equal(await at(h, 'AT+USECMNG=3'), OK);
    await h.close();
  });

  it('checks name, size and parameters before the prompt', async () => {
    const h = await ublox({ registered: false });
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, `AT+USECMNG=0,0,"${'n'.repeat(31)}",1516`), cmeError(50), '31 characters');
    assert.equal(await at(h, 'AT+USECMNG=0,0,"big",8193'), cmeError(1911));
    assert.equal(await at(h, 'AT+USECMNG=0,0,"zero",0'), cmeError(50));
    assert.equal(await at(h, 'AT+USECMNG=0,4,"vc",100'), cmeError(50), 'type 4 is not on this product');
    assert.equal(await at(h, 'AT+USECMNG=0,0,"",100'), cmeError(50));
    assert.equal(await at(h, `AT+USECMNG=0,2,"k",100,"${'p'.repeat(129)}"`), cmeError(50));
    assert.equal(await at(h, 'AT+USECMNG=5'), cmeError(50));
    assert.equal(await at(h, 'AT+USECMNG=3,0,"x"'), cmeError(50));
    assert.equal(await at(h, 'AT+USECMNG=2,0'), cmeError(50));
    assert.equal(await at(h, 'AT+USECMNG?'), cmeError(4), 'no read form');
    assert.equal(await at(h, 'AT+USECMNG=?'), answer('+USECMNG: (0-4),(0-3)'));
    assert.equal(await importItem(h, 0, 'n'.repeat(30), THAWTE_PEM), imported(0, 'n'.repeat(30), THAWTE_MD5), '30 characters');
    await h.close();
  });

  it('imports from a module file (op 1): seed 002 syntax, MD5 of the DER, the file stays', async () => {
    const h = await ublox({ registered: false });
    await at(h, 'AT+CMEE=2');
    assert.equal(await at(h, 'AT+USECMNG=1,0,"AddTrustCA","addtrust.cert"'), cmeError('FILE NOT FOUND'));
    assert.equal(await at(h, `AT+USECMNG=1,0,"AddTrustCA","${'f'.repeat(64)}"`), cmeError('Incorrect parameters'));
    assert.equal(await at(h, `AT+UDWNFILE="thawte.cert",${THAWTE_PEM.length}`), PROMPT);
    assert.equal(await h.send(THAWTE_PEM), OK);
    assert.equal(await at(h, 'AT+USECMNG=1,0,"ThawteCA","thawte.cert"'), answer(`+USECMNG: 1,0,"ThawteCA","${THAWTE_MD5}"`));
    assert.equal(await at(h, 'AT+USECMNG=3'), answer('CA,"ThawteCA","thawte Primary Root CA","2036/07/16 23:59:59"'));
    assert.equal(h.module.services.files.read('thawte.cert').toString('latin1'), THAWTE_PEM);
    // A key with its password, from DER.
    h.module.services.files.write('client_key.key', keys.rsaEncryptedDer);
    assert.equal(await at(h, 'AT+USECMNG=1,2,"client_key","client_key.key","secret"'), answer(`+USECMNG: 1,2,"client_key","${md5(keys.rsaEncryptedDer)}"`));
    assert.equal(await at(h, 'AT+USECMNG=1,2,"other_key","client_key.key","wrong"'), cmeError('USECMNG private key format error'));
    h.module.services.files.write('garbage', Buffer.from('not a certificate'));
    assert.equal(await at(h, 'AT+USECMNG=1,0,"bad","garbage"'), cmeError('USECMNG invalid certificate/key format'));
    h.module.services.files.write('huge', Buffer.alloc(8193, 0x41));
    assert.equal(await at(h, 'AT+USECMNG=1,0,"bad","huge"'), cmeError('USECMNG import file size exceeds limit'));
    assert.equal(await at(h, 'AT+USECMNG=3'), answer('CA,"ThawteCA","thawte Primary Root CA","2036/07/16 23:59:59"', 'PK,"client_key"'), 'refusals store nothing');
    await h.close();
  });

  it('overwrites a name of the same type, keeps other types apart, and fills up', async () => {
    const h = await ublox({ registered: false });
    await at(h, 'AT+CMEE=1');
    await importItem(h, 0, 'root', THAWTE_PEM);
    assert.equal(await importItem(h, 0, 'root', m.ca.der), imported(0, 'root', md5(m.ca.der)));
    assert.equal(await importItem(h, 1, 'root', m.client.der), imported(1, 'root', md5(m.client.der)), 'same name, other type');
    assert.equal(await at(h, 'AT+USECMNG=3'), answer(`CA,"root","modemlab Test Root","${expiry(m.ca.x509)}"`, `CC,"root","A client certificate","${expiry(m.client.x509)}"`));
    for (let i = 2; i < 10; i++) await importItem(h, 0, `ca${i}`, m.ca.der);
    assert.equal(h.module.services.certificates.list().length, 10);
    assert.equal(await importItem(h, 0, 'one-more', m.ca.der), cmeError(1914));
    assert.equal(await importItem(h, 0, 'root', THAWTE_PEM), imported(0, 'root', THAWTE_MD5), 'overwriting needs no room');
    assert.equal(await at(h, 'AT+USECMNG=2,0,"ca2"'), OK);
    assert.equal(await importItem(h, 0, 'one-more', m.ca.der), imported(0, 'one-more', md5(m.ca.der)));
    await h.close();
  });

  it('removes imported items; pre-installed roots are read-only but answer MD5', async () => {
    const h = await ublox({ registered: false });
    await at(h, 'AT+CMEE=1');
    await importItem(h, 0, 'ThawteCA', THAWTE_PEM);
    assert.equal(await at(h, 'AT+USECMNG=2,1,"ThawteCA"'), cmeError(1916), 'wrong type');
    assert.equal(await at(h, 'AT+USECMNG=2,0,"ThawteCA"'), OK);
    assert.equal(await at(h, 'AT+USECMNG=2,0,"ThawteCA"'), cmeError(1916));
    assert.equal(await at(h, 'AT+USECMNG=4,0,"ThawteCA"'), cmeError(1916));
    assert.equal(await at(h, 'AT+USECMNG=2,0,"ubx_digicert_global_root_ca"'), cmeError(3));
    assert.equal(await at(h, 'AT+USECMNG=2,0,"ubx_starfield_service_root_ca_g2"'), cmeError(3), '32 characters: a pre-installed name');
    const der = h.module.services.certificates.findCa('ubx_digicert_global_root_ca')!;
    assert.equal(new X509Certificate(der).subject.split('\n').at(-1), 'CN=DigiCert Global Root CA');
    assert.equal(await at(h, 'AT+USECMNG=4,0,"ubx_digicert_global_root_ca"'), answer(`+USECMNG: 4,0,"ubx_digicert_global_root_ca","${md5(der)}"`));
    assert.equal(await importItem(h, 0, 'ubx_digicert_global_root_ca', m.ca.der), cmeError(1917));
    assert.equal(await at(h, 'AT+USECMNG=3'), OK, 'the list shows the user database only');
    await h.close();
  });

  it('aborts a stream import after 20 s of silence and keeps the database', async () => {
    const h = await ublox({ registered: false });
    await at(h, 'AT+CMEE=1');
    await importItem(h, 0, 'ThawteCA', THAWTE_PEM);
    assert.equal(await at(h, 'AT+USECMNG=0,0,"ThawteCA",1516'), PROMPT);
    assert.equal(await h.send(THAWTE_PEM.slice(0, 700)), '');
    assert.equal(await h.advance(19_999), '', 'the guard restarts with every byte');
    assert.equal(await h.send(m.ca.pem.subarray(0, 10)), '');
    assert.equal(await h.advance(19_999), '');
    assert.equal(await h.advance(1), cmeError(1910));
    assert.equal(await at(h, 'AT'), OK, 'back in command mode');
    assert.equal(await at(h, 'AT+USECMNG=4,0,"ThawteCA"'), answer(`+USECMNG: 4,0,"ThawteCA","${THAWTE_MD5}"`));
    await h.close();
  });

  it('keeps an entry when an import of the same name is refused', async () => {
    const h = await ublox({ registered: false });
    await at(h, 'AT+CMEE=1');
    await importItem(h, 2, 'key', keys.rsaPkcs1Pem);
    await importItem(h, 0, 'root', THAWTE_PEM);
    assert.equal(await importItem(h, 2, 'key', keys.rsa768Pem), cmeError(1918));
    assert.equal(await importItem(h, 0, 'root', 'garbage'), cmeError(1913));
    assert.equal(await importItem(h, 0, 'root', THAWTE_PEM.replace('MIIEIDCC', 'MII*IDCC')), cmeError(1920));
    assert.equal(await at(h, 'AT+USECMNG=4,2,"key"'), answer(`+USECMNG: 4,2,"key","${md5(keys.rsaPkcs1Der)}"`));
    assert.equal(await at(h, 'AT+USECMNG=4,0,"root"'), answer(`+USECMNG: 4,0,"root","${THAWTE_MD5}"`));
    await h.close();
  });

  it('persists across +CFUN=16 and a new module on the same state', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'modemlab-usecmng-'));
    try {
      const h = await ublox({ registered: false, stateDir });
      await importItem(h, 0, 'ThawteCA', THAWTE_PEM);
      await importItem(h, 2, 'key', keys.rsaEncryptedDer, 'secret');
      assert.equal(await at(h, 'AT+CFUN=16'), OK);
      await h.advance(h.module.model.timing.rebootMs);
      await at(h, 'ATE0');
      const list = answer('CA,"ThawteCA","thawte Primary Root CA","2036/07/16 23:59:59"', 'PK,"key"');
      assert.equal(await at(h, 'AT+USECMNG=3'), list);
      await h.close();
      const again = await ublox({ registered: false, stateDir });
      assert.equal(await at(again, 'AT+USECMNG=3'), list);
      assert.equal(again.module.services.certificates.privateKey('key', 'secret')?.asymmetricKeyType, 'rsa');
      await again.close();
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe('u-blox +UFACTORY', () => {
  it('erases the certificates at the next boot, not before; 0,0 cancels', async () => {
    const h = await ublox({ registered: false });
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+UFACTORY?'), answer('+UFACTORY: 0,0'));
    assert.equal(await at(h, 'AT+UFACTORY=?'), answer('+UFACTORY: (0,2),(0,2)'));
    assert.equal(await at(h, 'AT+UFACTORY=1,0'), cmeError(50), 'not supported on SARA-R5');
    await importItem(h, 0, 'ThawteCA', THAWTE_PEM);
    const listed = answer('CA,"ThawteCA","thawte Primary Root CA","2036/07/16 23:59:59"');

    assert.equal(await at(h, 'AT+UFACTORY=0,2'), OK);
    assert.equal(await at(h, 'AT+UFACTORY=0,0'), OK);
    await at(h, 'AT+CFUN=16');
    await h.advance(h.module.model.timing.rebootMs);
    await at(h, 'ATE0');
    assert.equal(await at(h, 'AT+USECMNG=3'), listed, 'cancelled');

    assert.equal(await at(h, 'AT+UFACTORY=2,0'), OK);
    assert.equal(await at(h, 'AT+UFACTORY?'), answer('+UFACTORY: 2,0'));
    assert.equal(await at(h, 'AT+USECMNG=3'), listed, 'still there until the boot');
    await at(h, 'AT+CFUN=16');
    await h.advance(h.module.model.timing.rebootMs);
    await at(h, 'ATE0');
    assert.equal(await at(h, 'AT+USECMNG=3'), OK);
    assert.equal(await at(h, 'AT+UFACTORY?'), answer('+UFACTORY: 0,0'), 'done once');
    assert.ok(h.module.services.certificates.findCa('ubx_digicert_global_root_g2'), 'pre-installed roots stay');
    await h.close();
  });
});
