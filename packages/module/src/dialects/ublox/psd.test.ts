import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModuleHarness } from '../../testing/harness.js';
import { answer, at, cmeError, OK, REGISTRATION_MS, ublox, urc } from './ublox.testutil.js';

/** What the terminal writes for `command` with echo on. */
const echoed = (command: string, reply: string): string => `${command}\r${reply}`;

describe('u-blox PSD profiles', () => {
  it('runs the seed 2.3 sequence byte for byte (SARA-R5, echo on)', async () => {
    const h = await ModuleHarness.create();
    const step = async (command: string, reply: string) => assert.equal(await at(h, command), echoed(command, reply), command);
    await step('AT+CFUN=0', OK);
    await step('AT+UMNOPROF=100', OK);
    await step('AT+CFUN=16', OK);
    await h.advance(3000);
    await step('AT+UMNOPROF?', answer('+UMNOPROF: 100'));
    await step('AT+CFUN=0', OK);
    await step('AT+CGDCONT=1,"IPV4V6","apn_name"', OK);
    await step('AT+CFUN=1', OK);
    assert.equal(await h.advance(REGISTRATION_MS), '');
    await step('AT+COPS?', answer('+COPS: 0,0,"Nutaq Cat-M1 Network",7'));
    await step('AT+CGDCONT?', answer('+CGDCONT: 1,"IP","apn_name","100.108.232.233",0,0,0,0,0,0'));
    await step('AT+CGACT=1,1', OK);
    await step('AT+CGDCONT?', answer('+CGDCONT: 1,"IP","apn_name","100.108.232.233",0,0,0,0,0,0'));
    await step('AT+UPSD=0,0,0', OK);
    await step('AT+UPSD=0,100,1', OK);
    await step('AT+UPSDA=0,3', OK + urc('+UUPSDA: 0,"100.108.232.233"'));
    await h.close();
  });

  it('refuses a profile type that does not match the assigned one (seed 2.3.1)', async () => {
    const h = await ublox();
    await at(h, 'AT+UPSD=0,100,1');
    assert.equal(await at(h, 'AT+UPSD=0,0,2'), OK);
    await at(h, 'AT+CMEE=2');
    assert.equal(await at(h, 'AT+UPSDA=0,3'), cmeError('IP type configuration mismatch'));
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+UPSDA=0,3'), cmeError(4001));
    assert.equal(await at(h, 'AT+UPSD=0,0,1'), OK);
    assert.equal(await at(h, 'AT+UPSDA=0,3'), cmeError(4001));
    assert.equal(await at(h, 'AT+UPSND=0,8'), answer('+UPSND: 0,8,0'));
    assert.equal(await at(h, 'AT+UPSD=0,0,0'), OK);
    assert.equal(await at(h, 'AT+UPSDA=0,3'), OK + urc('+UUPSDA: 0,"100.108.232.233"'));
    await h.close();
  });

  it('maps IPV4V6 contexts onto dual-stack profiles', async () => {
    const h = await ublox({ network: { ipv4v6Grant: 'IPV4V6' } });
    assert.equal(await at(h, 'AT+UPSDA=0,3'), OK + urc('+UUPSDA: 0,"100.108.232.233"'), 'the default profile type is 2');
    assert.equal(await at(h, 'AT+UPSDA=0,4'), OK + urc('+UUPSDD: 0'));
    assert.equal(await at(h, 'AT+UPSD=0,0,3'), OK);
    assert.equal(await at(h, 'AT+UPSDA=0,3'), OK + urc('+UUPSDA: 0,"2001:db8:100:0:0:0:0:1"'));
    await h.close();
  });

  it('reads one parameter or the whole profile', async () => {
    const h = await ublox({ registered: false });
    assert.equal(
      await at(h, 'AT+UPSD=0'),
      answer('+UPSD: 0,0,2', '+UPSD: 0,1,""', '+UPSD: 0,2,""', '+UPSD: 0,4,"0.0.0.0"', '+UPSD: 0,5,"0.0.0.0"', '+UPSD: 0,6,0', '+UPSD: 0,7,"0.0.0.0"', '+UPSD: 0,100,1'),
    );
    assert.equal(await at(h, 'AT+UPSD=1,1,"my.apn"'), OK);
    assert.equal(await at(h, 'AT+UPSD=1,3,"secret"'), OK);
    assert.equal(await at(h, 'AT+UPSD=1,4,"9.9.9.9"'), OK);
    assert.equal(await at(h, 'AT+UPSD=1,1'), answer('+UPSD: 1,1,"my.apn"'));
    assert.equal(await at(h, 'AT+UPSD=1,3'), answer('+UPSD: 1,3,""'));
    assert.equal(await at(h, 'AT+UPSD=1,4'), answer('+UPSD: 1,4,"9.9.9.9"'));
    assert.equal(await at(h, 'AT+UPSD=?'), answer('+UPSD: (0-6),0,(0-3)', '+UPSD: (0-6),1,"APN"', '+UPSD: (0-6),100,(1-8)'));
    await h.close();
  });

  it('rejects bad +UPSD parameters and keeps the profile', async () => {
    const h = await ublox({ registered: false });
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+UPSD=7,0,0'), cmeError(50));
    assert.equal(await at(h, 'AT+UPSD=0,0,4'), cmeError(50));
    assert.equal(await at(h, 'AT+UPSD=0,100,9'), cmeError(50));
    assert.equal(await at(h, 'AT+UPSD=0,100,0'), cmeError(50));
    assert.equal(await at(h, 'AT+UPSD=0,99,1'), cmeError(50));
    assert.equal(await at(h, 'AT+UPSD=0,1,5'), cmeError(50));
    assert.equal(await at(h, 'AT+UPSD=0,4,"dns"'), cmeError(50));
    assert.equal(await at(h, 'AT+UPSD=0,0,"0"'), cmeError(50));
    assert.equal(await at(h, 'AT+UPSD=0,0,0,1'), cmeError(50));
    assert.equal(await at(h, 'AT+UPSD=0,,0'), cmeError(50));
    assert.equal(await at(h, 'AT+UPSD=0,0'), answer('+UPSD: 0,0,2'));
    assert.equal(await at(h, 'AT+UPSD=0,100'), answer('+UPSD: 0,100,1'));
    await h.close();
  });

  it('resets, stores and loads profiles; the stored one comes back after a reboot', async () => {
    const h = await ublox({ registered: false });
    await at(h, 'AT+UPSD=0,0,0');
    await at(h, 'AT+UPSD=0,100,2');
    assert.equal(await at(h, 'AT+UPSDA=0,1'), OK);
    await at(h, 'AT+UPSD=0,100,3');
    assert.equal(await at(h, 'AT+UPSDA=0,2'), OK);
    assert.equal(await at(h, 'AT+UPSD=0,100'), answer('+UPSD: 0,100,2'));
    assert.equal(await at(h, 'AT+UPSDA=0,0'), OK);
    assert.equal(await at(h, 'AT+UPSD=0,0'), answer('+UPSD: 0,0,2'));
    await at(h, 'AT+CFUN=16');
    await h.advance(3000);
    await at(h, 'ATE0');
    assert.equal(await at(h, 'AT+UPSD=0,100'), answer('+UPSD: 0,100,2'));
    assert.equal(await at(h, 'AT+UPSDA=?'), answer('+UPSDA: (0-6),(0-4)'));
    await h.close();
  });

  it('allows one active profile and refuses what cannot be done', async () => {
    const h = await ublox({ registered: false });
    await at(h, 'AT+CMEE=1');
    await at(h, 'AT+UPSD=0,0,0');
    await at(h, 'AT+UPSD=1,0,0');
    assert.equal(await at(h, 'AT+UPSDA=0,3'), cmeError(30), 'not registered');
    await h.advance(REGISTRATION_MS);
    assert.equal(await at(h, 'AT+UPSDA=0,4'), cmeError(3), 'not active');
    assert.equal(await at(h, 'AT+UPSDA=0,3'), OK + urc('+UUPSDA: 0,"100.108.232.233"'));
    assert.equal(await at(h, 'AT+UPSDA=0,3'), cmeError(3));
    assert.equal(await at(h, 'AT+UPSDA=1,3'), cmeError(3));
    assert.equal(await at(h, 'AT+UPSDA=0,5'), cmeError(50));
    assert.equal(await at(h, 'AT+UPSDA=0,4'), OK + urc('+UUPSDD: 0'));
    assert.equal(await at(h, 'AT+CGACT?'), answer('+CGACT: 1,1'), 'the default bearer stays');
    assert.equal(await at(h, 'AT+UPSDA=1,3'), OK + urc('+UUPSDA: 0,"100.108.232.233"'));
    await h.close();
  });

  it('reports profile addresses and status with +UPSND', async () => {
    const h = await ublox();
    assert.equal(await at(h, 'AT+UPSND=0,0'), answer('+UPSND: 0,0,""'));
    assert.equal(await at(h, 'AT+UPSND=0,8'), answer('+UPSND: 0,8,0'));
    await at(h, 'AT+UPSD=0,0,0');
    await at(h, 'AT+UPSDA=0,3');
    assert.equal(await at(h, 'AT+UPSND=0,0'), answer('+UPSND: 0,0,"100.108.232.233"'));
    assert.equal(await at(h, 'AT+UPSND=0,1'), answer('+UPSND: 0,1,"8.8.8.8"'));
    assert.equal(await at(h, 'AT+UPSND=0,2'), answer('+UPSND: 0,2,"8.8.4.4"'));
    assert.equal(await at(h, 'AT+UPSND=0,8'), answer('+UPSND: 0,8,1'));
    assert.equal(await at(h, 'AT+UPSND=?'), answer('+UPSND: (0-6),(0-2,8)'));
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+UPSND=0,3'), cmeError(50));
    await h.close();
  });

  it('reports the profile lost with coverage, and when its context is deactivated', async () => {
    const h = await ublox();
    await at(h, 'AT+CEREG=1');
    await at(h, 'AT+UPSD=0,0,0');
    await at(h, 'AT+UPSDA=0,3');
    h.module.services.network.setCoverage(false);
    assert.equal(await h.advance(0), urc('+CEREG: 2', '+UUPSDD: 0'));
    assert.equal(await at(h, 'AT+UPSND=0,8'), answer('+UPSND: 0,8,0'));
    h.module.services.network.setCoverage(true);
    assert.equal(await h.advance(REGISTRATION_MS), urc('+CEREG: 1'));
    assert.equal(await at(h, 'AT+UPSDA=0,3'), OK + urc('+UUPSDA: 0,"100.108.232.233"'));
    assert.equal(await at(h, 'AT+CGACT=0,1'), OK + urc('+UUPSDD: 0'));
    await h.close();
  });
});
