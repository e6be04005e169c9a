/**
 * Issue 12 audit: the factory profile read back op by op, and bad input on every op of +UMQTT,
 * +UMQTTNV and +UMQTTC — each gets the documented error, changes nothing that can be read back,
 * and leaves a live session usable (no crash, no stuck operation).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import mqttjs from 'mqtt';
import type { ModuleHarness } from '../../testing/harness.js';
import { startMosquitto } from '../../testing/mosquitto.js';
import { answer, at, cmeError, OK, ublox, urc } from './ublox.testutil.js';
import { atUntilLine, readOps, refusals } from './bad-input.testutil.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function module(): Promise<ModuleHarness> {
  const h = await ublox();
  cleanups.push(() => h.close());
  assert.equal(await at(h, 'AT+CMEE=2'), OK);
  return h;
}

const PROFILE_OPS = [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12];

const readProfile = (h: ModuleHarness): Promise<string[]> => readOps(h, 'AT+UMQTT', PROFILE_OPS);

const NOT_ALLOWED = cmeError('operation not allowed');

describe('u-blox +UMQTT: factory profile and bad input on every op', () => {
  it('factory profile: every op reads its default', async () => {
    const h = await module();
    assert.deepEqual(await readProfile(h), [
      answer('+UMQTT: 0,""'),
      answer('+UMQTT: 1,1883'),
      answer('+UMQTT: 2,"",1883'),
      answer('+UMQTT: 3,"",1883'),
      answer('+UMQTT: 4,""'),
      answer('+UMQTT: 6,0'),
      answer('+UMQTT: 7,0'),
      answer('+UMQTT: 8,""'),
      answer('+UMQTT: 9,""'),
      answer('+UMQTT: 10,0'),
      answer('+UMQTT: 11,0'),
      answer('+UMQTT: 12,1'),
    ]);
    // Secure without a port set moves the default port to 8883.
    assert.equal(await at(h, 'AT+UMQTT=11,1'), OK);
    assert.equal(await at(h, 'AT+UMQTT=1'), answer('+UMQTT: 1,8883'));
  });

  it('+UMQTT and +UMQTTNV: every op refuses bad values with "Incorrect parameters" and the profile reads back unchanged', async () => {
    const h = await module();
    for (const set of ['AT+UMQTT=0,"dev"', 'AT+UMQTT=2,"broker.lab",1884', 'AT+UMQTT=4,"u","p"', 'AT+UMQTT=6,1', 'AT+UMQTT=7,1', 'AT+UMQTT=8,"w/t"', 'AT+UMQTT=9,"bye"', 'AT+UMQTT=10,30', 'AT+UMQTT=11,1,1', 'AT+UMQTT=12,0']) {
      assert.equal(await at(h, set), OK, set);
    }
    const before = await readProfile(h);
    const bad: string[] = [
      'AT+UMQTT', 'AT+UMQTT=', 'AT+UMQTT=-1', 'AT+UMQTT=5', 'AT+UMQTT=13', 'AT+UMQTT=x', 'AT+UMQTT="0"',
      `AT+UMQTT=0,"${'c'.repeat(257)}"`, 'AT+UMQTT=0,"a","b"',
      'AT+UMQTT=1,0', 'AT+UMQTT=1,65536', 'AT+UMQTT=1,"1883"', 'AT+UMQTT=1,1883,1',
      `AT+UMQTT=2,"${'h'.repeat(129)}"`, 'AT+UMQTT=2,"h",0', 'AT+UMQTT=2,"h",70000',
      'AT+UMQTT=3,"1.2.3"', 'AT+UMQTT=3,"host.name"', 'AT+UMQTT=3,"1.2.3.4",0',
      `AT+UMQTT=4,"${'u'.repeat(257)}"`, `AT+UMQTT=4,"u","${'p'.repeat(257)}"`,
      'AT+UMQTT=6,3', 'AT+UMQTT=6,-1', 'AT+UMQTT=7,2', `AT+UMQTT=8,"${'t'.repeat(257)}"`,
      'AT+UMQTT=9,"4G",1', 'AT+UMQTT=9,"414",1', 'AT+UMQTT=9,"41",2', `AT+UMQTT=9,"${'41'.repeat(257)}",1`,
      'AT+UMQTT=10,-1', 'AT+UMQTT=10,"x"', 'AT+UMQTT=11,2', 'AT+UMQTT=11,0,1', 'AT+UMQTT=11,1,99', 'AT+UMQTT=12,2',
      'AT+UMQTTNV', 'AT+UMQTTNV=3', 'AT+UMQTTNV=-1', 'AT+UMQTTNV=1,1', 'AT+UMQTTNV="2"',
    ];
    assert.deepEqual(await refusals(h, bad, /^AT\+UMQTT(NV|C)?$/), []);
    assert.deepEqual(await readProfile(h), before);
    // Nothing was stored to NVM by a refused +UMQTTNV either: the factory profile is what loads.
    assert.equal(await at(h, 'AT+UMQTTNV=1'), OK);
    assert.equal(await at(h, 'AT+UMQTT=0'), answer('+UMQTT: 0,""'));
  });
});

describe('u-blox +UMQTTC: bad input on every op, before and during a session', () => {
  it('documented error, the session and its unread message unchanged, +UMQTTER unchanged, the next command works', async () => {
    const b = await startMosquitto();
    cleanups.push(() => b.stop());
    const h = await module();
    const noSession = [
      'AT+UMQTTC=0', 'AT+UMQTTC=2,0,0,0,"t","m"', 'AT+UMQTTC=4,0,"t"', 'AT+UMQTTC=5,"t"', 'AT+UMQTTC=8,1', 'AT+UMQTTC=9,0,0,"t",1',
    ];
    for (const line of noSession) assert.equal(await at(h, line), NOT_ALLOWED, line);
    assert.equal(await at(h, 'AT+UMQTTC=1'), NOT_ALLOWED); // no broker yet
    assert.equal(await at(h, 'AT+UMQTTER'), answer('+UMQTTER: 0,0'));

    assert.equal(await at(h, 'AT+UMQTT=0,"bad-input"'), OK);
    assert.equal(await at(h, `AT+UMQTT=3,"127.0.0.1",${b.port}`), OK);
    assert.equal(await atUntilLine(h, 'AT+UMQTTC=1', '+UUMQTTC: 1,'), OK + urc('+UUMQTTC: 1,1'));
    assert.equal(await atUntilLine(h, 'AT+UMQTTC=4,1,"bad/in"', '+UUMQTTC: 4,'), OK + urc('+UUMQTTC: 4,1,1,"bad/in"'));
    const peer = mqttjs.connect({ host: '127.0.0.1', port: b.port, reconnectPeriod: 0 });
    cleanups.push(() => peer.endAsync(true));
    await new Promise<void>((resolve, reject) => peer.once('connect', () => resolve()).once('error', reject));
    const unread = h.waitFor('+UUMQTTC: 6,1\r\n');
    await peer.publishAsync('bad/in', 'kept', { qos: 1 });
    await unread;
    h.take();

    const bad: string[] = [
      'AT+UMQTTC', 'AT+UMQTTC=', 'AT+UMQTTC=7', 'AT+UMQTTC=10', 'AT+UMQTTC=-1', 'AT+UMQTTC=x',
      'AT+UMQTTC=0,1', 'AT+UMQTTC=1,1',
      'AT+UMQTTC=2', 'AT+UMQTTC=2,3,0,0,"t","m"', 'AT+UMQTTC=2,0,2,0,"t","m"', 'AT+UMQTTC=2,0,0,2,"t","m"', 'AT+UMQTTC=2,0,0,0,"","m"',
      'AT+UMQTTC=2,0,0,1,"t","4"', 'AT+UMQTTC=2,0,0,1,"t","zz"', `AT+UMQTTC=2,0,0,0,"t","${'m'.repeat(1025)}"`, `AT+UMQTTC=2,0,0,1,"t","${'00'.repeat(513)}"`,
      `AT+UMQTTC=2,0,0,0,"${'t'.repeat(257)}","m"`, 'AT+UMQTTC=2,0,0,0,"t"',
      'AT+UMQTTC=3,0,0,"t","no-such-file"', 'AT+UMQTTC=3,3,0,"t","f"',
      'AT+UMQTTC=4', 'AT+UMQTTC=4,3,"t"', 'AT+UMQTTC=4,0,""', `AT+UMQTTC=4,0,"${'t'.repeat(257)}"`,
      'AT+UMQTTC=5', 'AT+UMQTTC=5,""', `AT+UMQTTC=5,"${'t'.repeat(257)}"`,
      'AT+UMQTTC=6,2', 'AT+UMQTTC=6,-1',
      'AT+UMQTTC=8', 'AT+UMQTTC=8,2',
      'AT+UMQTTC=9', 'AT+UMQTTC=9,3,0,"t",1', 'AT+UMQTTC=9,0,2,"t",1', 'AT+UMQTTC=9,0,0,"t",0', 'AT+UMQTTC=9,0,0,"t",1025', 'AT+UMQTTC=9,0,0,"",1',
    ];
    assert.deepEqual(await refusals(h, bad, /^AT\+UMQTT(NV|C)?$/), []);
    // Pings need a keep-alive period: refused as not allowed, nothing changed.
    assert.equal(await at(h, 'AT+UMQTTC=8,1'), NOT_ALLOWED);
    // No URC came from any of them, the session is up, the message still waits, the last error is unchanged.
    assert.equal(h.take(), '');
    assert.equal(h.module.services.mqtt.connected, true);
    assert.equal(await at(h, 'AT+UMQTTER'), answer('+UMQTTER: 0,0'));
    assert.equal(await at(h, 'AT+UMQTTC=6'), answer('+UMQTTC: 6,1,10,6,"bad/in",4,"kept"'));
    assert.equal(await atUntilLine(h, 'AT+UMQTTC=2,1,0,0,"bad/out","ok"', '+UUMQTTC: 2,'), OK + urc('+UUMQTTC: 2,1'));
    assert.equal(await atUntilLine(h, 'AT+UMQTTC=0', '+UUMQTTC: 0,'), OK + urc('+UUMQTTC: 0,1'));
  });
});
