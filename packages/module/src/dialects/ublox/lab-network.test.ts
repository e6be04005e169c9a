import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { udpEcho, type UdpPeer } from '../../services/sockets/peers.testutil.js';
import { atThrough } from './socket-harness.testutil.js';
import { answer, at, atUntil, cmeError, ublox, urc } from './ublox.testutil.js';

// `serve --net lab` as the host sees it: a refused address is an unreachable host (+USOER 113),
// and a forward stands for a public UDP endpoint as it does for TCP.
describe('u-blox sockets in the lab network', () => {
  let echo: UdpPeer;
  before(async () => {
    echo = await udpEcho();
  });
  after(() => echo.close());

  it('a TCP connect to an address the lab did not name fails as host unreachable, and is logged', async () => {
    const logged: string[] = [];
    const h = await ublox({ log: (m) => logged.push(m) });
    try {
      await at(h, 'AT+CMEE=1');
      assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 0'));
      assert.equal(await atUntil(h, 'AT+USOCO=0,"203.0.113.5",80', 'ERROR'), cmeError(3));
      assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 113'));
      assert.deepEqual(logged, ['net lab: refused tcp 203.0.113.5:80 (not loopback, not in --hosts/--forward)']);
      // Names the lab did not name do not exist (the resolver's 163), without asking the machine's DNS.
      assert.equal(await atUntil(h, 'AT+USOCO=0,"www.u-blox.com",80', 'ERROR'), cmeError(3));
      assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 163'));
    } finally {
      await h.close();
    }
  });

  it('--forward covers UDP: datagrams to the public endpoint reach the lab peer, replies come from the public endpoint', async () => {
    const h = await ublox({ forwards: { '192.0.2.9:7': `127.0.0.1:${echo.port}` } });
    try {
      await at(h, 'AT+CMEE=1');
      assert.equal(await at(h, 'AT+USOCR=17'), answer('+USOCR: 0'));
      assert.equal(await atThrough(h, 'AT+USOST=0,"192.0.2.9",7,4,"ping"', '+UUSORF: 0,4'), answer('+USOST: 0,4') + urc('+UUSORF: 0,4'));
      assert.equal(await at(h, 'AT+USORF=0,1024'), answer('+USORF: 0,"192.0.2.9",7,4,"ping"'));
      // The same address on another port is not forwarded: unreachable.
      assert.equal(await atUntil(h, 'AT+USOST=0,"192.0.2.9",8,4,"ping"', 'ERROR'), cmeError(3));
      assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 113'));
    } finally {
      await h.close();
    }
  });
});
