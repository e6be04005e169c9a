import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answer, at, cmeError, OK, REGISTRATION_MS, ublox, urc } from './ublox.testutil.js';

const TRAILER = '0,0,0,0,0,0';

describe('u-blox PDP context commands', () => {
  it('defines, reads and undefines contexts', async () => {
    const h = await ublox({ registered: false });
    assert.equal(await at(h, 'AT+CGDCONT?'), answer(`+CGDCONT: 1,"IPV4V6","","",${TRAILER}`));
    assert.equal(await at(h, 'AT+CGDCONT=1,"IPV4V6","apn_name"'), OK);
    assert.equal(await at(h, 'AT+CGDCONT=3,"ipv6","v6"'), OK);
    assert.equal(await at(h, 'AT+CGDCONT=11,"NONIP"'), OK);
    assert.equal(
      await at(h, 'AT+CGDCONT?'),
      answer(`+CGDCONT: 1,"IPV4V6","apn_name","",${TRAILER}`, `+CGDCONT: 3,"IPV6","v6","",${TRAILER}`, `+CGDCONT: 11,"NONIP","","",${TRAILER}`),
    );
    assert.equal(await at(h, 'AT+CGDCONT=3'), OK);
    assert.equal(await at(h, 'AT+CGDCONT=11'), OK);
    assert.equal(await at(h, 'AT+CGDCONT?'), answer(`+CGDCONT: 1,"IPV4V6","apn_name","",${TRAILER}`));
    await h.advance(REGISTRATION_MS);
    assert.equal(await at(h, 'AT+CGDCONT?'), answer(`+CGDCONT: 1,"IP","apn_name","100.108.232.233",${TRAILER}`));
    await h.close();
  });

  it('shows both addresses of a dual-stack grant', async () => {
    const h = await ublox({ network: { ipv4v6Grant: 'IPV4V6' } });
    assert.equal(await at(h, 'AT+CGDCONT?'), answer(`+CGDCONT: 1,"IPV4V6","","100.108.232.233 2001:db8:100:0:0:0:0:1",${TRAILER}`));
    assert.equal(await at(h, 'AT+CGPADDR=1'), answer('+CGPADDR: 1,"100.108.232.233","2001:db8:100:0:0:0:0:1"'));
    await h.close();
  });

  it('rejects bad definitions and changes nothing', async () => {
    const h = await ublox();
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+CGDCONT=12,"IP","x"'), cmeError(50));
    assert.equal(await at(h, 'AT+CGDCONT=2,"IPX","x"'), cmeError(50));
    assert.equal(await at(h, 'AT+CGDCONT=2,IP,"x"'), cmeError(50));
    assert.equal(await at(h, `AT+CGDCONT=2,"IP","${'a'.repeat(100)}"`), cmeError(50));
    assert.equal(await at(h, 'AT+CGDCONT=2,,"x"'), cmeError(50));
    assert.equal(await at(h, 'AT+CGDCONT=1,"IP","other"'), cmeError(3), 'the context is active');
    await at(h, 'AT+CMEE=2');
    assert.equal(await at(h, 'AT+CGDCONT=1'), cmeError('operation not allowed'));
    assert.equal(await at(h, 'AT+CGDCONT?'), answer(`+CGDCONT: 1,"IP","","100.108.232.233",${TRAILER}`));
    await h.close();
  });

  it('answers the test form with the model cid range', async () => {
    const h = await ublox({ registered: false });
    const tail = '(0-2),(0-4),(0-1),(0-1),(0-1),(0-1)';
    assert.equal(
      await at(h, 'AT+CGDCONT=?'),
      answer(`+CGDCONT: (0-11),"IP",,,${tail}`, `+CGDCONT: (0-11),"IPV6",,,${tail}`, `+CGDCONT: (0-11),"IPV4V6",,,${tail}`, `+CGDCONT: (0-11),"NONIP",,,${tail}`),
    );
    await h.close();
  });

  it('activates and deactivates contexts with +CGACT and reports +CGEV', async () => {
    const h = await ublox();
    assert.equal(await at(h, 'AT+CGACT?'), answer('+CGACT: 1,1'));
    assert.equal(await at(h, 'AT+CGACT=?'), answer('+CGACT: (0-1)'));
    await at(h, 'AT+CGEREP=1');
    await at(h, 'AT+CGDCONT=2,"IP","iot.apn"');
    assert.equal(await at(h, 'AT+CGACT=1,2'), OK + urc('+CGEV: ME PDN ACT 2'));
    assert.equal(await at(h, 'AT+CGACT?'), answer('+CGACT: 1,1', '+CGACT: 2,1'));
    assert.equal(await at(h, 'AT+CGPADDR=2'), answer('+CGPADDR: 2,"100.108.232.234"'));
    assert.equal(await at(h, 'AT+CGACT=1,1'), OK, 'already active');
    assert.equal(await at(h, 'AT+CGACT=0,2'), OK + urc('+CGEV: ME PDN DEACT 2'));
    assert.equal(await at(h, 'AT+CGACT=0'), OK + urc('+CGEV: ME PDN DEACT 1'));
    assert.equal(await at(h, 'AT+CGACT=1'), OK + urc('+CGEV: ME PDN ACT 1,0', '+CGEV: ME PDN ACT 2'));
    await h.close();
  });

  it('refuses +CGACT for undefined contexts, without registration, or beyond the limit', async () => {
    const h = await ublox({ registered: false, network: { apns: ['*'] } });
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+CGACT=1,1'), cmeError(30));
    await h.advance(REGISTRATION_MS);
    assert.equal(await at(h, 'AT+CGACT=1,5'), cmeError(143));
    assert.equal(await at(h, 'AT+CGACT=1,12'), cmeError(50));
    assert.equal(await at(h, 'AT+CGACT=2,1'), cmeError(50));
    for (let cid = 2; cid <= 8; cid++) await at(h, `AT+CGDCONT=${cid},"IP","a${cid}"`);
    assert.equal(await at(h, 'AT+CGACT=1,2,3,4,5,6,7,8'), cmeError(3), 'SARA-R5 keeps 7 contexts active');
    assert.equal(await at(h, 'AT+CGACT?'), answer(...[1, 2, 3, 4, 5, 6, 7, 8].map((c) => `+CGACT: ${c},${c === 1 ? 1 : 0}`)));
    assert.equal(await at(h, 'AT+CGACT=1,2,3,4,5,6,7'), OK);
    assert.equal(await at(h, 'AT+CGACT=1,8'), cmeError(3));
    await h.close();
  });

  it('refuses an APN the operator does not serve: +CME ERROR, no +CGEV/+UUPSDA, +CEER cause 27, nothing changed', async () => {
    const h = await ublox();
    await at(h, 'AT+CGEREP=1');
    await at(h, 'AT+CMEE=2');
    assert.equal(await at(h, 'AT+CGDCONT=2,"IP","flibble"'), OK, 'a definition is local: accepted');
    assert.equal(await at(h, 'AT+CGACT=1,2'), cmeError('Unspecified GPRS error'));
    assert.equal(await at(h, 'AT+CEER'), answer('+CEER: "Missing or unknown APN"'));
    assert.equal(await at(h, 'AT+CGACT?'), answer('+CGACT: 1,1', '+CGACT: 2,0'));
    // The internal profile path (+UPSD/+UPSDA) on its own context.
    assert.equal(await at(h, 'AT+UPSD=1,100,3'), OK);
    assert.equal(await at(h, 'AT+UPSD=1,0,0'), OK);
    assert.equal(await at(h, 'AT+UPSD=1,1,"flibble"'), OK);
    assert.equal(await at(h, 'AT+UPSDA=1,3'), cmeError('Unspecified GPRS error'));
    assert.equal(await at(h, 'AT+CGDCONT=3'), OK);
    assert.equal(await at(h, 'AT+CGACT?'), answer('+CGACT: 1,1', '+CGACT: 2,0'), 'context 3 was not defined by the refused activation');
    // An APN of the table activates (case-insensitive, as APNs are).
    assert.equal(await at(h, 'AT+CGDCONT=2,"IP","IOT.APN"'), OK);
    assert.equal(await at(h, 'AT+CGACT=1,2'), `${OK}${urc('+CGEV: ME PDN ACT 2')}`);
    await h.close();
  });

  it('serves the APNs the lab configures (network.apns)', async () => {
    const h = await ublox({ network: { apns: ['flibble'] } });
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+CGDCONT=2,"IP","flibble"'), OK);
    assert.equal(await at(h, 'AT+CGACT=1,2'), OK);
    assert.equal(await at(h, 'AT+CGDCONT=3,"IP","internet"'), OK);
    assert.equal(await at(h, 'AT+CGACT=1,3'), cmeError(148), 'not in this table');
    await h.close();
  });

  it('attaches and detaches with +CGATT', async () => {
    const h = await ublox();
    await at(h, 'AT+CGEREP=1');
    assert.equal(await at(h, 'AT+CGATT?'), answer('+CGATT: 1'));
    assert.equal(await at(h, 'AT+CGATT=?'), answer('+CGATT: (0-1)'));
    assert.equal(await at(h, 'AT+CGATT=0'), OK + urc('+CGEV: ME DETACH'));
    assert.equal(await at(h, 'AT+CGATT?'), answer('+CGATT: 0'));
    assert.equal(await at(h, 'AT+CGACT?'), answer('+CGACT: 1,0'));
    assert.equal(await at(h, 'AT+CGATT=1'), OK);
    assert.equal(await h.advance(REGISTRATION_MS), urc('+CGEV: ME PDN ACT 1,0'));
    assert.equal(await at(h, 'AT+CGATT?'), answer('+CGATT: 1'));
    await at(h, 'AT+CFUN=4');
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+CGATT=1'), cmeError(3));
    assert.equal(await at(h, 'AT+CGATT=2'), cmeError(50));
    await h.close();
  });

  it('lists addresses with +CGPADDR', async () => {
    const h = await ublox();
    await at(h, 'AT+CGDCONT=2,"IP","iot.apn"');
    assert.equal(await at(h, 'AT+CGPADDR'), answer('+CGPADDR: 1,"100.108.232.233"', '+CGPADDR: 2'));
    assert.equal(await at(h, 'AT+CGPADDR=1,2'), answer('+CGPADDR: 1,"100.108.232.233"', '+CGPADDR: 2'));
    assert.equal(await at(h, 'AT+CGPADDR=?'), answer('+CGPADDR: (1,2)'));
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+CGPADDR=4'), cmeError(143));
    await h.close();
  });

  it('reads dynamic parameters with +CGCONTRDP', async () => {
    const h = await ublox({ network: { dnsServers: ['9.9.9.9', '1.1.1.1'] } });
    const line = '+CGCONTRDP: 1,5,"internet","100.108.232.233.255.255.255.255","","9.9.9.9","1.1.1.1"';
    assert.equal(await at(h, 'AT+CGCONTRDP'), answer(line));
    assert.equal(await at(h, 'AT+CGCONTRDP=1'), answer(line));
    assert.equal(await at(h, 'AT+CGCONTRDP=?'), answer('+CGCONTRDP: (1)'));
    await at(h, 'AT+CGDCONT=2,"IP","iot.apn"');
    assert.equal(await at(h, 'AT+CGCONTRDP=2'), OK);
    await h.close();
  });

  it('sets authentication per context and never shows the password', async () => {
    const h = await ublox({ registered: false });
    assert.equal(await at(h, 'AT+UAUTHREQ=1,1,"user","secret"'), OK);
    assert.equal(await at(h, 'AT+UAUTHREQ?'), answer('+UAUTHREQ: 1,1,"user"'));
    assert.equal(await at(h, 'AT+UAUTHREQ=?'), answer('+UAUTHREQ: (0-11),(0-3),64,64'));
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+UAUTHREQ=2,1,"u","p"'), cmeError(143));
    assert.equal(await at(h, 'AT+UAUTHREQ=1,4'), cmeError(50));
    assert.equal(await at(h, 'AT+UAUTHREQ?'), answer('+UAUTHREQ: 1,1,"user"'));
    assert.deepEqual(h.module.services.pdp.definition(1)?.password, 'secret');
    await h.close();
  });

  it('sets the packet event reporting mode', async () => {
    const h = await ublox({ registered: false });
    assert.equal(await at(h, 'AT+CGEREP?'), answer('+CGEREP: 0,0'));
    assert.equal(await at(h, 'AT+CGEREP=1'), OK);
    assert.equal(await at(h, 'AT+CGEREP=2,1'), OK);
    assert.equal(await at(h, 'AT+CGEREP?'), answer('+CGEREP: 2,1'));
    assert.equal(await at(h, 'AT+CGEREP=?'), answer('+CGEREP: (0-2),(0-1)'));
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+CGEREP=3'), cmeError(50));
    assert.equal(await h.advance(REGISTRATION_MS), urc('+CGEV: ME PDN ACT 1,0'));
    await h.close();
  });

  it('reads and sets the data counters', async () => {
    const h = await ublox();
    h.module.services.pdp.countBytes(1, 120, 3400);
    assert.equal(await at(h, 'AT+UGCNTRD'), answer('+UGCNTRD: 1,120,3400,120,3400'));
    assert.equal(await at(h, 'AT+UGCNTSET=1,0,0'), OK);
    assert.equal(await at(h, 'AT+UGCNTRD'), answer('+UGCNTRD: 1,0,0,0,0'), 'the session counters are reset too');
    h.module.services.pdp.countBytes(1, 4, 5);
    assert.equal(await at(h, 'AT+UGCNTSET=1,100,200'), OK);
    h.module.services.pdp.countBytes(1, 1, 2);
    assert.equal(await at(h, 'AT+UGCNTRD'), answer('+UGCNTRD: 1,1,2,101,202'));
    assert.equal(await at(h, 'AT+UGCNTSET=?'), answer('+UGCNTSET: (0-11),(0-4294967295),(0-4294967295)'));
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+UGCNTSET=4,0,0'), cmeError(143));
    assert.equal(await at(h, 'AT+UGCNTSET=1,-1,0'), cmeError(50));
    assert.equal(await at(h, 'AT+UGCNTSET=1,0'), cmeError(50));
    await at(h, 'AT+CGACT=0,1');
    assert.equal(await at(h, 'AT+UGCNTRD'), OK);
    await h.close();
  });
});
