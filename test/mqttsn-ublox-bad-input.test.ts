/**
 * Issue 12 audit, u-blox MQTT-SN: bad input on every op of +UMQTTSN, +UMQTTSNC and +UMQTTSNNV
 * (the documented error, nothing changed that can be read back, a live session still usable),
 * and the gateway ending a session mid-way (its broker died): +UUMQTTSNC: 0,101 and +UMQTTSNER.
 * Peers: the shipped gateway in front of aedes, both on loopback.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { Aedes } from 'aedes';
import { connectAsync } from 'mqtt';
import { MqttSnGateway } from '../packages/cli/src/mqttsn-gateway/gateway.js';
import { listenUdp } from '../packages/cli/src/mqttsn-gateway/udp.js';
import { answer, at, cmeError, OK, ublox } from '../packages/module/src/dialects/ublox/ublox.testutil.js';
import { atUntilLine, readOps, refusals } from '../packages/module/src/dialects/ublox/bad-input.testutil.js';
import type { ModuleHarness } from '../packages/module/src/testing/harness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** aedes on loopback and the shipped gateway in front of it. */
async function peers(): Promise<{ url: string; gwPort: number; killBroker: () => Promise<void> }> {
  const aedes = await Aedes.createBroker();
  const server: Server = createServer(aedes.handle as never).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
  const ep = await listenUdp('127.0.0.1', 0);
  const gw = new MqttSnGateway({ endpoint: ep, broker: url, timerPeriodMs: 0 });
  let alive = true;
  const killBroker = async () => {
    if (!alive) return;
    alive = false;
    // aedes drops its clients (the gateway's broker connection among them), then the listener closes.
    await new Promise<void>((r) => aedes.close(() => r()));
    await new Promise<void>((r) => server.close(() => r()));
  };
  cleanups.push(() => gw.close(), killBroker);
  return { url, gwPort: ep.port, killBroker };
}

async function module(): Promise<ModuleHarness> {
  const h = await ublox({ hosts: { 'gw.lab': '127.0.0.1' } });
  cleanups.push(() => h.close());
  assert.equal(await at(h, 'AT+CMEE=2'), OK);
  return h;
}

const CONFIG_OPS = [0, 1, 2, 4, 5, 6, 7, 8, 9, 10];
const readConfig = (h: ModuleHarness): Promise<string[]> => readOps(h, 'AT+UMQTTSN', CONFIG_OPS);

