import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { DnsService } from './dns.js';
import type { EchoOutcome } from './echo-probe.js';
import { networkStack } from './network/network.testutil.js';
import { PingService, type EchoReport } from './ping.js';

describe('ping service', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  const setup = (outcomes: EchoOutcome[], registered = true) => {
    const s = networkStack();
    dirs.push(s.dir);
    s.powerOn();
    if (registered) s.clock.advance(2000);
    const dns = new DnsService(new Map([['host.test', '192.0.2.7']]), s.operator, s.pdp);
    const requests: unknown[] = [];
    const ping = new PingService(dns, async (req) => {
      requests.push(req);
      return outcomes.shift() ?? { kind: 'timeout' };
    });
    const echoes: EchoReport[] = [];
    const failures: unknown[] = [];
    const done = new Promise<void>((resolve) => {
      ping.on('done', () => resolve());
      ping.on('failure', (f) => {
        failures.push(f);
        resolve();
      });
    });
    ping.on('echo', (e) => echoes.push(e));
    return { ping, echoes, failures, done, requests };
  };

  it('reports every echo with the resolved address, -1 for timeouts, -2 for TTL exceeded', async () => {
    const { ping, echoes, done, requests } = setup([{ kind: 'reply', ttl: 115, rttMs: 62 }, { kind: 'timeout' }, { kind: 'ttl-exceeded' }]);
    ping.start({ host: 'host.test', count: 3, size: 32, timeoutMs: 5000, ttl: 32, owner: 'me' });
    await done;
    assert.deepEqual(
      echoes.map((e) => [e.seq, e.size, e.host, e.address, e.ttl, e.rttMs, e.owner]),
      [
        [1, 32, 'host.test', '192.0.2.7', 115, 62, 'me'],
        [2, 32, 'host.test', '192.0.2.7', 32, -1, 'me'],
        [3, 32, 'host.test', '192.0.2.7', 32, -2, 'me'],
      ],
    );
    assert.deepEqual(requests[0], { address: '192.0.2.7', size: 32, ttl: 32, timeoutMs: 5000 });
  });

  it('fails without a data path, and for names that do not resolve', async () => {
    const offline = setup([], false);
    offline.ping.start({ host: 'host.test', count: 1, size: 32, timeoutMs: 100, ttl: 32, owner: 1 });
    await offline.done;
    assert.deepEqual(offline.failures, [{ owner: 1, reason: 'not-registered' }]);
    const unknown = setup([]);
    unknown.ping.start({ host: 'nonexistent.invalid', count: 1, size: 32, timeoutMs: 100, ttl: 32, owner: 2 });
    await unknown.done;
    assert.equal((unknown.failures[0] as { reason: string }).reason.match(/host-not-found|dns-failure/) !== null, true);
  });

  it('abandons pings in progress when stopped', async () => {
    const { ping, echoes } = setup([{ kind: 'reply', ttl: 64, rttMs: 1 }]);
    ping.start({ host: 'host.test', count: 4, size: 32, timeoutMs: 100, ttl: 32, owner: 'x' });
    ping.stop();
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(echoes, []);
  });
});
