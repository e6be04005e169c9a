import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { derivePsk, e2eParameters, localDecrypt } from '@modemlab/at';
import { ccmDecryptReference } from '../../../../at/src/security/ccm-reference.testutil.js';
import { answer, at, cmeError, OK } from './ublox.testutil.js';
import { ALL_KEY_FEATURES, FIXED_ROT, OTHER_ROT, securedUblox, type SecuredModule } from './sec-keys.testutil.js';
import { HostC2c, pairAndConfirm, TE_SECRET } from './c2c.testutil.js';

const open: SecuredModule[] = [];
async function mod(opts: Parameters<typeof securedUblox>[0] = {}): Promise<SecuredModule> {
  const m = await securedUblox(opts);
  await at(m.h, 'AT+CMEE=1');
  open.push(m);
  return m;
}
after(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
});

const PROMPT = '\r\n>';
const secret = (rot = FIXED_ROT) => Buffer.from(rot.secret, 'hex');

/** Parses `+NAME: <len>,"<binary>"` (binary inside the quotes) from an answer. */
function lengthAndData(name: string, text: string): Buffer {
  const head = `\r\n${name}: `;
  assert.ok(text.startsWith(head), text);
  const rest = text.slice(head.length);
  const comma = rest.indexOf(',');
  const n = Number(rest.slice(0, comma));
  assert.equal(rest[comma + 1], '"');
  const data = Buffer.from(rest.slice(comma + 2, comma + 2 + n), 'latin1');
  assert.equal(rest.slice(comma + 2 + n), `"\r\n${OK}`);
  return data;
}

describe('local data protection (seed 001 §5.2)', () => {
  it('the seed example byte for byte: +USECDATAENC into a file, +USECFILEDEC back', async () => {
    const { h } = await mod();
    assert.equal(await at(h, 'AT+USECDATAENC=13,"ciphertextfile"'), PROMPT);
    assert.equal(await h.send('datatoencrypt'), OK);
    const stored = h.module.services.files.read('ciphertextfile');
    assert.equal(stored.length, 13 + 29);
    assert.equal(localDecrypt(secret(), stored).toString(), 'datatoencrypt');
    assert.equal(await at(h, 'AT+USECFILEDEC="ciphertextfile"'), answer('+USECFILEDEC: 13,"datatoencrypt"'));
  });

  it('the data and file variants: printed without a destination, stored with one; binary survives', async () => {
    const { h } = await mod();
    const secretData = Buffer.from([0, 1, 0x0d, 0x0a, 0x22, 0x2c, 0xff, 0x1a, 0x1b]);
    assert.equal(await at(h, `AT+USECDATAENC=${secretData.length}`), PROMPT);
    const blob = lengthAndData('+USECDATAENC', await h.send(secretData));
    assert.equal(blob.length, secretData.length + 29);
    assert.equal(await at(h, `AT+USECDATADEC=${blob.length}`), PROMPT);
    assert.deepEqual(lengthAndData('+USECDATADEC', await h.send(blob)), secretData);
    // Files: plain → encrypted file → plain file.
    h.module.services.files.write('plain', secretData);
    assert.equal(await at(h, 'AT+USECFILEENC="plain","sealed"'), OK);
    assert.equal(await at(h, 'AT+USECFILEDEC="sealed","opened"'), OK);
    assert.deepEqual(h.module.services.files.read('opened'), secretData);
    const printed = lengthAndData('+USECFILEENC', await at(h, 'AT+USECFILEENC="plain"'));
    assert.deepEqual(localDecrypt(secret(), printed), secretData);
    // Decrypting into a file.
    assert.equal(await at(h, `AT+USECDATADEC=${blob.length},"fromdata"`), PROMPT);
    assert.equal(await h.send(blob), OK);
    assert.deepEqual(h.module.services.files.read('fromdata'), secretData);
  });

  it('another module cannot decrypt; a clone (same root of trust) can', async () => {
    const a = await mod();
    await at(a.h, 'AT+USECDATAENC=13,"ciphertextfile"');
    await a.h.send('datatoencrypt');
    const blob = a.h.module.services.files.read('ciphertextfile');
    const other = await mod({ rot: OTHER_ROT });
    other.h.module.services.files.write('ciphertextfile', blob);
    assert.equal(await at(other.h, 'AT+USECFILEDEC="ciphertextfile"'), cmeError(50));
    assert.equal(await at(other.h, `AT+USECDATADEC=${blob.length}`), PROMPT);
    assert.equal(await other.h.send(blob), cmeError(50));
    const clone = await mod();
    clone.h.module.services.files.write('ciphertextfile', blob);
    assert.equal(await at(clone.h, 'AT+USECFILEDEC="ciphertextfile"'), answer('+USECFILEDEC: 13,"datatoencrypt"'));
    // A tampered blob is refused too.
    const tampered = Buffer.from(blob);
    tampered[20]! ^= 1;
    a.h.module.services.files.write('tampered', tampered);
    assert.equal(await at(a.h, 'AT+USECFILEDEC="tampered"'), cmeError(50));
  });

  it('refuses before the prompt when not sealed or not authorized, writes nothing, and logs', async () => {
    const logs: string[] = [];
    const unsealed = await mod({ security: { sealed: false }, log: (m: string) => logs.push(m) });
    assert.equal(await at(unsealed.h, 'AT+USECDATAENC=13,"ciphertextfile"'), cmeError(3));
    assert.equal(unsealed.h.module.services.files.exists('ciphertextfile'), false);
    assert.ok(logs.some((l) => /USECDATAENC refused: .*not sealed/.test(l)), logs.join('\n'));
    const noFeature = await mod({ features: ['PSK', 'E2E'] });
    assert.equal(await at(noFeature.h, 'AT+USECDATAENC=13'), cmeError(3));
    noFeature.h.module.services.files.write('x', Buffer.from('abc'));
    assert.equal(await at(noFeature.h, 'AT+USECFILEENC="x","y"'), cmeError(3));
    assert.equal(noFeature.h.module.services.files.exists('y'), false);
    // Bad parameters and a missing file.
    const { h } = await mod();
    assert.equal(await at(h, 'AT+USECDATAENC=0'), cmeError(50));
    assert.equal(await at(h, 'AT+USECDATAENC=8193'), cmeError(50));
    assert.equal(await at(h, 'AT+USECFILEDEC="nosuchfile"'), cmeError(1612));
  });
});

