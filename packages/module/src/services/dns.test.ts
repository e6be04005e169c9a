import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { DnsService, type Resolver } from './dns.js';
import { ServiceError } from './errors.js';
import { networkStack } from './network/network.testutil.js';

const reason = (r: string) => (e: unknown) => e instanceof ServiceError && e.reason === r;

const fakeResolver = (table: Record<string, string>): Resolver => ({
  lookup: async (name) => {
    if (table[name]) return table[name]!;
    throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  },
  reverse: async (ip) => {
    const hit = Object.entries(table).find(([, v]) => v === ip);
    if (hit) return [hit[0]];
    throw Object.assign(new Error('servfail'), { code: 'ESERVFAIL' });
  },
});

describe('DNS service', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const setup = (registered = true) => {
    const s = networkStack();
    dirs.push(s.dir);
    s.powerOn();
    if (registered) s.clock.advance(2000);
    const hosts = new Map([['www.google.com', '216.239.59.147']]);
    return { ...s, dns: new DnsService(hosts, s.operator, s.pdp, fakeResolver({ 'real.example': '192.0.2.10' })) };
  };

  it('answers from the host table first, whatever the case', async () => {
    const { dns } = setup();
    assert.equal(await dns.resolve('www.google.com'), '216.239.59.147');
    assert.equal(await dns.resolve('WWW.Google.COM'), '216.239.59.147');
    assert.equal(await dns.reverse('216.239.59.147'), 'www.google.com');
  });

  it('falls back to the resolver and maps its errors', async () => {
    const { dns } = setup();
    assert.equal(await dns.resolve('real.example'), '192.0.2.10');
    assert.equal(await dns.resolve('10.1.2.3'), '10.1.2.3');
    assert.equal(await dns.reverse('192.0.2.10'), 'real.example');
    await assert.rejects(dns.resolve('missing.example'), reason('host-not-found'));
    await assert.rejects(dns.reverse('192.0.2.99'), reason('dns-failure'));
  });

  it('needs registration and an active context', async () => {
    const unregistered = setup(false);
    await assert.rejects(unregistered.dns.resolve('www.google.com'), reason('not-registered'));
    const s = setup();
    s.pdp.deactivate(1);
    await assert.rejects(s.dns.resolve('www.google.com'), reason('no-data-path'));
  });

  it('uses the system resolver by default', async () => {
    const s = networkStack();
    dirs.push(s.dir);
    s.powerOn();
    s.clock.advance(2000);
    const dns = new DnsService(new Map(), s.operator, s.pdp);
    assert.equal(await dns.resolve('localhost'), '127.0.0.1');
  });
});
