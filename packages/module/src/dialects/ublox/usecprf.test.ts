import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModuleHarness } from '../../testing/harness.js';
import { answer, at, cmeError, ERROR, OK, ublox, urc } from './ublox.testutil.js';
import { formatList } from './usecprf.js';

/** Sends each command and asserts the exact answer. */
async function expectAll(h: ModuleHarness, steps: [string, string][]): Promise<void> {
  for (const [command, reply] of steps) assert.equal(await at(h, command), reply, command);
}

const read = (p: number, op: number, value: string): [string, string] => [`AT+USECPRF=${p},${op}`, answer(`+USECPRF: ${p},${op},${value}`)];

/** Every op's factory read of profile p (op 13 by tag). */
const factoryReads = (p: number): [string, string][] => [
  read(p, 0, '1'),
  read(p, 1, '0'),
  read(p, 2, '0'),
  read(p, 3, '""'),
  read(p, 4, '""'),
  read(p, 5, '""'),
  read(p, 6, '""'),
  read(p, 7, '""'),
  read(p, 8, '""'),
  read(p, 9, '""'),
  read(p, 10, '""'),
  read(p, 11, '0'),
  read(p, 12, '"",0'),
  [`AT+USECPRF=${p},13,0`, answer(`+USECPRF: ${p},13,0,0`)],
  [`AT+USECPRF=${p},13,1`, answer(`+USECPRF: ${p},13,1,0`)],
  [`AT+USECPRF=${p},13,2`, answer(`+USECPRF: ${p},13,2,"",""`)],
  [`AT+USECPRF=${p},13,3`, answer(`+USECPRF: ${p},13,3,"",0`)],
  [`AT+USECPRF=${p},13,5`, answer(`+USECPRF: ${p},13,5,"",0`)],
  read(p, 14, '0'),
  read(p, 15, '""'),
  read(p, 16, '0'),
];