describe('+USECPSK (seed 001 §6.1.1.1)', () => {
  it('answers identity then PSK, uppercase hex in quotes; the PSK is the one the cloud derives from the identity', async () => {
    const { h } = await mod();
    for (const len of [16, 32] as const) {
      const text = await at(h, `AT+USECPSK=${len}`);
      const m = /^\r\n\+USECPSK: "(1101F008003C9623[0-9A-F]{12})","([0-9A-F]+)"\r\n\r\nOK\r\n$/.exec(text);
      assert.ok(m, text);
      assert.equal(m[2]!.length, len * 2);
      assert.equal(derivePsk(secret(), Buffer.from(m[1]!, 'hex'), len).toString('hex').toUpperCase(), m[2]);
    }
    assert.notEqual(await at(h, 'AT+USECPSK=16'), await at(h, 'AT+USECPSK=16'), 'a new identity each call');
    assert.equal(await at(h, 'AT+USECPSK=?'), answer('+USECPSK: (16,32)'));
    assert.equal(await at(h, 'AT+USECPSK=24'), cmeError(50));
  });

  it('refuses without the PSK feature', async () => {
    const { h } = await mod({ features: ['E2E'] });
    assert.equal(await at(h, 'AT+USECPSK=16'), cmeError(3));
    assert.equal(await at(h, 'AT+USECPRF=0,11,1'), cmeError(3));
    assert.equal(await at(h, 'AT+USECPRF=0,11'), answer('+USECPRF: 0,11,0'));
  });

  it('+USECPRF op 11 needs a connection: "+CME ERROR: No connection to phone" without one', async () => {
    const { h } = await mod({ registered: false });
    await at(h, 'AT+CMEE=2');
    assert.equal(await at(h, 'AT+USECPRF=0,11,1'), cmeError('no connection to phone'));
    assert.equal(await at(h, 'AT+USECPRF=0,11,0'), OK);
  });
});

