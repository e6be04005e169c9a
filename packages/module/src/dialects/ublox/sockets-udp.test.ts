import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { freeUdpPort, udpEcho, type UdpPeer } from '../../services/sockets/peers.testutil.js';
import { atThrough, socketHarnesses } from './socket-harness.testutil.js';
import { answer, at, atUntil, cmeError, OK, urc } from './ublox.testutil.js';

const ublox = socketHarnesses();

describe('u-blox UDP sockets', () => {
  let echo: UdpPeer;
  before(async () => {
    echo = await udpEcho();
  });
  after(() => echo.close());

  it('sends with +USOST and reads whole datagrams with +USORF', async () => {
    const h = await ublox();
    const to = `"127.0.0.1",${echo.port}`;
    assert.equal(await at(h, 'AT+USOCR=17'), answer('+USOCR: 0'));
    assert.equal(await atThrough(h, `AT+USOST=0,${to},4,"ping"`, '+UUSORF: 0,4'), answer('+USOST: 0,4') + urc('+UUSORF: 0,4'));
    assert.equal(await at(h, 'AT+USORF=0,0'), answer('+USORF: 0,4'));
    assert.equal(await at(h, 'AT+USORF=0,1024'), answer(`+USORF: 0,"127.0.0.1",${echo.port},4,"ping"`));
    assert.equal(await at(h, 'AT+USORF=0,1024'), answer('+USORF: 0,"",0,0,""'));

    // Binary form; every datagram is announced with its own length.
    assert.equal(await at(h, `AT+USOST=0,${to},3`), '\r\n@');
    h.terminal.input(Buffer.from([0, 1, 2]));
    assert.equal(await h.waitFor('+UUSORF: 0,3\r\n'), answer('+USOST: 0,3') + urc('+UUSORF: 0,3'));
    assert.equal(await atUntil(h, `AT+USOST=0,${to},10,"0123456789"`, '+UUSORF: 0,10\r\n'), answer('+USOST: 0,10') + urc('+UUSORF: 0,10'));
    assert.equal(await at(h, 'AT+USORF=0,0'), answer('+USORF: 0,13'));
    assert.equal(await at(h, 'AT+UDCONF=1,1'), OK);
    assert.equal(await at(h, 'AT+USORF=0,512'), answer(`+USORF: 0,"127.0.0.1",${echo.port},3,"000102"`));
    assert.equal(await at(h, 'AT+UDCONF=1,0'), OK);
    // Bytes beyond <length> are discarded with their datagram.
    assert.equal(await at(h, 'AT+USORF=0,4'), answer(`+USORF: 0,"127.0.0.1",${echo.port},4,"0123"`));
    assert.equal(await at(h, 'AT+USORF=0,0'), answer('+USORF: 0,0'));

    // +USOCO gives a UDP socket a default peer for +USOWR.
    assert.equal(await atUntil(h, `AT+USOCO=0,${to}`, OK), OK);
    assert.equal(await atThrough(h, 'AT+USOWR=0,2,"hi"', '+UUSORF: 0,2'), answer('+USOWR: 0,2') + urc('+UUSORF: 0,2'));
    assert.equal(await at(h, 'AT+USORD=0,10'), answer('+USORD: 0,2,"hi"'));
    assert.equal(await at(h, 'AT+USOCTL=0,0'), answer('+USOCTL: 0,0,17'));
    assert.equal(await at(h, 'AT+USOCTL=0,2'), answer('+USOCTL: 0,2,19'));
    assert.equal(await at(h, 'AT+USOCTL=0,3'), answer('+USOCTL: 0,3,19'));
    assert.equal(await at(h, 'AT+UGCNTRD'), answer('+UGCNTRD: 1,19,19,19,19'));
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+USOCTL=0,10'), cmeError(3));
    assert.equal(await at(h, 'AT+USOCL=0'), OK);
    await h.close();
  });

  it('receives on a local port given at creation and on a listening port', async () => {
    const h = await ublox();
    const p1 = await freeUdpPort();
    const p2 = await freeUdpPort(p1);
    assert.equal(await atUntil(h, `AT+USOCR=17,${p1}`, OK), answer('+USOCR: 0'));
    assert.equal(await at(h, 'AT+USOCR=17'), answer('+USOCR: 1'));
    assert.equal(await atUntil(h, `AT+USOLI=1,${p2}`, OK), OK);
    const sender = createSocket('udp4');
    await new Promise<void>((resolve) => sender.bind(0, '127.0.0.1', resolve));
    sender.send('to-zero', p1, '127.0.0.1');
    assert.equal(await h.waitFor('+UUSORF: 0,7\r\n'), urc('+UUSORF: 0,7'));
    sender.send('to-one', p2, '127.0.0.1');
    assert.equal(await h.waitFor('+UUSORF: 1,6\r\n'), urc('+UUSORF: 1,6'));
    const from = sender.address().port;
    assert.equal(await at(h, 'AT+USORF=0,100'), answer(`+USORF: 0,"127.0.0.1",${from},7,"to-zero"`));
    assert.equal(await at(h, 'AT+USORF=1,100'), answer(`+USORF: 1,"127.0.0.1",${from},6,"to-one"`));
    // A port already in use: no socket is created.
    await at(h, 'AT+CMEE=1');
    assert.equal(await atUntil(h, `AT+USOCR=17,${p1}`, 'ERROR'), cmeError(3));
    assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 98'));
    assert.equal(await at(h, 'AT+USOCTL=2,0'), cmeError(3));
    sender.close();
    await h.close();
  });
});
