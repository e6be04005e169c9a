import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyControls, labSnapshot, LabControlError, type RadioLinkControl } from './lab-control.js';
import { ModuleHarness } from './testing/harness.js';

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
      assert.equal(s.radioLink, null);
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
      assert.throws(() => applyControls(h.module, { coverage: false, radio: 'ltem:edge' }), (e: unknown) => e instanceof LabControlError && e.code === 'not-implemented');
      assert.equal(JSON.stringify(labSnapshot(h.module)), before);
      assert.equal(await h.advance(0), '');
    } finally {
      await h.close();
    }
  });

  it('radio profile goes to services.radioLink when the module has one', async () => {
    const h = await registered();
    try {
      let spec: unknown = 'good';
      const link: RadioLinkControl = { set: (s) => void (spec = s), spec: () => spec };
      Object.assign(h.module.services, { radioLink: link });
      applyControls(h.module, { radio: 'ltem:edge' });
      assert.equal(labSnapshot(h.module).radioLink, 'ltem:edge');
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
});
