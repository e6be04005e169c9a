import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answer, at, atUntil, cmeError, OK, REGISTRATION_MS, ublox, urc } from './ublox.testutil.js';

const HOSTS = { 'www.google.com': '216.239.59.147', 'loop.test': '127.0.0.1' };
/** A TEST-NET-1 address nothing answers (see services/echo-probe.test.ts). */

describe('u-blox DNS and ping', () => {
  it('resolves through the host table (seed 2.4.2)', async () => {
    const h = await ublox({ hosts: HOSTS });
    assert.equal(await at(h, 'AT+UDNSRN=0,"www.google.com"'), answer('+UDNSRN: "216.239.59.147"'));
    assert.equal(await at(h, 'AT+UDNSRN=0,"WWW.GOOGLE.COM"'), answer('+UDNSRN: "216.239.59.147"'));
    assert.equal(await at(h, 'AT+UDNSRN=1,"216.239.59.147"'), answer('+UDNSRN: "www.google.com"'));
    assert.equal(await atUntil(h, 'AT+UDNSRN=0,"localhost"', OK), answer('+UDNSRN: "127.0.0.1"'));
    assert.equal(await at(h, 'AT+UDNSRN=?'), answer('+UDNSRN: (0-1),255'));
    await h.close();
  });

  it('fails without network, without a context, and for unknown names', async () => {
    const h = await ublox({ hosts: HOSTS, registered: false });
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+UDNSRN=0,"www.google.com"'), cmeError(30));
    await h.advance(REGISTRATION_MS);
    await at(h, 'AT+CGACT=0,1');
    assert.equal(await at(h, 'AT+UDNSRN=0,"www.google.com"'), cmeError(3));
    await at(h, 'AT+CGACT=1,1');
    assert.equal(await atUntil(h, 'AT+UDNSRN=0,"nonexistent.invalid"', 'ERROR'), cmeError(1550));
    await at(h, 'AT+CMEE=2');
    assert.equal(await at(h, 'AT+UDNSRN=2,"www.google.com"'), cmeError('Incorrect parameters'));
    assert.equal(await at(h, 'AT+UDNSRN=1,"not-an-ip"'), cmeError('Incorrect parameters'));
    assert.equal(await at(h, 'AT+UDNSRN=0,""'), cmeError('Incorrect parameters'));
    assert.equal(await at(h, 'AT+UDNSRN=0'), cmeError('Incorrect parameters'));
    await h.close();
  });

  it('pings the loopback for real and reports each echo to the asking terminal', async () => {
    const h = await ublox({ hosts: HOSTS });
    const other: Buffer[] = [];
    const second = h.module.openTerminal((b) => other.push(b));
    const out = await atUntil(h, 'AT+UPING="127.0.0.1",2,32,2000,64', '+UUPING: 2,');
    assert.ok(out.startsWith(OK));
    const replies = out.slice(OK.length).split('\r\n').filter(Boolean);
    assert.equal(replies.length, 2);
    replies.forEach((line, i) => {
      const m = /^\+UUPING: (\d+),32,"127\.0\.0\.1","127\.0\.0\.1",(\d+),(\d+)$/.exec(line);
      assert.ok(m, line);
      assert.equal(Number(m[1]), i + 1);
      assert.ok(Number(m[2]) > 0);
      assert.ok(Number(m[3]) >= 0);
    });
    assert.equal(Buffer.concat(other).length, 0);
    h.module.closeTerminal(second);
    await h.close();
  });

  it('pings a name from the host table with the default parameters', async () => {
    const h = await ublox({ hosts: HOSTS });
    assert.match(await atUntil(h, 'AT+UPING="loop.test",1', '+UUPING: 1,'), /^\r\nOK\r\n\r\n\+UUPING: 1,32,"loop\.test","127\.0\.0\.1",\d+,\d+\r\n$/);
    await h.close();
  });

  it('reports -1 when no echo comes back in time', async () => {
    // The simulated radio drops every echo: the real target (loopback) would always answer.
    const h = await ublox({ network: { packetLoss: 1 } });
    assert.equal(await atUntil(h, 'AT+UPING="127.0.0.1",1,32,100', '+UUPING: 1,'), OK + urc('+UUPING: 1,32,"127.0.0.1","127.0.0.1",32,-1'));
    await h.close();
  });

  it('reports errors with +UUPINGER after OK', async () => {
    const h = await ublox({ registered: false });
    assert.equal(await atUntil(h, 'AT+UPING="127.0.0.1"', '+UUPINGER'), OK + urc('+UUPINGER: 17'));
    await h.advance(REGISTRATION_MS);
    assert.equal(await atUntil(h, 'AT+UPING="nonexistent.invalid"', '+UUPINGER'), OK + urc('+UUPINGER: 8'));
    await h.close();
  });

  it('validates the ping parameters', async () => {
    const h = await ublox();
    await at(h, 'AT+CMEE=1');
    for (const bad of ['"h",0', '"h",65', '"h",1,3', '"h",1,1461', '"h",1,32,9', '"h",1,32,60001', '"h",1,32,100,0', '"h",1,32,100,256', '"h",1,32,100,32,2', '""', '5']) {
      assert.equal(await at(h, `AT+UPING=${bad}`), cmeError(50), bad);
    }
    assert.equal(await at(h, 'AT+UPING=?'), answer('+UPING: 255,(1-64),(4-1460),(10-60000),(1-255),(0-1)'));
    await h.close();
  });
});