describe('u-blox MQTT-SN: bad input on every op', () => {
  it('+UMQTTSN and +UMQTTSNNV: "Incorrect parameters", the configuration reads back unchanged, NVM untouched', async () => {
    const h = await module();
    for (const set of ['AT+UMQTTSN=0,"dev"', 'AT+UMQTTSN=1,"gw.lab",2000', 'AT+UMQTTSN=4,1', 'AT+UMQTTSN=5,1', 'AT+UMQTTSN=6,"w"', 'AT+UMQTTSN=7,"bye"', 'AT+UMQTTSN=8,30', 'AT+UMQTTSN=9,1,1', 'AT+UMQTTSN=10,0']) {
      assert.equal(await at(h, set), OK, set);
    }
    const before = await readConfig(h);
    const bad = [
      'AT+UMQTTSN', 'AT+UMQTTSN=', 'AT+UMQTTSN=3', 'AT+UMQTTSN=11', 'AT+UMQTTSN=-1', 'AT+UMQTTSN=x',
      'AT+UMQTTSN=0,""', `AT+UMQTTSN=0,"${'c'.repeat(24)}"`, 'AT+UMQTTSN=0,5',
      'AT+UMQTTSN=1,""', `AT+UMQTTSN=1,"${'h'.repeat(129)}"`, 'AT+UMQTTSN=1,"h",0', 'AT+UMQTTSN=1,"h",65536',
      'AT+UMQTTSN=2,"host.name"', 'AT+UMQTTSN=2,"1.2.3"', 'AT+UMQTTSN=2,"1.2.3.4",0',
      'AT+UMQTTSN=4,3', 'AT+UMQTTSN=4,-1', 'AT+UMQTTSN=5,2', `AT+UMQTTSN=6,"${'t'.repeat(257)}"`, `AT+UMQTTSN=7,"${'m'.repeat(1025)}"`,
      'AT+UMQTTSN=8,-1', 'AT+UMQTTSN=8,65536', 'AT+UMQTTSN=9,2', 'AT+UMQTTSN=9,1,99', 'AT+UMQTTSN=10,2',
      'AT+UMQTTSNNV', 'AT+UMQTTSNNV=3', 'AT+UMQTTSNNV=-1', 'AT+UMQTTSNNV=1,1',
    ];
    assert.deepEqual(await refusals(h, bad, /^AT\+UMQTTSN(NV|C)?$/), []);
    assert.deepEqual(await readConfig(h), before);
    // No refused +UMQTTSNNV stored anything: loading NVM gives the factory client id (the IMEI).
    assert.equal(await at(h, 'AT+UMQTTSNNV=1'), OK);
    assert.equal(await at(h, 'AT+UMQTTSN=0'), answer(`+UMQTTSN: 0,"${h.module.services.identity.imei}"`));
  });

  it('+UMQTTSNC: every op refused before a session and with bad values during one; no URC, the session and its message unchanged', async () => {
    const { url, gwPort } = await peers();
    const h = await module();
    const notAllowed = ['AT+UMQTTSNC=0', 'AT+UMQTTSNC=2,"a"', 'AT+UMQTTSNC=4,1,0,0,2,"ab","m"', 'AT+UMQTTSNC=5,0,0,"a"', 'AT+UMQTTSNC=6,0,"a"', 'AT+UMQTTSNC=7,0,0,"w"', 'AT+UMQTTSNC=8,"m"', 'AT+UMQTTSNC=9', 'AT+UMQTTSNC=10', 'AT+UMQTTSNC=1'];
    for (const line of notAllowed) assert.equal(await at(h, line), cmeError('operation not allowed'), line);
    assert.equal(await at(h, 'AT+UMQTTSNER'), answer('+UMQTTSNER: 0,0'));

    assert.equal(await at(h, 'AT+UMQTTSN=0,"snbad"'), OK);
    assert.equal(await at(h, `AT+UMQTTSN=1,"gw.lab",${gwPort}`), OK);
    assert.equal(await atUntilLine(h, 'AT+UMQTTSNC=1', '+UUMQTTSNC: 1,'), `${OK}\r\n+UUMQTTSNC: 1,1\r\n`);
    assert.match(await atUntilLine(h, 'AT+UMQTTSNC=5,1,0,"sn/in"', '+UUMQTTSNC: 5,'), /\+UUMQTTSNC: 5,1,1,\d+\r\n$/);
    const peer = await connectAsync(url);
    cleanups.push(() => peer.endAsync(true));
    const unread = h.waitFor('+UUMQTTSNC: 9,1\r\n');
    await peer.publishAsync('sn/in', 'kept', { qos: 1 });
    await unread;
    h.take();

    const bad = [
      'AT+UMQTTSNC', 'AT+UMQTTSNC=', 'AT+UMQTTSNC=3', 'AT+UMQTTSNC=11', 'AT+UMQTTSNC=-1', 'AT+UMQTTSNC=x',
      'AT+UMQTTSNC=0,0', 'AT+UMQTTSNC=0,65536', 'AT+UMQTTSNC=1,1',
      'AT+UMQTTSNC=2', 'AT+UMQTTSNC=2,""', `AT+UMQTTSNC=2,"${'t'.repeat(257)}"`,
      'AT+UMQTTSNC=4,4,0,0,2,"ab","m"', 'AT+UMQTTSNC=4,1,2,0,2,"ab","m"', 'AT+UMQTTSNC=4,1,0,2,2,"ab","m"', 'AT+UMQTTSNC=4,1,0,0,3,"ab","m"',
      'AT+UMQTTSNC=4,1,0,0,2,"abc","m"', 'AT+UMQTTSNC=4,1,0,0,2,"","m"', 'AT+UMQTTSNC=4,1,0,1,2,"ab","zz"', 'AT+UMQTTSNC=4,1,0,1,2,"ab","414"',
      `AT+UMQTTSNC=4,1,0,0,2,"ab","${'m'.repeat(1025)}"`, 'AT+UMQTTSNC=4,1,0,0,2,"ab"',
      'AT+UMQTTSNC=5,3,0,"a"', 'AT+UMQTTSNC=5,0,3,"a"', 'AT+UMQTTSNC=5,0,0,""', 'AT+UMQTTSNC=5,0,2,"abc"', 'AT+UMQTTSNC=5,0',
      'AT+UMQTTSNC=6,3,"a"', 'AT+UMQTTSNC=6,0,""', 'AT+UMQTTSNC=6,2,"abc"', 'AT+UMQTTSNC=6',
      'AT+UMQTTSNC=7,3,0,"w"', 'AT+UMQTTSNC=7,0,2,"w"', `AT+UMQTTSNC=7,0,0,"${'t'.repeat(257)}"`, 'AT+UMQTTSNC=7,0',
      `AT+UMQTTSNC=8,"${'m'.repeat(1025)}"`, 'AT+UMQTTSNC=8',
      'AT+UMQTTSNC=9,2', 'AT+UMQTTSNC=10,1',
    ];
    assert.deepEqual(await refusals(h, bad, /^AT\+UMQTTSN(NV|C)?$/), []);
    // Configuration is fixed during a session.
    assert.equal(await at(h, 'AT+UMQTTSN=0,"other"'), cmeError('operation not allowed'));
    assert.equal(await at(h, 'AT+UMQTTSN=0'), answer('+UMQTTSN: 0,"snbad"'));
    assert.equal(h.take(), '');
    assert.equal(await at(h, 'AT+UMQTTSNER'), answer('+UMQTTSNER: 0,0'));
    assert.equal(await at(h, 'AT+UMQTTSNC=9'), answer('+UMQTTSNC: 9,1,0,"sn/in",4,"kept"'));
    assert.equal(await atUntilLine(h, 'AT+UMQTTSNC=10', '+UUMQTTSNC: 10,'), `${OK}\r\n+UUMQTTSNC: 10,1\r\n`);
    assert.equal(await atUntilLine(h, 'AT+UMQTTSNC=0', '+UUMQTTSNC: 0,'), `${OK}\r\n+UUMQTTSNC: 0,1\r\n`);
  });
});

