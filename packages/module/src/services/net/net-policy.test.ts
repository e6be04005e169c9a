import assert from 'node:assert/strict';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, describe, it } from 'node:test';
import { ublox } from '../../dialects/ublox/ublox.testutil.js';
import { createModule } from '../../module.js';
import { DnsService, type Resolver } from '../dns.js';
import { ServiceError } from '../errors.js';
import { networkStack } from '../network/network.testutil.js';
import { PingService } from '../ping.js';
import { SocketError } from './errors.js';
import { isLoopback, NetPolicy } from './net-policy.js';

/** An IPv4 address of this machine that is not loopback (a LAN interface), if it has one. */
function machineAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

const recordingResolver = (asked: string[]): Resolver => ({
  lookup: async (name) => {
    asked.push(name);
    return '192.0.2.44';
  },
  reverse: async (address) => {
    asked.push(address);
    return ['public.example'];
  },
});

describe('lab network policy', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const stack = () => {
    const s = networkStack();
    dirs.push(s.dir);
    s.powerOn();
    s.clock.advance(2000);
    return s;
  };

  it('is the default of every module a test (or an embedding) creates', async () => {
    const h = await ublox();
    try {
      assert.equal(h.module.net, 'lab');
    } finally {
      await h.close();
    }
    const s = stack();
    const m = await createModule({ model: 'sara-r5', stateDir: s.dir });
    try {
      assert.equal(m.net, 'lab');
    } finally {
      await m.close();
    }
  });

  // The guard of the whole test suite: if test modules could reach past loopback, this fails.
  it("a test module cannot reach this machine's own non-loopback address; an open one can", { skip: machineAddress() === undefined && 'no non-loopback IPv4 interface' }, async () => {
    const address = machineAddress()!;
    let accepted = 0;
    const server = createServer((s) => {
      accepted++;
      s.on('error', () => {}).end();
    });
    server.listen(0, '0.0.0.0');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const logged: string[] = [];
    const lab = await ublox({ log: (m) => logged.push(m) });
    const open = await ublox({ net: 'open' });
    try {
      await assert.rejects(lab.module.services.dialer.connect({ host: address, port }), (e: unknown) => e instanceof SocketError && e.errno === 'EHOSTUNREACH');
      assert.equal(accepted, 0);
      assert.deepEqual(logged, [`net lab: refused tcp ${address}:${port} (not loopback, not in --hosts/--forward)`]);
      const conn = await open.module.services.dialer.connect({ host: address, port });
      conn.stream.destroy();
    } finally {
      await lab.close();
      await open.close();
      server.close();
    }
  });

  it('lets through loopback, the host table and the forward targets only', () => {
    const policy = new NetPolicy('lab', new Map([['lan.test', '10.1.2.3']]), ['10.9.9.9']);
    assert.deepEqual(
      ['127.0.0.1', '127.8.0.1', '::1', '::ffff:127.0.0.1', '10.1.2.3', '10.9.9.9', '10.1.2.4', '8.8.8.8', '192.0.2.1'].map((a) => policy.allowsAddress(a, 'tcp')),
      [true, true, true, true, true, true, false, false, false],
    );
    assert.equal(new NetPolicy('open', new Map(), []).allowsAddress('8.8.8.8', 'udp'), true);
    assert.equal(isLoopback('128.0.0.1'), false);
  });

  it('in lab mode no name leaves for the real resolver: unknown names do not exist, localhost is loopback', async () => {
    const s = stack();
    const asked: string[] = [];
    const logged: string[] = [];
    const policy = new NetPolicy('lab', new Map(), [], (m) => logged.push(m));
    const dns = new DnsService(new Map([['lab.test', '10.0.0.7']]), s.operator, s.pdp, recordingResolver(asked), policy);
    assert.equal(await dns.resolve('lab.test'), '10.0.0.7');
    assert.equal(await dns.resolve('localhost'), '127.0.0.1');
    assert.equal(await dns.resolve('LOCALHOST.'), '127.0.0.1');
    const notFound = (e: unknown) => e instanceof ServiceError && e.reason === 'host-not-found';
    await assert.rejects(dns.resolve('www.u-blox.com'), notFound);
    await assert.rejects(dns.reverse('192.0.2.44'), notFound);
    assert.equal(await dns.reverse('10.0.0.7'), 'lab.test');
    assert.deepEqual(asked, []);
    assert.deepEqual(logged, ['net lab: refused name www.u-blox.com (not loopback, not in --hosts/--forward)', 'net lab: refused name 192.0.2.44 (not loopback, not in --hosts/--forward)']);
    // Open: the same names go to the resolver.
    const openDns = new DnsService(new Map(), s.operator, s.pdp, recordingResolver(asked), new NetPolicy('open', new Map(), []));
    assert.equal(await openDns.resolve('www.u-blox.com'), '192.0.2.44');
    assert.deepEqual(asked, ['www.u-blox.com']);
  });

  it('ping: an echo to a refused address is lost (-1), never sent', async () => {
    const s = stack();
    const policy = new NetPolicy('lab', new Map(), []);
    const dns = new DnsService(new Map(), s.operator, s.pdp, undefined, policy);
    const probed: unknown[] = [];
    const ping = new PingService(
      dns,
      async (req) => {
        probed.push(req);
        return { kind: 'reply', ttl: 64, rttMs: 1 };
      },
      () => 0,
      policy,
    );
    const rtts: number[] = [];
    ping.on('echo', (e) => rtts.push(e.rttMs));
    const done = once(ping, 'done');
    ping.start({ host: '192.0.2.1', count: 2, size: 32, timeoutMs: 1, ttl: 64, owner: 1 });
    await done;
    assert.deepEqual(rtts, [-1, -1]);
    assert.deepEqual(probed, []);
    const loop = once(ping, 'done');
    ping.start({ host: '127.0.0.1', count: 1, size: 32, timeoutMs: 1, ttl: 64, owner: 1 });
    await loop;
    assert.deepEqual(rtts, [-1, -1, 1]);
    assert.equal(probed.length, 1);
  });
});