describe('end-to-end encryption (seed 001 §6.2.3)', () => {
  it('the seed example: HELLO → 37 bytes (V1, +32), identity ‖ ciphertext ‖ tag, opened by an independent CCM', async () => {
    const { h } = await mod();
    assert.equal(await at(h, 'AT+USECOPCMD="e2e_enc"'), answer('+USECOPCMD: "e2e_enc",0'));
    assert.equal(await at(h, 'AT+USECE2EDATAENC=5'), PROMPT);
    const blob = lengthAndData('+USECE2EDATAENC', await h.send('HELLO'));
    assert.equal(blob.length, 37);
    assert.equal(blob[0]! >> 4, 1);
    const id = blob.subarray(0, 16);
    assert.equal(id.subarray(2, 8).toString('hex').toUpperCase(), FIXED_ROT.uid.slice(4));
    const p = e2eParameters(secret(), id);
    assert.equal(ccmDecryptReference(p.key, p.nonce, blob.subarray(16, 21), blob.subarray(21)).toString(), 'HELLO');
    // "datatoencrypt" (13 bytes) → 45, as the seed prints.
    assert.equal(await at(h, 'AT+USECE2EDATAENC=13'), PROMPT);
    assert.equal(lengthAndData('+USECE2EDATAENC', await h.send('datatoencrypt')).length, 45);
  });

  it('V2 (+USECOPCMD="e2e_enc",1): +28 bytes, kept across a reboot; the counter never repeats an identity', async () => {
    const { h } = await mod();
    assert.equal(await at(h, 'AT+USECOPCMD="e2e_enc",1'), OK);
    assert.equal(await at(h, 'AT+USECOPCMD="e2e_enc"'), answer('+USECOPCMD: "e2e_enc",1'));
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) {
      await at(h, 'AT+USECE2EDATAENC=5');
      const blob = lengthAndData('+USECE2EDATAENC', await h.send('HELLO'));
      assert.equal(blob.length, 33);
      assert.equal(blob[0]! >> 4, 2);
      const header = blob.subarray(0, 12);
      const p = e2eParameters(secret(), blob.subarray(0, 11));
      assert.equal(ccmDecryptReference(p.key, p.nonce, blob.subarray(12, 17), blob.subarray(17), header).toString(), 'HELLO');
      ids.add(blob.subarray(0, 11).toString('hex'));
    }
    assert.equal(ids.size, 3);
    assert.equal(await at(h, 'AT+USECOPCMD="e2e_enc",2'), cmeError(50));
    assert.equal(await at(h, 'AT+USECOPCMD="other"'), cmeError(50));
  });

  it('the key epoch comes from the security state (heartbeats): V2 identities carry it', async () => {
    const { h } = await mod({ security: { keyEpoch: 7 } });
    await at(h, 'AT+USECOPCMD="e2e_enc",1');
    await at(h, 'AT+USECE2EDATAENC=1');
    const blob = lengthAndData('+USECE2EDATAENC', await h.send('x'));
    assert.equal(blob[7], 7);
    assert.equal(blob.readUIntBE(8, 3), 0, 'a new epoch starts its counter at 0');
  });

  it('+USECE2EFILEENC prints or stores the blob of a file', async () => {
    const { h } = await mod();
    h.module.services.files.write('reading', Buffer.from('21.5 C'));
    const blob = lengthAndData('+USECE2EFILEENC', await at(h, 'AT+USECE2EFILEENC="reading"'));
    assert.equal(blob.length, 6 + 32);
    assert.equal(await at(h, 'AT+USECE2EFILEENC="reading","reading.e2e"'), OK);
    assert.equal(h.module.services.files.read('reading.e2e').length, 38);
    assert.equal(await at(h, 'AT+USECE2EFILEENC="missing"'), cmeError(1612));
  });

  it('refuses without the E2E feature, before the prompt', async () => {
    const { h } = await mod({ features: ['PSK'] });
    assert.equal(await at(h, 'AT+USECE2EDATAENC=5'), cmeError(3));
    assert.equal(await at(h, 'AT+USECOPCMD="e2e_enc",1'), cmeError(3));
  });
});

