import { constants, createPrivateKey } from 'node:crypto';
import type { TLSSocket, TlsOptions } from 'node:tls';
import { makePki, tlsServer, type TestPki } from '../services/tls/tls.testutil.js';

/**
 * Real TLS peers on loopback for transcripts and tests, started and stopped by them:
 * - echo      sends back what it receives
 * - respond   answers each chunk it receives with a reply ("Response of the server!", seed 003 §4.5.2)
 * - http      reads one HTTP request, answers 200 with a short page and closes (seed 003 §4.5.5)
 * - session   first writes "new session\r\n" or "resumed session\r\n" (the server's own
 *             isSessionReused()), then echoes; it keeps a session-ID cache (no tickets)
 * - silent    completes the handshake and never sends anything
 * Flags: tls1 (TLS 1.0 allowed, @SECLEVEL=0, as 2013 modules need), mutual (a client
 * certificate issued by the test CA is required).
 */
export type PeerKind = 'echo' | 'respond' | 'http' | 'session' | 'silent';
export const PEER_KINDS: readonly PeerKind[] = ['echo', 'respond', 'http', 'session', 'silent'];

export interface Peer {
  port: number;
  /** Every connection the peer accepted, in order, and whether it resumed a session. */
  connections: { resumed: boolean; authorized: boolean }[];
  /** Bytes received and sent over all connections; connections that have closed. */
  received: number;
  sent: number;
  closed: number;
  /** Sees every chunk the peer receives. */
  onData?: (data: Buffer) => void;
  /** Ends every open connection (close_notify and FIN): a remote close. */
  endAll(): void;
  close(): Promise<void>;
}

let shared: TestPki | undefined;

/** One test PKI per process (generating keys is slow); its files are read into memory at once. */
export function sharedPki(): TestPki {
  if (!shared) {
    shared = makePki();
    shared.dispose();
  }
  return shared;
}

/** Named test files a transcript can send: PEM of the CA, the client certificate and its key (PKCS#8 and PKCS#1). */
export function pkiFile(name: string): Buffer {
  const pki = sharedPki();
  switch (name) {
    case 'ca.pem':
      return Buffer.from(pki.ca.cert);
    case 'client.pem':
      return Buffer.from(pki.client.cert);
    case 'client.key':
      return Buffer.from(pki.client.key);
    case 'client-rsa.key':
      return Buffer.from(createPrivateKey(pki.client.key).export({ type: 'pkcs1', format: 'pem' }) as string);
    case 'ca.der':
      return Buffer.from(pki.ca.x509.raw);
    case 'client.der':
      return Buffer.from(pki.client.x509.raw);
    case 'client-rsa.der':
      return createPrivateKey(pki.client.key).export({ type: 'pkcs1', format: 'der' }) as Buffer;
    default:
      throw new Error(`no test file ${name}`);
  }
}

export async function startPeer(kind: PeerKind, flags: readonly string[] = [], reply = 'Response of the server!'): Promise<Peer> {
  const pki = sharedPki();
  const options: TlsOptions = { cert: pki.server.cert, key: pki.server.key };
  if (flags.includes('tls1')) Object.assign(options, { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' });
  if (flags.includes('mutual')) Object.assign(options, { requestCert: true, rejectUnauthorized: true, ca: [pki.ca.cert] });
  const sessions = new Map<string, Buffer>();
  if (kind === 'session') options.secureOptions = constants.SSL_OP_NO_TICKET;
  const live = new Set<TLSSocket>();
  const peer: Peer = {
    port: 0,
    connections: [],
    received: 0,
    sent: 0,
    closed: 0,
    endAll: () => {
      for (const s of live) s.end();
    },
    close: async () => {},
  };
  const server = await tlsServer(options, (s: TLSSocket) => {
    live.add(s);
    peer.connections.push({ resumed: s.isSessionReused(), authorized: s.authorized });
    s.on('data', (d: Buffer) => {
      peer.received += d.length;
      peer.onData?.(d);
    });
    const write = s.write.bind(s);
    s.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      peer.sent += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof s.write;
    s.once('close', () => {
      live.delete(s);
      peer.closed++;
    });
    behave(kind, s, reply);
  });
  if (kind === 'session') {
    server.server.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
      sessions.set(id.toString('hex'), data);
      done();
    });
    server.server.on('resumeSession', (id: Buffer, done: (err: Error | null, data: Buffer | null) => void) => {
      done(null, sessions.get(id.toString('hex')) ?? null);
    });
  }
  peer.port = server.port;
  peer.close = () => server.close();
  return peer;
}

function behave(kind: PeerKind, s: TLSSocket, reply: string): void {
  switch (kind) {
    case 'echo':
      s.on('data', (d: Buffer) => s.write(d));
      return;
    case 'respond':
      s.on('data', () => s.write(reply));
      return;
    case 'session':
      s.write(s.isSessionReused() ? 'resumed session\r\n' : 'new session\r\n');
      s.on('data', (d: Buffer) => s.write(d));
      return;
    case 'http': {
      let request = '';
      s.on('data', (d: Buffer) => {
        request += d.toString('latin1');
        if (!request.includes('\r\n\r\n')) return;
        const body = '<html><body>modemlab</body></html>\n';
        s.write(`HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
        s.end();
      });
      return;
    }
    case 'silent':
      return;
  }
}
