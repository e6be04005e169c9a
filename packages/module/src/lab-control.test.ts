import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyControls, labSnapshot, LabControlError } from './lab-control.js';
import { ManualClock } from '@modemlab/at';
import { ModuleHarness } from './testing/harness.js';
import { at, atUntil, OK, ublox } from './dialects/ublox/ublox.testutil.js';
import { makePki, tlsServer } from './services/tls/tls.testutil.js';

async function registered(): Promise<ModuleHarness> {
  const h = await ModuleHarness.create({ model: 'sara-r5' });
  await h.advance(2000);
  assert.equal(await h.send('AT+CEREG=1\r'), 'AT+CEREG=1\r\r\nOK\r\n');
  return h;
}

describe('lab control', () => {
  it('snapshot: registration, signal, contexts, files, profiles as JSON', async () => {
    const h = await registered();
    try {
      const s = labSnapshot(h.module);
      assert.equal(s.model, 'sara-r5');
      assert.equal(s.registration.stat, 1);
      assert.equal(s.registration.coverage, true);
      assert.deepEqual(s.signal, { rssi: -71, rsrp: -95, rsrq: -10, sinr: 13 });
      assert.ok(s.securityProfiles.length > 0);
      assert.deepEqual(s.sockets, []);
      assert.equal(s.radioLink, 'off');
      assert.doesNotThrow(() => JSON.stringify(s));
    } finally {
      await h.close();
    }
  });

  it('coverage off answers +CEREG: 2 at once; back on registers again', async () => {
    const h = await registered();
    try {
      applyControls(h.module, { coverage: false });
      assert.equal(await h.advance(0), '\r\n+CEREG: 2\r\n');
      assert.equal(labSnapshot(h.module).registration.coverage, false);
      applyControls(h.module, { coverage: true });
      assert.equal(await h.advance(2000), '\r\n+CEREG: 1\r\n');
    } finally {
      await h.close();
    }
  });

  it('signal and clock offset show in +CSQ / +CCLK; APNs are refused as configured', async () => {
    const h = await registered();
    try {
      applyControls(h.module, { signal: { rssi: -101 }, clockOffsetMs: 3_600_000, apns: ['lab.apn'] });
      const s = labSnapshot(h.module);
      assert.equal(s.signal.rssi, -101);
      assert.deepEqual(s.apns, ['lab.apn']);
      assert.equal(s.clock.offsetMs, 3_600_000);
      assert.match(await h.send('AT+CSQ\r'), /\+CSQ: 6,/);
    } finally {
      await h.close();
    }
  });

  it('bad input: the documented error, nothing changed', async () => {
    const h = await registered();
    try {
      const before = JSON.stringify(labSnapshot(h.module));
      for (const bad of [null, [], { coverage: 'no' }, { rat: 42 }, { signal: { rssi: 5 } }, { apns: [1] }, { frobnicate: 1 }, { coverage: false, signal: { rsrp: 0 } }]) {
        assert.throws(() => applyControls(h.module, bad), (e: unknown) => e instanceof LabControlError && e.code === 'bad-request', JSON.stringify(bad));
      }
      // A radio spec the link refuses: nothing else in the request applies either.
      assert.throws(() => applyControls(h.module, { coverage: false, radio: 'ltem:nowhere' }), (e: unknown) => e instanceof LabControlError && e.code === 'bad-request');
      assert.equal(JSON.stringify(labSnapshot(h.module)), before);
      assert.equal(await h.advance(0), '');
    } finally {
      await h.close();
    }
  });

  it('radio profile goes to services.radioLink', async () => {
    const h = await registered();
    try {
      applyControls(h.module, { radio: 'ltem:edge' });
      assert.equal(labSnapshot(h.module).radioLink, 'ltem:edge');
      assert.equal(h.module.services.radioLink.spec(), 'ltem:edge');
      applyControls(h.module, { radio: 'off' });
      assert.equal(labSnapshot(h.module).radioLink, 'off');
    } finally {
      await h.close();
    }
  });

  it('RAT change: the module registers again on the new cell', async () => {
    const h = await registered();
    try {
      applyControls(h.module, { rat: 9 });
      assert.equal(await h.advance(0), '\r\n+CEREG: 2\r\n');
      assert.equal(await h.advance(2000), '\r\n+CEREG: 1\r\n');
      assert.equal(labSnapshot(h.module).registration.rat, 9);
    } finally {
      await h.close();
    }
  });

  it('a TLS socket: version, cipher, peer certificate, session reuse; the store and profile 0', async () => {
    const pki = makePki();
    const srv = await tlsServer({ key: pki.server.key, cert: pki.server.cert, maxVersion: 'TLSv1.2' });
    const h = await ublox({ clock: new ManualClock(Date.now()) });
    try {
      h.module.services.certificates.import(0, 'test-ca', Buffer.from(pki.ca.cert));
      for (const command of ['AT+USECPRF=0,0,1', 'AT+USECPRF=0,3,"test-ca"', 'AT+USOCR=6']) assert.match(await at(h, command), /OK\r\n$/, command);
      assert.equal(await at(h, 'AT+USOSEC=0,1,0'), OK);
      assert.match(await atUntil(h, `AT+USOCO=0,"127.0.0.1",${srv.port}`, 'OK'), /OK/);
      const s = labSnapshot(h.module);
      const socket = s.sockets[0]!;
      assert.equal(socket.secure, true);
      assert.equal(socket.tls?.version, 'TLSv1.2');
      assert.match(socket.tls!.cipher, /^TLS_/);
      assert.equal(socket.tls?.sessionReused, false);
      assert.equal(socket.peerCertificate?.subject, 'localhost');
      assert.match(socket.peerCertificate!.fingerprint256, /^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/);
      assert.ok(s.certificates.some((c) => c.name === 'test-ca' && !c.preinstalled));
      assert.deepEqual(
        s.securityProfiles.find((p) => p.id === 0),
        { id: 0, validation: 1, tlsVersion: 0, rootCa: 'test-ca', clientCert: '', serverHostname: '', sni: '', alpn: '', sessionResumption: 0 },
      );
    } finally {
      await h.close();
      await srv.close();
      pki.dispose();
    }
  });
});
