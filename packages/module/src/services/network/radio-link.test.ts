import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { answer, at, OK, ublox, urc } from '../../dialects/ublox/ublox.testutil.js';
import { RADIO_PROFILES } from '../../models/radio-profiles.js';
import type { ModuleHarness } from '../../testing/harness.js';
import { settle } from '../../testing/harness.js';
import { spawn } from 'node:child_process';
import { freeUdpPort } from '../sockets/peers.testutil.js';
import { makePki } from '../tls/tls.testutil.js';
import { createServer as createTlsServer } from 'node:tls';
import { parseRadioScript, RadioSpecError } from './radio-link.js';

/** Moves the manual clock in 5 ms steps, letting real I/O run between, until `p` settles; the ms moved. */
async function pumpUntil<T>(h: ModuleHarness, p: Promise<T>): Promise<{ value: T; ms: number }> {
  let done = false;
  const guarded = p.finally(() => (done = true));
  let ms = 0;
  while (!done) {
    h.clock.advance(5);
    ms += 5;
    await settle();
    await new Promise((r) => setTimeout(r, 1));
    if (ms > 60_000) throw new Error('never settled');
  }
  return { value: await guarded, ms };
}

/** Moves the manual clock in `step` ms steps, letting real I/O run between, until the output shows `text`; returns it and the ms moved. */
async function runUntil(h: ModuleHarness, text: string, step = 5, maxSteps = 4000): Promise<{ out: string; ms: number }> {
  let out = '';
  for (let i = 0; i <= maxSteps; i++) {
    out += h.take();
    if (out.includes(text)) return { out, ms: i * step };
    h.clock.advance(step);
    await settle();
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error(`never saw ${JSON.stringify(text)}; got ${JSON.stringify(out)}`);
}

async function tcpPeer(): Promise<{ port: number; peers: Socket[]; received: Buffer[]; close: () => void }> {
  const peers: Socket[] = [];
  const received: Buffer[] = [];
  const server = createServer((s) => {
    peers.push(s);
    s.on('error', () => {}).on('data', (d) => received.push(d));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, peers, received, close: () => (peers.forEach((p) => p.destroy()), server.close()) };
}

describe('radio link: per-RAT profiles on every data path', () => {
  it('sets profiles by spec, refuses bad ones with no change, and reports signal consistent with them', async () => {
    const h = await ublox();
    try {
      const link = h.module.services.radioLink;
      const changes: string[] = [];
      link.on('change', (c) => changes.push(c.spec));
      assert.equal(link.spec(), 'off');
      assert.equal(await at(h, 'AT+CSQ'), answer('+CSQ: 21,99'));
      link.set('LTEM:edge');
      assert.equal(link.spec(), 'ltem:edge');
      assert.equal(await at(h, 'AT+CSQ'), answer('+CSQ: 9,99'));
      assert.equal(await at(h, 'AT+CESQ'), answer('+CESQ: 99,99,255,255,10,23'));
      assert.equal(await at(h, 'AT+UCGED=2'), OK);
      assert.match(await at(h, 'AT+UCGED?'), /,23,10,-2\.00,/);
      assert.throws(() => link.set('ltem:underwater'), RadioSpecError);
      assert.throws(() => link.set('wifi'), RadioSpecError);
      assert.equal(link.spec(), 'ltem:edge');
      link.set('nbiot');
      assert.equal(await at(h, 'AT+CSQ'), answer('+CSQ: 22,99'));
      assert.equal(await at(h, 'AT+CESQ'), answer('+CESQ: 99,99,255,255,22,51'));
      link.set('off');
      assert.equal(await at(h, 'AT+CSQ'), answer('+CSQ: 21,99'));
      assert.deepEqual(changes, ['ltem:edge', 'nbiot:good', 'off']);
    } finally {
      await h.close();
    }
  });

  it('TCP through the dialer costs one RTT to connect and latency plus airtime each way, on the module clock', async () => {
    const peer = await tcpPeer();
    const h = await ublox({ registered: false, network: { radio: 'gsm:edge' } });
    try {
      const p = RADIO_PROFILES.gsm.edge;
      await h.advance(p.registrationMs);
      const dialing = h.module.services.dialer.connect({ host: '127.0.0.1', port: peer.port });
      let connected = false;
      void dialing.then(() => (connected = true));
      await settle();
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(connected, false, 'a connect needs the round trip on the module clock');
      h.clock.advance(p.rttMs);
      const conn = await dialing;
      // 1400 bytes at 12 kbit/s uplink: 933 ms on air, then 350 +- 100 ms one way.
      conn.stream.write(Buffer.alloc(1400, 0x41));
      let ms = 0;
      while (peer.received.reduce((n, b) => n + b.length, 0) < 1400) {
        h.clock.advance(10);
        ms += 10;
        await settle();
        await new Promise((r) => setTimeout(r, 1));
        assert.ok(ms < 5000);
      }
      const airtime = (1400 * 8000) / p.uplinkBps;
      assert.ok(ms >= airtime + p.rttMs / 2 - p.jitterMs / 2 && ms <= airtime + p.rttMs / 2 + p.jitterMs / 2 + 10, `uplink took ${ms} ms`);
      // A live change applies to the open connection at once: NB-IoT deep indoor, 3 s +- 1 s one way.
      h.module.services.radioLink.set('nbiot:deep-indoor');
      const deep = RADIO_PROFILES.nbiot['deep-indoor'];
      const arrived = new Promise<void>((resolve) => peer.peers[0]!.once('data', () => resolve()));
      conn.stream.write('x');
      const later = await pumpUntil(h, arrived);
      assert.ok(later.ms >= deep.rttMs / 2 - deep.jitterMs / 2, `after the change one byte took ${later.ms} ms`);
      conn.stream.destroy();
    } finally {
      await h.close();
      peer.close();
    }
  });

  it('TLS runs over the shaped link unchanged: the handshake and each record pay the round trips', async () => {
    const pki = makePki();
    const server = createTlsServer({ key: pki.server.key, cert: pki.server.cert }, (s) => s.on('error', () => {}).on('data', (d) => s.write(d)));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const h = await ublox({ registered: false, network: { radio: 'ltem:edge' } });
    try {
      const p = RADIO_PROFILES.ltem.edge;
      await h.advance(p.registrationMs);
      h.module.services.securityProfiles.set(0, 'validation', 0);
      const dial = await pumpUntil(h, h.module.services.dialer.connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, secure: { profileId: 0 } }));
      // TCP (1 RTT) then TLS 1.3 (1 RTT before the client's Finished is sent): at least 2 RTTs less the jitter.
      assert.ok(dial.ms >= 2 * (p.rttMs - p.jitterMs), `TLS connect took ${dial.ms} ms`);
      const conn = dial.value;
      const echoed = new Promise<Buffer>((resolve) => conn.stream.once('data', resolve));
      conn.stream.write('ping');
      const echo = await pumpUntil(h, echoed);
      assert.equal(echo.value.toString(), 'ping');
      assert.ok(echo.ms >= p.rttMs - p.jitterMs, `echo took ${echo.ms} ms`);
      conn.stream.destroy();
    } finally {
      await h.close();
      server.close();
      pki.dispose();
    }
  });

  it('DTLS (the library owns its UDP socket) crosses the link through a relay: the handshake pays round trips', async () => {
    const PSK = '0102030405060708090a0b0c0d0e0f10';
    const port = await freeUdpPort();
    const server = spawn('openssl', ['s_server', '-dtls1_2', '-accept', String(port), '-nocert', '-psk', PSK, '-psk_identity', 'modemlab'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    server.stdout.on('data', (d: Buffer) => (output += d.toString()));
    server.stderr.on('data', (d: Buffer) => (output += d.toString()));
    while (!output.includes('ACCEPT')) await new Promise((r) => setTimeout(r, 20));
    const h = await ublox({ network: { radio: 'ltem:good' } });
    try {
      const p = RADIO_PROFILES.ltem.good;
      assert.equal(await at(h, `AT+USECPRF=0,8,"${PSK}",1`), OK);
      assert.equal(await at(h, 'AT+USECPRF=0,9,"modemlab"'), OK);
      const dial = await pumpUntil(h, h.module.services.dialer.dtls({ profileId: 0, address: '127.0.0.1', port }));
      assert.ok(dial.ms >= 2 * (p.rttMs - p.jitterMs), `DTLS handshake took ${dial.ms} ms`);
      await pumpUntil(h, dial.value.send(Buffer.from('over the air\n')));
      while (!output.includes('over the air')) await pumpUntil(h, new Promise((r) => setTimeout(r, 5)));
      dial.value.close();
    } finally {
      await h.close();
      server.kill();
    }
  });

  it('UDP loses and delays datagrams as the profile says, reproducibly', async () => {
    const sink = createSocket('udp4');
    const got: number[] = [];
    sink.on('message', (m) => got.push(m.readUInt16BE(0)));
    sink.bind(0, '127.0.0.1');
    await once(sink, 'listening');
    const h = await ublox({ network: { radio: 'nbiot:deep-indoor' } });
    try {
      const udp = h.module.services.dialer.udp();
      udp.bind(0, '127.0.0.1');
      await once(udp, 'listening');
      const port = (sink.address() as AddressInfo).port;
      for (let i = 0; i < 100; i++) udp.send(Buffer.from([i >> 8, i & 255]), port, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(got.length, 0, 'nothing crosses before the latency passes');
      for (let t = 0; t < 200; t++) {
        h.clock.advance(1000);
        await settle();
      }
      await new Promise((r) => setTimeout(r, 100));
      // 10% loss on a seeded generator: the same datagrams every run.
      assert.ok(got.length >= 80 && got.length < 100, `${got.length} arrived`);
      assert.ok(got.some((v, i) => i > 0 && v < got[i - 1]!), 'some arrive after later ones');
      udp.close();
    } finally {
      await h.close();
      sink.close();
    }
  });

  it('PSM holds mobile-terminated data until the periodic TAU wakes the module (transcript)', async () => {
    const peer = await tcpPeer();
    const h = await ublox({ network: { radio: 'ltem:good' } });
    try {
      // PSM: T3412 = 2 s x 30 = 60 s ('01111110'), T3324 = 2 s x 1 ('00000001').
      assert.equal(await at(h, 'AT+CPSMS=1,,,"01111110","00000001"'), OK);
      assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 0'));
      h.terminal.input(Buffer.from(`AT+USOCO=0,"127.0.0.1",${peer.port}\r`, 'latin1'));
      assert.equal((await runUntil(h, OK)).out, OK);
      // RRC inactivity (10 s) then the active time (2 s): the module sleeps in PSM.
      await h.advance(12_000);
      assert.equal(h.module.services.powerSaving.inPsm, true);
      peer.peers[0]!.write('hello');
      await new Promise((r) => setTimeout(r, 50));
      await h.advance(40_000);
      assert.equal(h.take(), '', 'no data reaches a module in PSM');
      const woke = await runUntil(h, '+UUSORD', 100);
      assert.equal(woke.out, urc('+UUSORD: 0,5'));
      assert.ok(woke.ms >= 19_000 && woke.ms <= 21_000, `delivered ${woke.ms} ms later, at the TAU`);
      assert.equal(h.module.services.powerSaving.inPsm, false);
    } finally {
      await h.close();
      peer.close();
    }
  });

  it('eDRX delays downlink of an idle module to the next paging occasion', async () => {
    const peer = await tcpPeer();
    const h = await ublox({ network: { radio: 'ltem:good' } });
    try {
      // E-UTRAN WB-S1 (AcT-type 4), cycle '0010' = 20.48 s.
      assert.equal(await at(h, 'AT+CEDRXS=1,4,"0010"'), OK);
      assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 0'));
      h.terminal.input(Buffer.from(`AT+USOCO=0,"127.0.0.1",${peer.port}\r`, 'latin1'));
      assert.equal((await runUntil(h, OK)).out, OK);
      await h.advance(10_000); // RRC released: idle, paged only every 20.48 s
      assert.equal(h.module.services.network.rrcConnected, false);
      peer.peers[0]!.write('hey');
      await new Promise((r) => setTimeout(r, 50));
      const start = h.clock.now();
      const paged = await runUntil(h, '+UUSORD', 20);
      assert.equal(paged.out, urc('+UUSORD: 0,3'));
      assert.equal(h.clock.now() % 20_480 <= 40, true, `delivered at ${h.clock.now() - start} ms, on a paging occasion`);
    } finally {
      await h.close();
      peer.close();
    }
  });

  it('a radio script drops and restores coverage on the module clock: +CEREG URCs and sockets failing', async () => {
    const peer = await tcpPeer();
    const h = await ublox({ network: { radio: 'ltem:good' } });
    try {
      assert.equal(await at(h, 'AT+CEREG=1'), OK);
      assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 0'));
      h.terminal.input(Buffer.from(`AT+USOCO=0,"127.0.0.1",${peer.port}\r`, 'latin1'));
      assert.equal((await runUntil(h, OK)).out, OK);
      h.module.services.radioLink.runScript(parseRadioScript('[{"at": 1000, "coverage": false}, {"at": 5000, "coverage": true}]'));
      const lost = await h.advance(1000);
      assert.ok(lost.includes(urc('+CEREG: 2')), JSON.stringify(lost));
      assert.match(await at(h, 'AT+USOWR=0,2,"hi"'), /ERROR/);
      const back = await h.advance(4000 + RADIO_PROFILES.ltem.good.registrationMs);
      assert.ok(back.includes(urc('+CEREG: 1')), JSON.stringify(back));
    } finally {
      await h.close();
      peer.close();
    }
  });

  it('refuses malformed radio scripts', () => {
    assert.throws(() => parseRadioScript('{'), RadioSpecError);
    assert.throws(() => parseRadioScript('[{"at": -1}]'), RadioSpecError);
    assert.throws(() => parseRadioScript('[{"at": 5, "radio": "5g"}]'), RadioSpecError);
    assert.deepEqual(parseRadioScript('[{"at": 5, "radio": "gsm:edge", "coverage": true}]'), [{ at: 5, coverage: true, radio: 'gsm:edge' }]);
  });
});
