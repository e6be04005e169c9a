import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { ztpKeyPair } from '@modemlab/at';
import { decryptE2e, encryptE2eDownlink } from '@modemlab/sdk';
import { officialScriptDecrypt } from '../../../../at/src/security/ccm-reference.testutil.js';
import { startTestCloud, type TestCloud } from '../../../../cloud/src/testing/cloud.js';
import { newAccount, newModule, type TestAccount } from '../../../../cloud/src/testing/fixtures.js';
import { startGetPskTlsServer } from '../../testing/getpsk-tls-server.js';
import { makePki, tlsServer, type TestPki } from '../../services/tls/tls.testutil.js';
import { answer, at, atUntil, OK } from './ublox.testutil.js';
import { FIXED_ROT, securedUblox, type SecuredModule } from './sec-keys.testutil.js';

/**
 * The module's RoT key services against a real security cloud (HTTPS, SQLite): the module's
 * root of trust is registered at the factory, bootstrapped and sealed into a profile with
 * PSK, E2E, ZTP and local data; a ZTP root CA issues its device certificate.
 */
let cloud: TestCloud;
let account: TestAccount;
let pki: TestPki;
let ztp: { key: string; certificate: string; caChain: string };
const secret = Buffer.from(FIXED_ROT.secret, 'hex');

before(async () => {
  pki = makePki();
  cloud = await startTestCloud();
  account = await newAccount(cloud);
  const module = await newModule(cloud, FIXED_ROT.uid, secret);
  assert.equal((await module.send('/v1/module/bootstrap', {})).status, 200);
  const profile = await account.call<{ DeviceProfileUID: string }>('/v1/deviceprofile/create', { Name: 'keys', Features: ['PSK', 'E2E', 'ZTP', 'LocalDataProtection'], Whitelist: false });
  assert.equal(profile.status, 200, JSON.stringify(profile.body));
  const seal = await module.send<{ State: string }>('/v1/module/seal', { DeviceProfileUID: profile.body.DeviceProfileUID, DeviceSerialNumber: '356726100000001' });
  assert.equal(seal.body.State, 'ACTIVE', JSON.stringify(seal.body));
  // ZTP: a root CA of the account, configured for the device; the module enrols the public half of its derived key.
  const ca = await account.call('/v1/ztp/rootca/create', { Name: 'test-ca', ValidityDays: 365 });
  assert.equal(ca.status, 200, JSON.stringify(ca.body));
  assert.equal((await account.call('/v1/device/provisioning/set', { ROTPublicUID: FIXED_ROT.uid, DeviceCertificate: { Enabled: true, RootCAName: 'test-ca' } })).status, 200);
  const keys = ztpKeyPair(secret);
  const enrol = await module.send<{ Status: string; DeviceCertificate: string; CACertificates: string }>('/v1/module/ztp/enrol', {
    PublicKey: (keys.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64'),
  });
  assert.equal(enrol.body.Status, 'PROVISIONED', JSON.stringify(enrol.body));
  ztp = { key: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, certificate: enrol.body.DeviceCertificate, caChain: enrol.body.CACertificates };
});
after(async () => {
  await cloud.close();
  pki.dispose();
});

const open: SecuredModule[] = [];
async function mod(): Promise<SecuredModule> {
  const m = await securedUblox({ security: { ztp } });
  await at(m.h, 'AT+CMEE=1');
  open.push(m);
  return m;
}
after(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
});

const getPsk = async (identity: string): Promise<Buffer | undefined> => {
  const r = await account.call<{ PSK: string }>('/v1/psk/get', { KeyID: identity, KeyLength: 256 });
  return r.status === 200 ? Buffer.from(r.body.PSK, 'base64') : undefined;
};