describe('u-blox +USECPRF', () => {
  it('answers the test form and reads factory values for every op code', async () => {
    const h = await ublox({ registered: false });
    await expectAll(h, [['AT+USECPRF=?', answer('+USECPRF: (0-4),(0-16)')], ...factoryReads(4)]);
    await h.close();
  });

  it('sets and reads back every op code with the seed examples', async () => {
    const h = await ublox({ registered: false });
    await expectAll(h, [
      ['AT+USECPRF=0,0,2', OK],
      read(0, 0, '2'),
      ['AT+USECPRF=0,1,4', OK],
      read(0, 1, '4'),
      ['AT+USECPRF=0,2,2', OK],
      read(0, 2, '2'),
      ['AT+USECPRF=0,3,"ca_iname"', OK],
      read(0, 3, '"ca_iname"'),
      ['AT+USECPRF=0,4,"server_hostname"', OK],
      read(0, 4, '"server_hostname"'),
      ['AT+USECPRF=0,5,"cc_iname"', OK],
      read(0, 5, '"cc_iname"'),
      ['AT+USECPRF=0,6,"pk_iname"', OK],
      read(0, 6, '"pk_iname"'),
      ['AT+USECPRF=0,7,"xxxxx"', OK],
      read(0, 7, '""'),
      ['AT+USECPRF=0,8,"0sFpZ0AZqE0N6Ti9s0qt40ZP5Eqx"', OK],
      read(0, 8, '""'),
      ['AT+USECPRF=0,9,"0ceEZ0AZqP0K60i9o04xz0ZP8zyu0Eqx"', OK],
      read(0, 9, '"0ceEZ0AZqP0K60i9o04xz0ZP8zyu0Eqx"'),
      ['AT+USECPRF=0,10,"server_sni"', OK],
      read(0, 10, '"server_sni"'),
      // The RoT PSK needs a sealed device with the PSK feature (sec-keys.test.ts): not this one.
      ['AT+USECPRF=0,11,1', ERROR],
      read(0, 11, '0'),
      ['AT+USECPRF=0,11,0', OK],
      ['AT+USECPRF=0,12,"my_srv_cert",0', OK],
      read(0, 12, '"my_srv_cert",0'),
      ['AT+USECPRF=0,14,2', OK],
      read(0, 14, '2'),
      ['AT+USECPRF=0,15,"FTP"', OK],
      read(0, 15, '"FTP"'),
      ['AT+USECPRF=0,16,2', OK],
      read(0, 16, '2'),
      // Other profiles are untouched.
      read(1, 3, '""'),
    ]);
    await h.close();
  });

  it('configures cipher suites by legacy number, one IANA code or an IANA list', async () => {
    const h = await ublox({ registered: false });
    await expectAll(h, [
      ['AT+USECPRF=0,2,99,"C0","2B"', OK],
      read(0, 2, '99,"C0","2B"'),
      ['AT+USECPRF=0,2,99,"c0","2f"', OK],
      read(0, 2, '99,"C0","2F"'),
      ['AT+USECPRF=0,2,100,"C0","2A",0', OK],
      read(0, 2, '100,"C02A"'),
      ['AT+USECPRF=0,2,100,"C0","2C",0', OK],
      ['AT+USECPRF=0,2,100,"C0","2B",0', OK],
      ['AT+USECPRF=0,2,100,"C0","2B",0', OK],
      read(0, 2, '100,"C02A;C02C;C02B"'),
      ['AT+USECPRF=0,2,100,"C0","2B",1', OK],
      read(0, 2, '100,"C02A;C02C"'),
      ['AT+USECPRF=0,2,100,"13","01",1', OK],
      read(0, 2, '100,"C02A;C02C"'),
      ['AT+USECPRF=0,2,100,"C0","2A",1', OK],
      ['AT+USECPRF=0,2,100,"C0","2C",1', OK],
      read(0, 2, '0'),
      // Suites the emulator cannot run are accepted, as the module accepts them.
      ['AT+USECPRF=0,2,5', OK],
      read(0, 2, '5'),
      ['AT+USECPRF=0,2,99,"C0","11"', OK],
      ['AT+USECPRF=0,2,33', OK],
      read(0, 2, '33'),
      ['AT+USECPRF=0,2,0', OK],
      read(0, 2, '0'),
    ]);
    await h.close();
  });

  it('refuses bad values with +CME ERROR: 50 and keeps the profile', async () => {
    const h = await ublox({ registered: false });
    await at(h, 'AT+CMEE=1');
    await expectAll(h, [
      ['AT+USECPRF=0,0,3', OK],
      ['AT+USECPRF=0,2,99,"C0","2B"', OK],
      ['AT+USECPRF=0,3,"ca"', OK],
    ]);
    const bad = [
      'AT+USECPRF=5',
      'AT+USECPRF=5,0,1',
      'AT+USECPRF=0,17,1',
      'AT+USECPRF=0,',
      'AT+USECPRF=0,0,4',
      'AT+USECPRF=0,0,"1"',
      'AT+USECPRF=0,0,1,1',
      'AT+USECPRF=0,1,5',
      'AT+USECPRF=0,2,34',
      'AT+USECPRF=0,2,98',
      'AT+USECPRF=0,2,99',
      'AT+USECPRF=0,2,99,"C0"',
      'AT+USECPRF=0,2,99,"C0","FF"',
      'AT+USECPRF=0,2,99,"C0","2"',
      'AT+USECPRF=0,2,99,C0,2B',
      'AT+USECPRF=0,2,99,"C0","2B",0',
      'AT+USECPRF=0,2,100,"C0","2B"',
      'AT+USECPRF=0,2,100,"C0","2B",2',
      'AT+USECPRF=0,2,1,"00"',
      `AT+USECPRF=0,3,"${'n'.repeat(201)}"`,
      'AT+USECPRF=0,3,ca',
      `AT+USECPRF=0,4,"${'h'.repeat(257)}"`,
      `AT+USECPRF=0,7,"${'p'.repeat(129)}"`,
      `AT+USECPRF=0,8,"${'k'.repeat(65)}"`,
      `AT+USECPRF=0,8,"${'a'.repeat(130)}",1`,
      'AT+USECPRF=0,8,"abc",1',
      'AT+USECPRF=0,8,"zz",1',
      'AT+USECPRF=0,8,"key",2',
      `AT+USECPRF=0,9,"${'i'.repeat(129)}"`,
      `AT+USECPRF=0,10,"${'s'.repeat(129)}"`,
      'AT+USECPRF=0,11,2',
      'AT+USECPRF=0,12,"cert"',
      'AT+USECPRF=0,12,"cert",3',
      'AT+USECPRF=0,13',
      'AT+USECPRF=0,13,4',
      'AT+USECPRF=0,13,4,1',
      'AT+USECPRF=0,13,0,3',
      'AT+USECPRF=0,13,1,2',
      `AT+USECPRF=0,13,2,"${'a'.repeat(45)}","b"`,
      'AT+USECPRF=0,13,2,"a"',
      'AT+USECPRF=0,13,3,"abcd",5',
      'AT+USECPRF=0,13,5,0',
      'AT+USECPRF=0,13,5,8193',
      'AT+USECPRF=0,14,3',
      `AT+USECPRF=0,15,"${'a'.repeat(256)}"`,
      'AT+USECPRF=0,16,3',
    ];
    for (const command of bad) assert.equal(await at(h, command), cmeError(50), command);
    await expectAll(h, [read(0, 0, '3'), read(0, 2, '99,"C0","2B"'), read(0, 3, '"ca"'), ...factoryReads(1).slice(3, 4)]);
    await h.close();
  });

  it('refuses session resumption with local encryption on a device not sealed (sec-keys.test.ts seals one) and keeps the state', async () => {
    const h = await ublox({ registered: false });
    await at(h, 'AT+CMEE=2');
    await expectAll(h, [
      ['AT+USECPRF=0,13,1,1', OK],
      ['AT+USECPRF=0,13,1,10', cmeError('operation not allowed')],
      ['AT+USECPRF=0,13,1,11', cmeError('operation not allowed')],
      ['AT+USECPRF=0,13,1,13', cmeError('operation not allowed')],
      ['AT+USECPRF=0,13,12,"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",44', cmeError('operation not allowed')],
      ['AT+USECPRF=0,13,13,"AAEC",4', cmeError('operation not allowed')],
      ['AT+USECPRF=0,13,15,2408', cmeError('operation not allowed')],
      ['AT+USECPRF=0,13,12', cmeError('operation not allowed')],
      ['AT+USECPRF=0,13,1', answer('+USECPRF: 0,13,1,1')],
    ]);
    await h.close();
  });

  it('takes session data on the command line (tags 2, 3) and after a prompt (tag 5)', async () => {
    const h = await ublox({ registered: false });
    const id = 'VWY5UENs0Hh3VWR1MjB2WTVMYVZ5TTdE0WpMeWZWeHo=';
    const secret = 'SHVSODByUit0My9OMEtIT2ZsVVFRcUsyTkdvaz0nWVFhRzdQZUpndG9IMzN4ZTBo';
    await expectAll(h, [
      ['AT+USECPRF=0,13,0,1', OK],
      ['AT+USECPRF=0,13,0', answer('+USECPRF: 0,13,0,1')],
      ['AT+USECPRF=0,13,1,0', OK],
      [`AT+USECPRF=0,13,2,"${id}","${secret}"`, OK],
      ['AT+USECPRF=0,13,2', answer(`+USECPRF: 0,13,2,"${id}","${secret}"`)],
      ['AT+USECPRF=0,13,3,"MIHOAgECAgMAzKgEMDZV",20', OK],
      ['AT+USECPRF=0,13,3', answer('+USECPRF: 0,13,3,"MIHOAgECAgMAzKgEMDZV",20')],
      ['AT+USECPRF=0,13,5,8', '\r\n>'],
    ]);
    assert.equal(await h.send('NjQwM0Iw'), OK);
    assert.equal(await at(h, 'AT+USECPRF=0,13,5'), answer('+USECPRF: 0,13,5,"NjQwM0Iw",8'));
    // Silence for the guard time aborts the prompt and keeps the old data.
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+USECPRF=0,13,5,8'), '\r\n>');
    assert.equal(await h.send('abc'), '');
    assert.equal(await h.advance(20_000), cmeError(1910));
    assert.equal(await at(h, 'AT+USECPRF=0,13,5'), answer('+USECPRF: 0,13,5,"NjQwM0Iw",8'));
    await h.close();
  });

  it('shows what a handshake learned as +UUSECPRF', async () => {
    const h = await ublox({ registered: false });
    const profiles = h.module.services.securityProfiles;
    profiles.sessionEstablished(0, { type: 0, sessionId: 'c2Vzc2lvbg==', masterSecret: 'bWFzdGVy' });
    assert.equal(await h.advance(0), urc('+UUSECPRF: 0,13,1,0', '+UUSECPRF: 0,13,2,"c2Vzc2lvbg==","bWFzdGVy"'));
    profiles.sessionEstablished(2, { type: 1, data: 'dGlja2V0' });
    assert.equal(await h.advance(0), urc('+UUSECPRF: 2,13,0,2'));
    assert.equal(await at(h, 'AT+USECPRF=2,13,3'), answer('+USECPRF: 2,13,3,"dGlja2V0",8'));
    assert.equal(await at(h, 'AT+USECPRF=2,13,0'), answer('+USECPRF: 2,13,0,2'));
    await h.close();
  });

  it('resets a profile, keeps profiles in NVM across a reboot and forgets session resumption', async () => {
    const h = await ublox({ registered: false });
    await expectAll(h, [
      ['AT+USECPRF=1,0,3', OK],
      ['AT+USECPRF=1,2,100,"C0","2F",0', OK],
      ['AT+USECPRF=1,8,"00ff",1', OK],
      ['AT+USECPRF=1,9,"6964",1', OK],
      ['AT+USECPRF=1,13,0,1', OK],
      ['AT+USECPRF=2,10,"sni.example"', OK],
    ]);
    await at(h, 'AT+CFUN=16');
    await h.advance(3000);
    await at(h, 'ATE0');
    await expectAll(h, [
      read(1, 0, '3'),
      read(1, 2, '100,"C02F"'),
      read(1, 9, '"6964",1'),
      ['AT+USECPRF=1,13,0', answer('+USECPRF: 1,13,0,0')],
      ['AT+USECPRF=1', OK],
      ...factoryReads(1),
      read(2, 10, '"sni.example"'),
    ]);
    await h.close();
  });

  it('follows the product table: SARA-R4 has no TLS 1.3, IANA lists, hex identities, ops 11 and 14', async () => {
    const h = await ublox({ registered: false, model: 'sara-r410m' });
    await at(h, 'AT+CMEE=1');
    await expectAll(h, [
      ['AT+USECPRF=?', answer('+USECPRF: (0-4),(0-10,12,13,15,16)')],
      ['AT+USECPRF=0,1,3', OK],
      ['AT+USECPRF=0,1,4', cmeError(50)],
      ['AT+USECPRF=0,2,99,"C0","2F"', OK],
      ['AT+USECPRF=0,2,100,"C0","2F",0', cmeError(50)],
      ['AT+USECPRF=0,2,10', cmeError(50)],
      ['AT+USECPRF=0,2,9', OK],
      ['AT+USECPRF=0,9,"6964",1', cmeError(50)],
      ['AT+USECPRF=0,9,"id"', OK],
      ['AT+USECPRF=0,11,1', cmeError(50)],
      ['AT+USECPRF=0,14', cmeError(50)],
      ['AT+USECPRF=0,13,3,"AAAA",4', cmeError(50)],
      read(0, 2, '9'),
    ]);
    await h.close();
  });

  it('formats op code lists as ranges', () => {
    assert.equal(formatList([0, 1, 2, 3, 4]), '(0-4)');
    assert.equal(formatList([0, 1, 3, 4, 5, 7]), '(0,1,3-5,7)');
  });
});
