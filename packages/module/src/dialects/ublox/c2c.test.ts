import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeC2cFrame, encryptBody, encryptConfirmation } from '@modemlab/at';
import type { SecurityFeature } from '../../services/security/security-state.js';
import type { ModuleHarness } from '../../testing/harness.js';
import { HostC2c, keysFrom, pairAndConfirm, TE_SECRET } from './c2c.testutil.js';
import { answer, at, cmeError, ERROR, OK, ublox } from './ublox.testutil.js';

async function module(): Promise<ModuleHarness> {
  const h = await ublox({ registered: false });
  await at(h, 'AT+CMEE=1');
  return h;
}

function seal(h: ModuleHarness, features: SecurityFeature[]): void {
  h.module.services.security.update((r) => {
    r.bootstrapped = true;
    r.sealed = true;
    r.features = features;
  });
}

describe('u-blox +USECC2C (seed 001 §5.1)', () => {
  it('seed example: pairs A0324CFF…497D, opens (OK in clear), frames everything, closes with the secret (framed OK)', async () => {
    const h = await module();
    try {
      assert.equal(await at(h, 'AT+USECC2C=?'), answer('+USECC2C: (0-4)'));
      const pairing = await at(h, `AT+USECC2C=0,"${TE_SECRET}"`);
      assert.match(pairing, /^\r\n\+USECC2C: 0,0,"[0-9A-F]{32}","[0-9A-F]{32}","[0-9A-F]{32}"\r\n\r\nOK\r\n$/);
      const { keys, tag } = keysFrom(pairing, TE_SECRET);
      assert.equal(await at(h, `AT+USECC2C=4,"${TE_SECRET}","${encryptConfirmation(keys, tag!).toString('hex').toUpperCase()}"`), OK);
      assert.equal(await at(h, `AT+USECC2C=1,"${TE_SECRET}"`), OK);

      const host = new HostC2c(h, keys);
      const cgmi = await host.sendWire(host.frames('AT+CGMI\r'));
      assert.equal(cgmi.text, answer('u-blox'));
      assert.equal(cgmi.raw[0], 0xf9);
      assert.ok(!cgmi.raw.includes('u-blox'), 'nothing leaves in clear');
      // Plain AT inside the session is noise: no answer at all.
      assert.equal(await h.send('AT\r'), '');
      // Opening the same session again is a no-op success, inside the session.
      assert.equal(await host.at(`AT+USECC2C=1,"${TE_SECRET}"`), OK);
      assert.equal(await host.at(`AT+USECC2C=2,"${TE_SECRET}"`), OK);
      assert.equal(await at(h, 'AT'), OK);
      assert.equal(host.decoder.stats.dropped.mac + host.decoder.stats.dropped.fcs, 0);
    } finally {
      await h.close();
    }
  });

  it('sara-r5-00b speaks V1: the key alone, no confirmation (ops 0-3), V1 frames both ways, V2 frames dropped', async () => {
    const h = await ublox({ registered: false, model: 'sara-r5-00b' });
    try {
      await at(h, 'AT+CMEE=1');
      assert.equal(await at(h, 'AT+USECC2C=?'), answer('+USECC2C: (0-3)'));
      const pairing = await at(h, `AT+USECC2C=0,"${TE_SECRET}"`);
      assert.match(pairing, /^\r\n\+USECC2C: 0,0,"[0-9A-F]{32}"\r\n\r\nOK\r\n$/);
      const { keys, tag } = keysFrom(pairing, TE_SECRET, 1);
      assert.equal(tag, undefined);
      assert.equal(await at(h, `AT+USECC2C=1,"${TE_SECRET}"`), OK);
      const host = new HostC2c(h, keys);
      const cgmi = await host.sendWire(host.frames('AT+CGMI\r'));
      assert.equal(cgmi.text, answer('u-blox'));
      assert.equal(cgmi.raw[0], 0xf9);
      assert.ok(!cgmi.raw.includes('u-blox'), 'nothing leaves in clear');
      // The same command framed as V2 with the same key does not pass the V1 hash: dropped, no answer.
      const v2 = new HostC2c(h, { ...keys, version: 2, hmacKey: Buffer.alloc(16, 1) });
      assert.equal((await v2.sendWire(v2.frames('AT+CGMI\r'))).raw.length, 0);
      assert.equal(await host.at(`AT+USECC2C=2,"${TE_SECRET}"`), OK);
      assert.equal(await at(h, 'AT'), OK);
      assert.equal(host.decoder.stats.dropped.mac + host.decoder.stats.dropped.fcs, 0);
    } finally {
      await h.close();
    }
  });

  it('drops tampered, truncated and wrong-key frames, counts and logs them, and keeps the session', async () => {
    const logs: string[] = [];
    const h = await ublox({ registered: false, log: (m) => logs.push(m) });
    try {
      const keys = await pairAndConfirm(h);
      assert.equal(await at(h, `AT+USECC2C=1,"${TE_SECRET}"`), OK);
      const host = new HostC2c(h, keys);
      const tampered = host.frames('AT+CGMI\r');
      tampered[10]! ^= 0x01;
      assert.equal((await host.sendWire(tampered)).raw.length, 0);
      const truncated = host.frames('AT+CGMI\r').subarray(0, 30);
      const wrongKey = encodeC2cFrame(encryptBody({ ...keys, hmacKey: Buffer.alloc(16, 7) }, Buffer.from('AT+CGMI\r')));
      assert.equal((await host.sendWire(wrongKey)).raw.length, 0);
      // The truncated frame swallows bytes of the next one until its FCS fails; the decoder
      // then resynchronises after the bad frame's flag and finds both frames behind it.
      assert.equal(
        (await host.sendWire(Buffer.concat([truncated, host.frames('AT+CGMI\r'), host.frames('AT+CGMM\r')]))).text,
        answer('u-blox') + answer('SARA-R510M8S'),
      );
      assert.equal(await host.at('AT+CGMI'), answer('u-blox'));
      // A replayed frame is accepted: the protocol has no counter (ubxlib issue #220).
      const frame = host.frames('AT+CGMI\r');
      assert.equal((await host.sendWire(frame)).text, answer('u-blox'));
      assert.equal((await host.sendWire(frame)).text, answer('u-blox'));
      assert.ok(logs.filter((l) => l.startsWith('c2c: dropped a frame')).length >= 3);
    } finally {
      await h.close();
    }
  });

  it('V2 needs the confirmation before the first open; a wrong one is refused and changes nothing', async () => {
    const h = await module();
    try {
      const { keys, tag } = keysFrom(await at(h, `AT+USECC2C=0,"${TE_SECRET}"`), TE_SECRET);
      assert.equal(await at(h, `AT+USECC2C=1,"${TE_SECRET}"`), cmeError(3));
      const wrong = encryptConfirmation(keys, Buffer.alloc(16)).toString('hex');
      assert.equal(await at(h, `AT+USECC2C=4,"${TE_SECRET}","${wrong}"`), cmeError(50));
      assert.equal(await at(h, `AT+USECC2C=1,"${TE_SECRET}"`), cmeError(3));
      assert.equal(await at(h, `AT+USECC2C=4,"${TE_SECRET}","${encryptConfirmation(keys, tag!).toString('hex')}"`), OK);
      assert.equal(await at(h, `AT+USECC2C=4,"${TE_SECRET}","${encryptConfirmation(keys, tag!).toString('hex')}"`), cmeError(3));
      assert.equal(await at(h, `AT+USECC2C=1,"${TE_SECRET}"`), OK);
    } finally {
      await h.close();
    }
  });

  it('refuses malformed parameters, unknown secrets, a second pairing of the same secret before bootstrap, and close outside a session', async () => {
    const h = await module();
    try {
      assert.equal(await at(h, 'AT+USECC2C=0,"A0324CFF"'), cmeError(50));
      assert.equal(await at(h, 'AT+USECC2C=0,"Z0324CFF236F458048656C6C6F6F497D"'), cmeError(50));
      assert.equal(await at(h, 'AT+USECC2C=5,"A0324CFF236F458048656C6C6F6F497D"'), cmeError(50));
      assert.equal(await at(h, `AT+USECC2C=1,"${TE_SECRET}"`), cmeError(50));
      assert.equal(await at(h, 'AT+USECC2C=2'), cmeError(3));
      assert.equal(await at(h, 'AT+USECC2C=3'), cmeError(3));
      assert.equal(h.module.services.c2c!.count, 0);
      await pairAndConfirm(h);
      assert.equal(await at(h, `AT+USECC2C=0,"${TE_SECRET}"`), cmeError(3));
      assert.equal(h.module.services.c2c!.count, 1);
    } finally {
      await h.close();
    }
  });

  it('keeps up to 8 pairings; the ninth is refused (memory full)', async () => {
    const h = await module();
    try {
      for (let i = 0; i < 8; i++) assert.match(await at(h, `AT+USECC2C=0,"${i.toString(16).padStart(32, '0')}"`), /\+USECC2C: 0,0,/);
      assert.equal(await at(h, `AT+USECC2C=0,"${TE_SECRET}"`), cmeError(20));
      assert.equal(h.module.services.c2c!.count, 8);
    } finally {
      await h.close();
    }
  });

  it('follows the bootstrap state: registered but not claimed refuses; claimed needs C2C (and LocalC2CKeyPairing to pair, which may then replace)', async () => {
    const h = await module();
    try {
      const keys = await pairAndConfirm(h);
      h.module.services.security.update((r) => void (r.bootstrapped = true));
      assert.equal(await at(h, `AT+USECC2C=0,"${'1'.repeat(32)}"`), cmeError(3));
      assert.equal(await at(h, `AT+USECC2C=1,"${TE_SECRET}"`), cmeError(3));
      seal(h, []);
      assert.equal(await at(h, `AT+USECC2C=1,"${TE_SECRET}"`), cmeError(3));
      assert.equal(await at(h, `AT+USECC2C=0,"${TE_SECRET}"`), cmeError(3));
      seal(h, ['C2C']);
      assert.equal(await at(h, `AT+USECC2C=0,"${TE_SECRET}"`), cmeError(3));
      assert.equal(await at(h, `AT+USECC2C=1,"${TE_SECRET}"`), OK);
      const host = new HostC2c(h, keys);
      assert.equal(await host.at('AT+USECC2C=2'), OK);
      seal(h, ['C2C', 'LocalC2CKeyPairing']);
      const again = keysFrom(await at(h, `AT+USECC2C=0,"${TE_SECRET}"`), TE_SECRET);
      assert.notDeepEqual(again.keys.encKey, keys.encKey, 'a re-pairing gives a new key');
      assert.equal(h.module.services.c2c!.count, 1);
    } finally {
      await h.close();
    }
  });

  it('allows 100 opens and closes before bootstrap, then refuses opens (grace period)', async () => {
    const h = await module();
    try {
      const host = new HostC2c(h, await pairAndConfirm(h));
      for (let i = 0; i < 50; i++) {
        assert.equal(await at(h, `AT+USECC2C=1,"${TE_SECRET}"`), OK);
        assert.equal(await host.at('AT+USECC2C=2'), OK);
      }
      assert.deepEqual(h.module.services.c2c!.grace.openClose, 0);
      assert.equal(await at(h, `AT+USECC2C=1,"${TE_SECRET}"`), cmeError(3));
    } finally {
      await h.close();
    }
  });

  it('rekeys inside the session: new keys answered framed, the session closes, V2 confirms again', async () => {
    const h = await module();
    try {
      const old = await pairAndConfirm(h);
      assert.equal(await at(h, `AT+USECC2C=1,"${TE_SECRET}"`), OK);
      const inside = await new HostC2c(h, old).at('AT+USECC2C=3');
      const next = keysFrom(inside, TE_SECRET);
      assert.notDeepEqual(next.keys.encKey, old.encKey);
      assert.equal(await at(h, 'AT'), OK);
      assert.equal(await at(h, `AT+USECC2C=1,"${TE_SECRET}"`), cmeError(3));
      assert.equal(await at(h, `AT+USECC2C=4,"${TE_SECRET}","${encryptConfirmation(next.keys, next.tag!).toString('hex')}"`), OK);
      assert.equal(await at(h, `AT+USECC2C=1,"${TE_SECRET}"`), OK);
      assert.equal(await new HostC2c(h, next.keys).at('AT+CGMI'), answer('u-blox'));
    } finally {
      await h.close();
    }
  });

  it('ends the session at power-off: after a reboot the terminal speaks plain AT', async () => {
    const h = await module();
    try {
      const host = new HostC2c(h, await pairAndConfirm(h));
      assert.equal(await at(h, `AT+USECC2C=1,"${TE_SECRET}"`), OK);
      assert.equal(await host.at('AT+CFUN=16'), OK);
      await h.advance(h.module.model.timing.rebootMs + 10);
      assert.equal(await at(h, 'ATE0'), 'ATE0\r' + OK);
      assert.equal(await at(h, 'AT'), OK);
    } finally {
      await h.close();
    }
  });

  it('refuses +CMUX inside a session; a product without C2C answers ERROR', async () => {
    const h = await module();
    try {
      const host = new HostC2c(h, await pairAndConfirm(h));
      assert.equal(await at(h, `AT+USECC2C=1,"${TE_SECRET}"`), OK);
      assert.equal(await host.at('AT+CMUX=0'), cmeError(3));
    } finally {
      await h.close();
    }
    const r4 = await ublox({ model: 'sara-r410m', registered: false });
    try {
      assert.equal(await at(r4, `AT+USECC2C=0,"${TE_SECRET}"`), ERROR);
    } finally {
      await r4.close();
    }
  });
});
