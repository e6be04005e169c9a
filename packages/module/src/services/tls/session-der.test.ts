import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type Server, type TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { buildSession, parseSession } from './session-der.js';

/** A TLS 1.2 server that resumes by session ID only (no tickets), with its own cache. */
function sessionIdServer(key: Buffer, cert: Buffer): Server {
  const cache = new Map<string, Buffer>();
  const server = createServer({ key, cert, maxVersion: 'TLSv1.2', secureOptions: constants.SSL_OP_NO_TICKET }, (s) => s.end('hi'));
  server.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
    cache.set(id.toString('hex'), data);
    done();
  });
  server.on('resumeSession', (id: Buffer, done: (err: Error | null, data?: Buffer | null) => void) => done(null, cache.get(id.toString('hex')) ?? null));
  return server;
}

function dial(port: number, session?: Buffer): Promise<{ socket: TLSSocket; session: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...(session ? { session } : {}) });
    let got: Buffer | undefined;
    socket.once('session', (s: Buffer) => (got = s));
    socket.on('error', reject);
    socket.on('data', () => {});
    socket.on('end', () => resolve({ socket, session: got ?? socket.getSession()! }));
  });
}

describe('SSL_SESSION DER', () => {
  let dir: string;
  let server: Server;
  let port: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'modemlab-sess-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '2', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    server = sessionIdServer(readFileSync(join(dir, 'k.pem')), readFileSync(join(dir, 'c.pem')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the session ID and master key of a real session', async () => {
    const first = await dial(port);
    const f = parseSession(first.session);
    assert.equal(f.version, 0x0303);
    assert.equal(f.sessionId.length, 32);
    assert.equal(f.masterKey.length, 48);
    assert.ok([0xc02f, 0xc030].includes(f.cipher), `an ECDHE-RSA-AES-GCM suite, got ${f.cipher.toString(16)}`);
    assert.ok(f.peerCertificate && f.peerCertificate.length > 100);
  });

  it('resumes for real from a session rebuilt out of ID and master key', async () => {
    const first = await dial(port);
    const f = parseSession(first.session);
    const rebuilt = buildSession({ version: f.version, cipher: f.cipher, sessionId: f.sessionId, masterKey: f.masterKey, peerCertificate: f.peerCertificate! });
    const second = await dial(port, rebuilt);
    assert.equal(second.socket.isSessionReused(), true, 'the server accepted the abbreviated handshake');
    assert.deepEqual(parseSession(second.session).sessionId, f.sessionId);
  });

  it('an unknown session ID gives a full handshake, not a failure', async () => {
    const first = await dial(port);
    const f = parseSession(first.session);
    const wrong = buildSession({ ...f, sessionId: Buffer.alloc(32, 7), ticket: undefined });
    const second = await dial(port, wrong);
    assert.equal(second.socket.isSessionReused(), false);
  });
});
