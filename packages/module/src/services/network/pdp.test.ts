import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { ServiceError } from '../errors.js';
import { networkStack } from './network.testutil.js';

const reason = (r: string) => (e: unknown) => e instanceof ServiceError && e.reason === r;

describe('PDP contexts', () => {
  const dirs: string[] = [];
  const stack = (...args: Parameters<typeof networkStack>) => {
    const s = networkStack(...args);
    dirs.push(s.dir);
    return s;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('activates the default bearer at attach, granting IPv4 only to IPV4V6', () => {
    const { pdp, clock, events, powerOn } = stack();
    powerOn();
    assert.deepEqual(pdp.definition(1), { cid: 1, type: 'IPV4V6', apn: '', auth: 0, username: '', password: '' });
    assert.equal(pdp.isActive(1), false);
    clock.advance(2000);
    const c = pdp.context(1)!;
    assert.equal(c.assignedType, 'IP');
    assert.equal(c.ipv4, '100.108.232.233');
    assert.equal(c.ipv6, undefined);
    assert.equal(c.apn, 'internet');
    assert.deepEqual(events, [{ cid: 1, active: true, initiator: 'me', cause: 'attach', grant: 'ipv4-only' }]);
  });

  it('grants both families when the network is dual stack', () => {
    const { pdp, clock, powerOn } = stack({ ipv4v6Grant: 'IPV4V6' });
    powerOn();
    clock.advance(2000);
    const c = pdp.context(1)!;
    assert.equal(c.assignedType, 'IPV4V6');
    assert.equal(c.ipv4, '100.108.232.233');
    assert.equal(c.ipv6, '2001:db8:100:0:0:0:0:1');
  });

  it('keeps definitions in NVM and refuses to redefine an active context', () => {
    const s = stack();
    s.powerOn();
    s.pdp.define(2, 'IPV6', 'v6.apn');
    s.clock.advance(2000);
    assert.throws(() => s.pdp.define(1, 'IP', 'x'), reason('context-active'));
    assert.equal(s.pdp.definition(1)!.type, 'IPV4V6');
    s.pdp.powerOff();
    s.pdp.powerOn();
    assert.deepEqual(s.pdp.definition(2), { cid: 2, type: 'IPV6', apn: 'v6.apn', auth: 0, username: '', password: '' });
    assert.equal(s.pdp.isActive(1), false);
  });

  it('resets the default bearer instead of deleting it', () => {
    const { pdp, powerOn } = stack({ coverage: false });
    powerOn();
    pdp.define(1, 'IP', 'a');
    pdp.undefine(1);
    assert.equal(pdp.definition(1)!.type, 'IPV4V6');
    pdp.define(3, 'IP', 'b');
    pdp.undefine(3);
    assert.equal(pdp.definition(3), undefined);
  });

  it('checks registration, definition and the active limit before activating', () => {
    const { pdp, clock, powerOn } = stack();
    powerOn();
    pdp.define(2, 'IP', 'b');
    assert.throws(() => pdp.activate(2), reason('not-registered'));
    clock.advance(2000);
    assert.throws(() => pdp.activate(5), reason('undefined-context'));
    pdp.define(3, 'IP', 'c');
    pdp.define(4, 'IP', 'd');
    assert.equal(pdp.activate(2).ipv4, '100.108.232.234');
    pdp.activate(3);
    assert.throws(() => pdp.activate(4), reason('too-many-active'));
    assert.equal(pdp.isActive(4), false);
    pdp.deactivate(3);
    pdp.activate(4);
    // A context that comes back gets its old address again.
    pdp.deactivate(2);
    assert.equal(pdp.activate(2).ipv4, '100.108.232.234');
  });

  it('drops every context when registration is lost, by the network on coverage loss', () => {
    const { pdp, clock, operator, events, powerOn } = stack();
    const detaches: string[] = [];
    pdp.on('detach', (d) => detaches.push(d.initiator));
    powerOn();
    clock.advance(2000);
    events.length = 0;
    operator.setCoverage(false);
    assert.deepEqual(events, [{ cid: 1, active: false, initiator: 'nw', cause: 'coverage-lost' }]);
    operator.setCoverage(true);
    clock.advance(2000);
    events.length = 0;
    operator.setFunctionality(0);
    assert.deepEqual(events, [{ cid: 1, active: false, initiator: 'me', cause: 'detach' }]);
    assert.deepEqual(detaches, ['me']);
  });

  it('counts bytes per session and in total, and keeps the RRC connection up', () => {
    const { pdp, clock, operator, powerOn } = stack();
    powerOn();
    clock.advance(2000);
    clock.advance(10_000);
    assert.equal(operator.rrcConnected, false);
    pdp.countBytes(1, 100, 2000);
    pdp.countBytes(1, 10, 20);
    assert.equal(operator.rrcConnected, true);
    assert.deepEqual(pdp.countersOf(1), { sentSession: 110, receivedSession: 2020, sentTotal: 110, receivedTotal: 2020 });
    pdp.deactivate(1);
    pdp.activate(1);
    assert.deepEqual(pdp.countersOf(1), { sentSession: 0, receivedSession: 0, sentTotal: 110, receivedTotal: 2020 });
    pdp.countBytes(1, 5, 6);
    pdp.setTotals(1, 0, 0);
    assert.deepEqual(pdp.countersOf(1), { sentSession: 0, receivedSession: 0, sentTotal: 0, receivedTotal: 0 }, 'session counters start over too');
    pdp.setTotals(1, 7, 8);
    assert.deepEqual(pdp.countersOf(1), { sentSession: 0, receivedSession: 0, sentTotal: 7, receivedTotal: 8 });
  });
});