describe('+USECDEVCERT (seed 001 §7.1.4; notes §1.6)', () => {
  const ztp = { key: '-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n', certificate: '-----BEGIN CERTIFICATE-----\nCERT\n-----END CERTIFICATE-----\n', caChain: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n' };
  const unquoted = (pem: string) => `"${pem.replace(/\n$/, '')}"`;

  it('SARA-R5 numbers as ubxlib does (0 key, 1 certificate, 2 CA chain), with the seed read form', async () => {
    const { h } = await mod({ security: { ztp } });
    assert.equal(await at(h, 'AT+USECDEVCERT?'), answer('+USECDEVCERT: 0,0,0'));
    assert.equal(await at(h, 'AT+USECDEVCERT=0'), answer(`+USECDEVCERT: 0,${unquoted(ztp.key)}`));
    assert.equal(await at(h, 'AT+USECDEVCERT=1'), answer(`+USECDEVCERT: 1,${unquoted(ztp.certificate)}`));
    assert.equal(await at(h, 'AT+USECDEVCERT=2'), answer(`+USECDEVCERT: 2,${unquoted(ztp.caChain)}`));
    assert.equal(await at(h, 'AT+USECDEVCERT=3'), cmeError(50));
    assert.equal(await at(h, 'AT+USECDEVCERT=?'), answer('+USECDEVCERT: (0,1,2)'));
  });

  it('with C2C authorized, the ZTP parts need an open C2C session on this terminal (notes §1.6)', async () => {
    const { h } = await mod({ security: { ztp }, features: [...ALL_KEY_FEATURES, 'C2C', 'LocalC2CKeyPairing'] });
    assert.equal(await at(h, 'AT+USECDEVCERT=1'), cmeError(3));
    assert.equal(await at(h, 'AT+USECDEVCERT?'), answer('+USECDEVCERT: 0,0,0'), 'the status read stays open');
    const keys = await pairAndConfirm(h);
    assert.equal(await at(h, `AT+USECC2C=1,"${TE_SECRET}"`), OK);
    const host = new HostC2c(h, keys);
    assert.equal(await host.at('AT+USECDEVCERT=1'), answer(`+USECDEVCERT: 1,${unquoted(ztp.certificate)}`));
    assert.equal(await host.at(`AT+USECC2C=2,"${TE_SECRET}"`), OK);
    assert.equal(await at(h, 'AT+USECDEVCERT=0'), cmeError(3));
  });

  it('SARA-R4 numbers as the seed prints (0 check, 1 CA, 2 certificate, 3 key)', async () => {
    const { h } = await mod({ model: 'sara-r410m', security: { ztp } });
    assert.equal(await at(h, 'AT+USECDEVCERT?'), answer('+USECDEVCERT: 0,0,0'));
    assert.equal(await at(h, 'AT+USECDEVCERT=0'), answer('+USECDEVCERT: 0,0'));
    assert.equal(await at(h, 'AT+USECDEVCERT=1'), answer(`+USECDEVCERT: 1,${unquoted(ztp.caChain)}`));
    assert.equal(await at(h, 'AT+USECDEVCERT=2'), answer(`+USECDEVCERT: 2,${unquoted(ztp.certificate)}`));
    assert.equal(await at(h, 'AT+USECDEVCERT=3'), answer(`+USECDEVCERT: 3,${unquoted(ztp.key)}`));
  });

  it('nothing delivered yet: the read says 1,1,1 and the parts are refused; no feature: refused', async () => {
    const { h } = await mod();
    assert.equal(await at(h, 'AT+USECDEVCERT?'), answer('+USECDEVCERT: 1,1,1'));
    assert.equal(await at(h, 'AT+USECDEVCERT=1'), cmeError(3));
    const r4 = await mod({ model: 'sara-r410m' });
    assert.equal(await at(r4.h, 'AT+USECDEVCERT=0'), answer('+USECDEVCERT: 0,1'));
    const noFeature = await mod({ features: ['PSK'], security: { ztp } });
    assert.equal(await at(noFeature.h, 'AT+USECDEVCERT?'), cmeError(3));
    assert.equal(await at(noFeature.h, 'AT+USECDEVCERT=1'), cmeError(3));
  });
});
