import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { it } from 'node:test';
import { startCloud } from '../src/start.js';
import { httpsJson } from '../src/testing/cloud.js';
import { localServerTls } from '../src/tls-cert.js';

it('startCloud: local CA kept across restarts, request ids in the pino log and the answer, --tls-cert/--tls-key served as given', async () => {
  const state = mkdtempSync(join(tmpdir(), 'modemlab-start-'));
  try {
    const log = new PassThrough();
    let logged = '';
    log.on('data', (c: Buffer) => (logged += c.toString()));
    const first = await startCloud({ listen: { host: '127.0.0.1', port: 0 }, stateDir: state, logDestination: log });
    let caPem: string;
    try {
      assert.match(first.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      caPem = readFileSync(join(state, 'ca.pem'), 'utf8');
      assert.equal(first.caPem, caPem);
      const res = await httpsJson(first.url, caPem, 'GET', '/health', undefined, { 'x-request-id': 'trace-123' });
      assert.equal(res.status, 200);
      assert.equal(res.headers['x-request-id'], 'trace-123');
      const own = await httpsJson(first.url, caPem, 'GET', '/health');
      const lines = logged.trim().split('\n').map((l) => JSON.parse(l) as { reqId?: string; msg: string });
      assert.ok(lines.some((l) => l.reqId === 'trace-123' && l.msg === 'request completed'), logged);
      assert.ok(lines.some((l) => l.reqId === own.headers['x-request-id']));
    } finally {
      await first.close();
    }
    // Restart on another port: a new server certificate, the same trusted CA.
    const second = await startCloud({ listen: { host: '127.0.0.1', port: 0 }, stateDir: state, logLevel: 'silent' });
    try {
      assert.equal(second.caPem, caPem);
      assert.equal((await httpsJson(second.url, caPem, 'GET', '/health')).status, 200);
    } finally {
      await second.close();
    }
    // Our own certificate: made for "localhost" by another CA.
    const other = await localServerTls(join(state, 'other'), 'localhost');
    writeFileSync(join(state, 'own.pem'), other.cert);
    writeFileSync(join(state, 'own.key'), other.key);
    const third = await startCloud({ listen: { host: '127.0.0.1', port: 0 }, stateDir: state, tlsCert: join(state, 'own.pem'), tlsKey: join(state, 'own.key'), logLevel: 'silent' });
    try {
      assert.equal((await httpsJson(third.url, other.caPem, 'GET', '/health')).status, 200);
      await assert.rejects(httpsJson(third.url, caPem, 'GET', '/health'), /self-signed|unable to verify|certificate/);
    } finally {
      await third.close();
    }
    await assert.rejects(startCloud({ stateDir: state, tlsCert: join(state, 'own.pem') }), /--tls-cert and --tls-key go together/);
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});
