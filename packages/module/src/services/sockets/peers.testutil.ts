import { execFileSync } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';

/** A real peer on the loopback, started by a test. */
export interface TcpPeer {
  port: number;
  /** Connections the peer accepted, newest last. */
  connections: Socket[];
  /** Resolves when the peer has accepted `n` connections in all. */
  accepted(n?: number): Promise<Socket>;
  close(): Promise<void>;
}

function track(server: Server, onConnection: (s: Socket) => void): Promise<TcpPeer> {
  const connections: Socket[] = [];
  let waiters: Array<() => void> = [];
  server.on('connection', (s: Socket) => {
    s.on('error', () => {});
    connections.push(s);
    onConnection(s);
    const w = waiters;
    waiters = [];
    for (const fn of w) fn();
  });
  server.on('secureConnection', (s: Socket) => {
    s.on('error', () => {});
    onConnection(s);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        connections,
        accepted(n = 1) {
          return new Promise((res) => {
            const check = () => (connections.length >= n ? res(connections[n - 1]!) : waiters.push(check));
            check();
          });
        },
        close() {
          for (const c of connections) c.destroy();
          return new Promise((res) => server.close(() => res()));
        },
      });
    });
  });
}

/** Echoes every byte back. */
export const echoServer = (): Promise<TcpPeer> => track(createServer(), (s) => s.pipe(s));

/** Sends `greeting`, then closes its side (FIN). */
export const closingServer = (greeting: string): Promise<TcpPeer> => track(createServer(), (s) => s.end(greeting));

/** Resets the connection (RST) as soon as any byte arrives. */
export const resetServer = (): Promise<TcpPeer> => track(createServer(), (s) => s.once('data', () => s.resetAndDestroy()));

/** Accepts and then never reads nor writes: the kernel buffers fill and the window closes. */
export const stallServer = (): Promise<TcpPeer> => track(createServer({ pauseOnConnect: true }), () => {});

/** A self-signed certificate made by the openssl CLI, and a TLS echo server using it. */
export function selfSigned(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-cert-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const tlsEchoServer = (credentials: { key: Buffer; cert: Buffer }): Promise<TcpPeer> =>
  track(createTlsServer(credentials), (s) => {
    if ('encrypted' in s) s.pipe(s);
  });

export interface UdpPeer {
  port: number;
  socket: UdpSocket;
  close(): Promise<void>;
}

/** Sends every datagram back to its sender. */
export function udpEcho(): Promise<UdpPeer> {
  const socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => socket.send(msg, rinfo.port, rinfo.address));
  return new Promise((resolve) => {
    socket.bind(0, '127.0.0.1', () => {
      resolve({ port: socket.address().port, socket, close: () => new Promise((res) => socket.close(() => res())) });
    });
  });
}

/** A loopback TCP port nothing listens on (connects to it are refused). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A UDP port free on loopback now, other than those in `not`. */
export async function freeUdpPort(...not: number[]): Promise<number> {
  for (;;) {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const port = socket.address().port;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    if (!not.includes(port)) return port;
  }
}

/** Real time passes (for real I/O the test waits on). */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