describe('u-blox MQTT-SN: the gateway ends the session mid-way', () => {
  it("its broker dies: the gateway's DISCONNECT is +UUMQTTSNC: 0,101, +UMQTTSNER says lost, a reconnect is refused (congestion)", async () => {
    const { gwPort, killBroker } = await peers();
    const h = await module();
    assert.equal(await at(h, 'AT+UMQTTSN=0,"sndie"'), OK);
    assert.equal(await at(h, `AT+UMQTTSN=1,"gw.lab",${gwPort}`), OK);
    assert.equal(await atUntilLine(h, 'AT+UMQTTSNC=1', '+UUMQTTSNC: 1,'), `${OK}\r\n+UUMQTTSNC: 1,1\r\n`);
    h.take();
    await killBroker();
    assert.equal(await h.waitFor('+UUMQTTSNC: 0,101\r\n'), '\r\n+UUMQTTSNC: 0,101\r\n');
    assert.equal(await at(h, 'AT+UMQTTSNER'), answer('+UMQTTSNER: 37,37'));
    // Session commands are refused now; configuration is open again.
    assert.equal(await at(h, 'AT+UMQTTSNC=10'), cmeError('operation not allowed'));
    assert.equal(await at(h, 'AT+UMQTTSN=0,"sndie2"'), OK);
    // The gateway has no broker: it answers CONNECT with CONNACK "rejected: congestion" (MQTT-SN return code 1).
    assert.equal(await atUntilLine(h, 'AT+UMQTTSNC=1', '+UUMQTTSNC: 1,'), `${OK}\r\n+UUMQTTSNC: 1,0\r\n`);
    assert.equal(await at(h, 'AT+UMQTTSNER'), answer('+UMQTTSNER: 13,1'));
  });
});
