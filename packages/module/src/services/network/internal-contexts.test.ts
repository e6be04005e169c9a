import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { ServiceError } from '../errors.js';
import { networkStack } from './network.testutil.js';

const reason = (r: string) => (e: unknown) => e instanceof ServiceError && e.reason === r;

describe('internal contexts (PSD profiles)', () => {
  const dirs: string[] = [];
  const stack = (...args: Parameters<typeof networkStack>) => {
    const s = networkStack(...args);
    dirs.push(s.dir);
    s.powerOn();
    s.clock.advance(2000);
    return s;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('refuses a profile type that differs from the assigned one, changing nothing', () => {
    const { internal } = stack();
    const activated: unknown[] = [];
    internal.on('activated', (a) => activated.push(a));
    assert.throws(() => internal.activate(0), reason('ip-type-mismatch'));
    assert.equal(internal.status(0).active, false);
    internal.configure(0, { ipType: 'ipv4' });
    assert.equal(internal.activate(0), '100.108.232.233');
    assert.deepEqual(activated, [{ profile: 0, address: '100.108.232.233' }]);
    assert.deepEqual(internal.status(0), { active: true, address: '100.108.232.233', dns: ['8.8.8.8', '8.8.4.4'] });
  });

  it('ignores the type when the model does not check it', () => {
    const { internal } = stack({}, { typeMustMatch: false });
    assert.equal(internal.activate(0), '100.108.232.233');
  });

  it('allows one active profile at a time', () => {
    const { internal } = stack();
    internal.configure(0, { ipType: 'ipv4' });
    internal.configure(1, { ipType: 'ipv4' });
    internal.activate(0);
    assert.throws(() => internal.activate(0), reason('profile-active'));
    assert.throws(() => internal.activate(1), reason('profile-busy'));
    assert.throws(() => internal.deactivate(1), reason('profile-not-active'));
  });

  it('activates (and defines) the mapped context when needed', () => {
    const { internal, pdp } = stack();
    internal.configure(2, { ipType: 'ipv4', cid: 3, apn: 'x.apn' });
    assert.equal(internal.activate(2), '100.108.232.234');
    assert.deepEqual(pdp.definition(3)?.type, 'IP');
    assert.equal(pdp.context(3)?.apn, 'x.apn');
    internal.deactivate(2);
    assert.equal(pdp.isActive(3), false, 'a secondary context ends with its profile');
  });

  it('keeps the default bearer when its profile is deactivated', () => {
    const { internal, pdp } = stack();
    const gone: unknown[] = [];
    internal.on('deactivated', (d) => gone.push(d));
    internal.configure(0, { ipType: 'ipv4' });
    internal.activate(0);
    internal.deactivate(0);
    assert.equal(pdp.isActive(1), true);
    assert.deepEqual(gone, [{ profile: 0, cause: 'request' }]);
  });

  it('reports the profile lost with its context, and refuses when not registered', () => {
    const { internal, operator } = stack();
    const gone: unknown[] = [];
    internal.on('deactivated', (d) => gone.push(d));
    internal.configure(0, { ipType: 'ipv4' });
    internal.activate(0);
    operator.setCoverage(false);
    assert.deepEqual(gone, [{ profile: 0, cause: 'context-lost' }]);
    assert.throws(() => internal.activate(0), reason('not-registered'));
  });

  it('refuses an APN that differs from the context definition', () => {
    const { internal, pdp } = stack();
    pdp.define(2, 'IP', 'one');
    internal.configure(0, { ipType: 'ipv4', cid: 2, apn: 'two' });
    assert.throws(() => internal.activate(0), reason('apn-mismatch'));
    assert.equal(pdp.isActive(2), false);
  });

  it('resets, stores and loads profiles', () => {
    const s = stack();
    s.internal.configure(0, { ipType: 'ipv4', apn: 'kept' });
    s.internal.store(0);
    s.internal.configure(0, { apn: 'changed' });
    s.internal.load(0);
    assert.equal(s.internal.profile(0).apn, 'kept');
    s.internal.reset(0);
    assert.equal(s.internal.profile(0).apn, '');
    assert.equal(s.internal.profile(0).ipType, 'ipv4v6-prefer-v4');
    s.internal.powerOn();
    assert.equal(s.internal.profile(0).apn, 'kept', 'power-up loads the stored profile');
  });
});
