import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { echoServer, freePort, selfSigned, sleep, tlsEchoServer, type TcpPeer } from '../../services/sockets/peers.testutil.js';
import { atThrough, socketHarnesses } from './socket-harness.testutil.js';
import { answer, at, atUntil, cmeError, OK, REGISTRATION_MS, urc } from './ublox.testutil.js';

const ublox = socketHarnesses();

describe('u-blox secure sockets, direct link, limits', () => {
  let echo: TcpPeer;
  let tlsEcho: TcpPeer;
  before(async () => {
    echo = await echoServer();
    tlsEcho = await tlsEchoServer(selfSigned());
  });
  after(async () => {
    await echo.close();
    await tlsEcho.close();
  });

  it('connects a socket marked with +USOSEC through TLS', async () => {
    const h = await ublox();
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 0'));
    assert.equal(await at(h, 'AT+USOSEC=0'), answer('+USOSEC: 0,0,0'));
    // Profile 2 without server validation: the test server's certificate is self-signed.
    assert.equal(await at(h, 'AT+USECPRF=2,0,0'), OK);
    assert.equal(await at(h, 'AT+USOSEC=0,1,2'), OK);
    assert.equal(await at(h, 'AT+USOSEC=0'), answer('+USOSEC: 0,1,2'));
    assert.equal(await atUntil(h, `AT+USOCO=0,"localhost",${tlsEcho.port}`, OK), OK);
    assert.equal(await atThrough(h, 'AT+USOWR=0,6,"secret"', '+UUSORD: 0,6'), answer('+USOWR: 0,6') + urc('+UUSORD: 0,6'));
    assert.equal(await at(h, 'AT+USORD=0,6'), answer('+USORD: 0,6,"secret"'));
    // Too late to change security; the counters saw the TLS records, not only the payload.
    assert.equal(await at(h, 'AT+USOSEC=0,0'), cmeError(3));
    assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 106'));
    assert.equal(await at(h, 'AT+USOCTL=0,2'), answer('+USOCTL: 0,2,6'));
    const counters = /\+UGCNTRD: 1,(\d+),(\d+),/.exec(await at(h, 'AT+UGCNTRD'));
    assert.ok(counters && Number(counters[1]) > 100 && Number(counters[2]) > 100, String(counters));
    assert.equal(await atUntil(h, 'AT+USOCL=0', OK), OK);
    // UDP sockets take security too (DTLS, sockets-dtls.test.ts); a profile outside 0-4 is a bad parameter.
    assert.equal(await at(h, 'AT+USOCR=17'), answer('+USOCR: 0'));
    assert.equal(await at(h, 'AT+USOSEC=0,1,0'), OK);
    assert.equal(await at(h, 'AT+USOSEC=0,1,5'), cmeError(50));
    assert.equal(await at(h, 'AT+USOSEC=0'), answer('+USOSEC: 0,1,0'));
    await h.close();
  });

  it('fails a secure connect to a plain server with EPROTO', async () => {
    const h = await ublox();
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 0'));
    assert.equal(await at(h, 'AT+USOSEC=0,1,0'), OK);
    assert.equal(await atUntil(h, `AT+USOCO=0,"127.0.0.1",${echo.port}`, 'ERROR'), cmeError(3));
    assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 71'));
    await h.close();
  });

  it('moves bytes both ways in direct link; +++ returns to command mode; the peer closing gives NO CARRIER', async () => {
    const h = await ublox();
    assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 0'));
    assert.equal(await atUntil(h, `AT+USOCO=0,"127.0.0.1",${echo.port}`, OK), OK);
    const conn = echo.connections[echo.connections.length - 1]!;
    assert.equal(await at(h, 'AT+USODL=0'), '\r\nCONNECT\r\n');
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    h.terminal.input(all);
    const deadline = Date.now() + 5000;
    while (h.output.length < 256 && Date.now() < deadline) await sleep(5);
    assert.deepEqual(h.output, all);
    h.take();
    // The escape: a guard time of silence, +++, another guard time.
    await h.advance(1000);
    assert.equal(await h.send('+++'), '');
    assert.equal(await h.advance(1000), OK);
    // The socket stays open and buffers again.
    assert.equal(await atThrough(h, 'AT+USOWR=0,2,"hi"', '+UUSORD: 0,2'), answer('+USOWR: 0,2') + urc('+UUSORD: 0,2'));
    // Back online: what was buffered comes first; then the peer closes.
    assert.equal(await at(h, 'AT+USODL=0'), '\r\nCONNECT\r\nhi');
    conn.end();
    assert.equal(await h.waitFor('+UUSOCL: 0\r\n'), '\r\nNO CARRIER\r\n' + urc('+UUSOCL: 0'));
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+USODL=0'), cmeError(3));
    await h.close();
  });

  it('gives out the lowest free id and refuses an eighth socket', async () => {
    const h = await ublox();
    await at(h, 'AT+CMEE=1');
    for (let i = 0; i < 7; i++) assert.equal(await at(h, `AT+USOCR=${i % 2 ? 17 : 6}`), answer(`+USOCR: ${i}`));
    assert.equal(await at(h, 'AT+USOCR=6'), cmeError(3));
    assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 12'));
    assert.equal(await at(h, 'AT+USOCL=3'), OK);
    assert.equal(await at(h, 'AT+USOCL=3'), cmeError(3));
    assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 3'));
    // An asynchronous close answers at once and reports with +UUSOCL; it has effect for TCP only.
    assert.equal(await atThrough(h, 'AT+USOCL=4,1', '+UUSOCL: 4'), OK + urc('+UUSOCL: 4'));
    assert.equal(await at(h, 'AT+USOCL=5,1'), OK);
    assert.equal(await at(h, 'AT+USOCTL=5,0'), cmeError(3));
    assert.equal(await at(h, 'AT+USOCR=?'), answer('+USOCR: (6,17),(1-65535)'));
    assert.equal(await at(h, 'AT+USOCTL=?'), answer('+USOCTL: (0-6),(0-4,10-11)'));
    assert.equal(await at(h, 'AT+USOWR=?'), answer('+USOWR: (0-6),(0-512),"HEX data"', '+USOWR: (0-6),(0-1024),"data"', '+USOWR: (0-6),(0-1024)'));
    await h.close();
  });

  it('rejects bad parameters without creating or changing anything', async () => {
    const h = await ublox();
    await at(h, 'AT+CMEE=1');
    for (const bad of ['AT+USOCR=5', 'AT+USOCR=6,0', 'AT+USOCR=6,65536', 'AT+USOCR=', 'AT+USOCR="6"', 'AT+USOCR=6,1,1']) {
      assert.equal(await at(h, bad), cmeError(50), bad);
    }
    assert.equal(await at(h, 'AT+USOCR'), cmeError(4));
    assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 0'));
    for (const bad of [
      'AT+USOCO=7,"127.0.0.1",80',
      'AT+USOCO=0,"127.0.0.1",0',
      'AT+USOCO=0,"",80',
      'AT+USOCO=0,"127.0.0.1",80,2',
      'AT+USOWR=0,3,"ab"',
      'AT+USOWR=0,0,""',
      'AT+USOWR=0,1025',
      'AT+USOWR=0,0',
      'AT+USORD=0,1025',
      'AT+USORD=7,1',
      'AT+USOST=0,"127.0.0.1",0,1,"a"',
      'AT+USOCTL=0,5',
      'AT+USOSO=0,65535,3,1',
      'AT+USOSO=0,65535,8,2',
      'AT+USOSO=0,65535,128,1',
      'AT+USOCL=0,2',
    ]) {
      assert.equal(await at(h, bad), cmeError(50), bad);
    }
    await at(h, 'AT+UDCONF=1,1');
    assert.equal(await at(h, 'AT+USOWR=0,2,"0G00"'), cmeError(50));
    assert.equal(await at(h, 'AT+USOWR=0,513,"00"'), cmeError(50));
    assert.equal(await at(h, 'AT+USORD=0,513'), cmeError(50));
    await at(h, 'AT+UDCONF=1,0');
    // Nothing changed: socket 0 is still the only one, unconnected, and its error is clean.
    assert.equal(await at(h, 'AT+USOCTL=0,10'), answer('+USOCTL: 0,10,0'));
    assert.equal(await at(h, 'AT+USOCTL=0,1'), answer('+USOCTL: 0,1,0'));
    assert.equal(await at(h, 'AT+USOCR=17'), answer('+USOCR: 1'));
    // State errors: operation not allowed, the reason in +USOER.
    assert.equal(await at(h, 'AT+USOWR=2,1,"a"'), cmeError(3));
    assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 9'));
    assert.equal(await at(h, 'AT+USOWR=0,1,"a"'), cmeError(3));
    assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 107'));
    assert.equal(await at(h, 'AT+USOWR=1,1,"a"'), cmeError(3));
    assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 89'));
    assert.equal(await at(h, 'AT+USOST=0,"127.0.0.1",9,1,"a"'), cmeError(3));
    assert.equal(await at(h, 'AT+USORF=0,10'), cmeError(3));
    await h.close();
  });

  it('sets and reads socket options', async () => {
    const h = await ublox();
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 0'));
    assert.equal(await at(h, 'AT+USOGO=0,65535,8'), answer('+USOGO: 0'));
    assert.equal(await at(h, 'AT+USOSO=0,65535,8,1'), OK);
    assert.equal(await at(h, 'AT+USOSO=0,6,2,30000'), OK);
    assert.equal(await at(h, 'AT+USOGO=0,65535,8'), answer('+USOGO: 1'));
    assert.equal(await at(h, 'AT+USOGO=0,6,2'), answer('+USOGO: 30000'));
    assert.equal(await at(h, 'AT+USOSO=0,65535,128,1,500'), OK);
    assert.equal(await at(h, 'AT+USOGO=0,65535,128'), answer('+USOGO: 1,500'));
    assert.equal(await at(h, 'AT+USOSO=0,65535,32,1'), cmeError(3));
    assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 92'));
    // Reading works on any socket: SO_BROADCAST of a TCP socket reads 0 (ubxlib reads it).
    assert.equal(await at(h, 'AT+USOGO=0,65535,32'), answer('+USOGO: 0'));
    assert.equal(await at(h, 'AT+USOCR=17'), answer('+USOCR: 1'));
    assert.equal(await at(h, 'AT+USOGO=1,6,1'), answer('+USOGO: 0'), 'TCP_NODELAY of a UDP socket reads too');
    assert.equal(await at(h, 'AT+USOCL=1'), OK);
    // Keepalive applies to the real connection made afterwards.
    assert.equal(await atUntil(h, `AT+USOCO=0,"127.0.0.1",${echo.port}`, OK), OK);
    assert.equal(await at(h, 'AT+USOSO=0,6,1,1'), OK);
    assert.equal(await at(h, 'AT+USOGO=0,6,1'), answer('+USOGO: 1'));
    await h.close();
  });

  it('needs a data path', async () => {
    const h = await ublox({ registered: false });
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+USOCR=6'), cmeError(30));
    await h.advance(REGISTRATION_MS);
    assert.equal(await at(h, 'AT+CGACT=0,1'), OK);
    assert.equal(await at(h, 'AT+USOCR=6'), cmeError(3));
    assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 100'));
    await h.close();
  });

  it('closes every socket on a reboot (+CFUN=16)', async () => {
    const h = await ublox();
    const port = await freePort();
    const before = echo.connections.length;
    assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 0'));
    assert.equal(await atUntil(h, `AT+USOCO=0,"127.0.0.1",${echo.port}`, OK), OK);
    const conn = await echo.accepted(before + 1);
    const peerClosed = new Promise<void>((resolve) => conn.once('close', () => resolve()));
    assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 1'));
    assert.equal(await atUntil(h, `AT+USOLI=1,${port}`, OK), OK);
    assert.equal(await at(h, 'AT+USOCR=17'), answer('+USOCR: 2'));
    assert.equal(await at(h, 'AT+CFUN=16'), OK);
    await peerClosed;
    // The listening port is free again.
    const probe = connect(port, '127.0.0.1');
    const refused = await new Promise<string>((resolve) => probe.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? '')).once('connect', () => resolve('connected')));
    probe.destroy();
    assert.equal(refused, 'ECONNREFUSED');
    await h.advance(h.module.model.timing.rebootMs);
    await h.send('ATE0\r');
    await h.advance(REGISTRATION_MS);
    assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 0'));
    await h.close();
  });
});