/** Builds the OpenSSL DTLS PSK test server (testing/peers/dtls-getpsk-server.c); undefined without a C compiler or libssl headers. */
function buildDtlsServer(): { bin: string; dir: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-dtls-peer-'));
  const bin = join(dir, 'dtls-getpsk');
  try {
    execFileSync('cc', ['-o', bin, new URL('../../testing/peers/dtls-getpsk-server.c', import.meta.url).pathname, '-lssl', '-lcrypto'], { stdio: 'ignore' });
    return { bin, dir };
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}
const dtlsPeer = buildDtlsServer();
after(() => {
  if (dtlsPeer) rmSync(dtlsPeer.dir, { recursive: true, force: true });
});

describe('RoT key services against a real security cloud', () => {
  it('+USECPSK: the cloud\'s GetPSK regenerates the PSK from the identity', async () => {
    const { h } = await mod();
    const m = /\+USECPSK: "([0-9A-F]+)","([0-9A-F]+)"/.exec(await at(h, 'AT+USECPSK=16'));
    assert.ok(m);
    const r = await account.call<{ PSK: string; ROTPublicUID: string }>('/v1/psk/get', { KeyID: m[1], KeyLength: 128 });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(Buffer.from(r.body.PSK, 'base64').toString('hex').toUpperCase(), m[2]);
    assert.equal(r.body.ROTPublicUID, FIXED_ROT.uid);
  });

  it('+USECPRF op 11 (seed 001 §6.1.1.2): a TLS socket handshakes with a server that resolves the identity through GetPSK', async () => {
    const received: string[] = [];
    const server = await startGetPskTlsServer(getPsk, { onData: (_s, d) => received.push(d.toString()) });
    try {
      const { h } = await mod();
      assert.equal(await at(h, 'AT+USECPRF=0,11,1'), OK);
      assert.equal(await at(h, 'AT+USECPRF=0,11'), answer('+USECPRF: 0,11,1'));
      assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 0'));
      assert.equal(await at(h, 'AT+USOSEC=0,1,0'), OK);
      assert.equal(await atUntil(h, `AT+USOCO=0,"127.0.0.1",${server.port}`, OK), OK);
      assert.equal(server.identities.length, 1);
      assert.match(server.identities[0]!, new RegExp(`^1101${FIXED_ROT.uid.slice(4)}[0-9A-F]{12}$`));
      assert.equal(await atUntil(h, 'AT+USOWR=0,5,"hello"', OK), answer('+USOWR: 0,5'));
      const conn = server.connections[0]!;
      if (!received.length) await once(conn, 'data');
      assert.equal(received.join(''), 'hello');
      // A second connection sends a new identity.
      assert.equal(await atUntil(h, 'AT+USOCL=0', OK), OK);
      assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 0'));
      assert.equal(await at(h, 'AT+USOSEC=0,1,0'), OK);
      assert.equal(await atUntil(h, `AT+USOCO=0,"127.0.0.1",${server.port}`, OK), OK);
      assert.equal(server.identities.length, 2);
      assert.notEqual(server.identities[0], server.identities[1]);
    } finally {
      await server.close();
    }
  });

  it('+USECPRF op 11 on a UDP socket: a DTLS handshake with an OpenSSL server whose PSK callback asks GetPSK', { skip: dtlsPeer ? false : 'no C compiler or OpenSSL headers' }, async () => {
    const server = spawn(dtlsPeer!.bin, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines: string[] = [];
    const waiters: Array<() => void> = [];
    const nextLine = async (prefix: string): Promise<string> => {
      for (;;) {
        const found = lines.find((l) => l.startsWith(prefix));
        if (found) return found.slice(prefix.length);
        await new Promise<void>((r) => waiters.push(r));
      }
    };
    createInterface({ input: server.stdout! }).on('line', (line) => {
      lines.push(line);
      if (line.startsWith('IDENTITY ')) {
        void getPsk(line.slice(9)).then((psk) => server.stdin!.write(`${psk?.toString('hex') ?? ''}\n`));
      }
      for (const w of waiters.splice(0)) w();
    });
    try {
      const port = Number(await nextLine('PORT '));
      const { h } = await mod();
      assert.equal(await at(h, 'AT+USECPRF=0,11,1'), OK);
      assert.equal(await at(h, 'AT+USOCR=17'), answer('+USOCR: 0'));
      assert.equal(await at(h, 'AT+USOSEC=0,1,0'), OK);
      assert.equal(await atUntil(h, `AT+USOCO=0,"127.0.0.1",${port}`, OK), OK);
      assert.match(await nextLine('IDENTITY '), new RegExp(`^1101${FIXED_ROT.uid.slice(4)}[0-9A-F]{12}$`));
      await nextLine('ACCEPTED');
      // The echo may come back before the write's OK has been read: its URC follows the OK.
      let out = await atUntil(h, 'AT+USOWR=0,10,"hello dtls"', OK);
      if (!out.includes('+UUSORF: 0,10\r\n')) out += await h.waitFor('+UUSORF: 0,10\r\n');
      assert.equal(out, `${answer('+USOWR: 0,10')}\r\n+UUSORF: 0,10\r\n`);
      assert.equal(await nextLine('DATA '), 'hello dtls');
      assert.equal(await at(h, 'AT+USORF=0,100'), answer(`+USORF: 0,"127.0.0.1",${port},10,"hello dtls"`));
      assert.equal(await atUntil(h, 'AT+USOCL=0', OK), OK);
    } finally {
      server.stdin!.end();
      if (server.exitCode === null) await once(server, 'exit');
    }
  });

  it('a withdrawn PSK feature: the handshake is not attempted with an RoT PSK', async () => {
    const server = await startGetPskTlsServer(getPsk);
    try {
      const { h } = await mod();
      assert.equal(await at(h, 'AT+USECPRF=0,11,1'), OK);
      h.module.services.security.update((r) => {
        r.features = r.features.filter((f) => f !== 'PSK');
      });
      assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 0'));
      assert.equal(await at(h, 'AT+USOSEC=0,1,0'), OK);
      assert.match(await atUntil(h, `AT+USOCO=0,"127.0.0.1",${server.port}`, 'ERROR'), /ERROR/);
      assert.equal(server.identities.length, 0);
    } finally {
      await server.close();
    }
  });

  it('an E2E blob from the module is decrypted by a backend through the REST API (SDK decryptE2e and the official script)', async () => {
    const { h } = await mod();
    assert.equal(await at(h, 'AT+USECE2EDATAENC=5'), '\r\n>');
    const text = await h.send('HELLO');
    const m = /^\r\n\+USECE2EDATAENC: 37,"([\s\S]{37})"\r\n\r\nOK\r\n$/.exec(text);
    assert.ok(m, JSON.stringify(text));
    const blob = Buffer.from(m[1]!, 'latin1');
    const viaSdk = await decryptE2e(blob, { cloudUrl: cloud.url, apiKey: account.APIKey, apiSecret: account.APISecret, ca: cloud.caPem });
    assert.equal(viaSdk.toString(), 'HELLO');
    const params = await account.call<{ Nonce: string; MACLength: number; CipherSuite: string; Key: string; ROTPublicUID: string }>('/v1/e2e/uplink/protectionparameters/get', {
      EncryptedHeader: blob.subarray(0, 16).toString('hex'),
    });
    assert.equal(params.status, 200);
    assert.equal(officialScriptDecrypt(blob, params.body).toString(), 'HELLO');
    // V2 blobs decrypt through the SDK as well.
    assert.equal(await at(h, 'AT+USECOPCMD="e2e_enc",1'), OK);
    await at(h, 'AT+USECE2EDATAENC=5');
    const v2 = /"([\s\S]{33})"/.exec(await h.send('WORLD'));
    assert.ok(v2);
    assert.equal((await decryptE2e(Buffer.from(v2[1]!, 'latin1'), { cloudUrl: cloud.url, apiKey: account.APIKey, apiSecret: account.APISecret, ca: cloud.caPem })).toString(), 'WORLD');
  });

  it('E2E downlink: a backend seals data through the REST API (SDK encryptE2eDownlink), +USECE2EDATADEC opens it; tampered, uplink and short blobs are refused', async () => {
    const { h } = await mod();
    const creds = { cloudUrl: cloud.url, apiKey: account.APIKey, apiSecret: account.APISecret, ca: cloud.caPem };
    const blob = await encryptE2eDownlink(FIXED_ROT.uid, 'DOWN\r\n"x",', creds);
    assert.equal(blob.length, 10 + 32);
    assert.equal(blob[1], 0x02); // the downlink key set
    assert.equal(await at(h, `AT+USECE2EDATADEC=${blob.length}`), '\r\n>');
    assert.equal(await h.send(blob.toString('latin1')), '\r\n+USECE2EDATADEC: 10,"DOWN\r\n\"x\","\r\n\r\nOK\r\n');
    // Each downlink blob has its own identity: a second one differs and opens too.
    const second = await encryptE2eDownlink(FIXED_ROT.uid, 'AGAIN', creds);
    assert.notDeepEqual(second.subarray(0, 16), blob.subarray(0, 16));
    await at(h, `AT+USECE2EDATADEC=${second.length}`);
    assert.equal(await h.send(second.toString('latin1')), answer('+USECE2EDATADEC: 5,"AGAIN"'));
    // A flipped bit, an uplink blob (the module's own), a blob cut short: Incorrect parameters.
    const tampered = Buffer.from(second);
    tampered[20]! ^= 1;
    await at(h, `AT+USECE2EDATADEC=${tampered.length}`);
    assert.equal(await h.send(tampered.toString('latin1')), '\r\n+CME ERROR: 50\r\n');
    await at(h, 'AT+USECE2EDATAENC=5');
    const up = /"([\s\S]{37})"/.exec(await h.send('HELLO'));
    assert.ok(up);
    await at(h, 'AT+USECE2EDATADEC=37');
    assert.equal(await h.send(up[1]!), '\r\n+CME ERROR: 50\r\n');
    await at(h, 'AT+USECE2EDATADEC=20');
    assert.equal(await h.send(second.subarray(0, 20).toString('latin1')), '\r\n+CME ERROR: 50\r\n');
    // The feature withdrawn: operation not allowed before the prompt.
    h.module.services.security.update((r) => {
      r.features = r.features.filter((f) => f !== 'E2E');
    });
    assert.equal(await at(h, 'AT+USECE2EDATADEC=42'), '\r\n+CME ERROR: 3\r\n');
  });

  it('ZTP: +USECDEVCERT serves the cloud-issued credentials and op 14 uses them for mutual TLS with a server trusting the ZTP root CA', async () => {
    const { h } = await mod();
    assert.equal(await at(h, 'AT+USECDEVCERT?'), answer('+USECDEVCERT: 0,0,0'));
    const cert = /^\r\n\+USECDEVCERT: 1,"([^"]+)"/.exec(await at(h, 'AT+USECDEVCERT=1'));
    assert.ok(cert);
    assert.equal(cert[1]!.trim(), ztp.certificate.trim());
    for (const level of [2, 1]) {
      let peer = '';
      const srv = await tlsServer({ key: pki.server.key, cert: pki.server.cert, ca: ztp.caChain, requestCert: true, rejectUnauthorized: true, maxVersion: 'TLSv1.2' }, (s: TLSSocket) => {
        peer = s.getPeerX509Certificate()?.subject ?? '';
      });
      try {
        assert.equal(await at(h, 'AT+USECPRF=1,0,0'), OK);
        assert.equal(await at(h, `AT+USECPRF=1,14,${level}`), OK);
        assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 0'));
        assert.equal(await at(h, 'AT+USOSEC=0,1,1'), OK);
        assert.equal(await atUntil(h, `AT+USOCO=0,"127.0.0.1",${srv.port}`, OK), OK);
        assert.match(peer, new RegExp(`CN=${FIXED_ROT.uid}`));
        assert.equal(await atUntil(h, 'AT+USOCL=0', OK), OK);
      } finally {
        await srv.close();
      }
    }
  });
});
