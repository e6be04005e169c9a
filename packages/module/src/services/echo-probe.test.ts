import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { systemPing, tcpEchoProbe } from './echo-probe.js';


describe('echo probes', () => {
  it('pings the loopback for real with the system ping', async () => {
    const r = await systemPing({ address: '127.0.0.1', size: 32, ttl: 32, timeoutMs: 2000 });
    assert.equal(r.kind, 'reply');
    if (r.kind === 'reply') {
      assert.ok(r.rttMs >= 0);
      assert.ok(r.ttl > 0);
    }
  });

  it('measures tiny payloads that carry no timestamp', async () => {
    const r = await systemPing({ address: '127.0.0.1', size: 4, ttl: 32, timeoutMs: 2000 });
    assert.equal(r.kind, 'reply');
  });

  it('falls back to a TCP probe: a refused connection is a round trip', async () => {
    const r = await tcpEchoProbe({ address: '127.0.0.1', size: 32, ttl: 32, timeoutMs: 1000 });
    assert.equal(r.kind, 'reply');
    if (r.kind === 'reply') {
      assert.equal(r.ttl, 64);
      assert.ok(r.rttMs >= 0);
    }
  });
});
