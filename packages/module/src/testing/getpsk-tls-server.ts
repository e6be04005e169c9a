import { once } from 'node:events';
import { connect as netConnect, createServer as netServer, type AddressInfo, type Socket } from 'node:net';
import { createServer as tlsServer, type TLSSocket } from 'node:tls';

/** Resolves a PSK identity to its key (a customer backend calling the cloud's GetPSK). */
export type PskResolver = (identity: string) => Promise<Buffer | undefined>;

export interface GetPskTlsServer {
  port: number;
  /** Identities the server looked up, in order. */
  identities: string[];
  /** Secured connections, for the test to talk over. */
  connections: TLSSocket[];
  close(): Promise<void>;
}

const RECORD_HANDSHAKE = 22;
const RECORD_CHANGE_CIPHER_SPEC = 20;
const CLIENT_KEY_EXCHANGE = 16;

/**
 * A TLS 1.2 PSK server whose PSK comes from the identity the client sends (seed 001
 * §6.1.1.1 steps 4-7): OpenSSL's PSK callback is synchronous and node:tls's too, while
 * GetPSK is an HTTPS call. So a front on the listening port reads the client's plaintext
 * records; when the ClientKeyExchange (which carries the identity) arrives it holds the
 * bytes, asks `resolve` (GetPSK over REST), caches the answer, then lets the record through
 * to the real node:tls server, whose pskCallback finds the key in the cache.
 */
export async function startGetPskTlsServer(resolve: PskResolver, opts: { ciphers?: string; onData?: (s: TLSSocket, d: Buffer) => void } = {}): Promise<GetPskTlsServer> {
  const keys = new Map<string, Buffer>();
  const identities: string[] = [];
  const connections: TLSSocket[] = [];
  const tls = tlsServer({
    ciphers: opts.ciphers ?? 'PSK-AES128-GCM-SHA256:PSK-AES256-GCM-SHA384:PSK-AES128-CBC-SHA256:PSK-AES128-CBC-SHA',
    maxVersion: 'TLSv1.2',
    pskCallback: (_socket, identity) => keys.get(identity) ?? null,
  });
  tls.on('secureConnection', (s: TLSSocket) => {
    connections.push(s);
    s.on('data', (d: Buffer) => opts.onData?.(s, d));
    s.on('error', () => undefined);
  });
  tls.on('tlsClientError', () => undefined);
  tls.listen(0, '127.0.0.1');
  await once(tls, 'listening');
  const inner = (tls.address() as AddressInfo).port;

  const sockets = new Set<Socket>();
  const front = netServer((client) => {
    const server = netConnect(inner, '127.0.0.1');
    sockets.add(client);
    sockets.add(server);
    const end = () => {
      client.destroy();
      server.destroy();
    };
    client.on('error', end).on('close', end);
    server.on('error', end).on('close', end);
    server.pipe(client);
    let pending = Buffer.alloc(0);
    let clear = true; // handshake records are plaintext until ChangeCipherSpec
    let queue = Promise.resolve();
    client.on('data', (chunk: Buffer) => {
      if (!clear) {
        queue = queue.then(() => void server.write(chunk));
        return;
      }
      pending = Buffer.concat([pending, chunk]);
      while (clear && pending.length >= 5) {
        const len = pending.readUInt16BE(3);
        if (pending.length < 5 + len) break;
        const record = pending.subarray(0, 5 + len);
        pending = pending.subarray(5 + len);
        const type = record[0];
        if (type === RECORD_CHANGE_CIPHER_SPEC) clear = false;
        let identity: string | undefined;
        if (type === RECORD_HANDSHAKE && record[5] === CLIENT_KEY_EXCHANGE && record.length >= 11) {
          const idLen = record.readUInt16BE(9);
          identity = record.subarray(11, 11 + idLen).toString('latin1');
        }
        queue = queue.then(async () => {
          if (identity !== undefined) {
            identities.push(identity);
            const key = await resolve(identity).catch(() => undefined);
            if (key) keys.set(identity, key);
          }
          server.write(record);
        });
      }
      if (!clear && pending.length) {
        const rest = pending;
        pending = Buffer.alloc(0);
        queue = queue.then(() => void server.write(rest));
      }
    });
  });
  front.listen(0, '127.0.0.1');
  await once(front, 'listening');
  return {
    port: (front.address() as AddressInfo).port,
    identities,
    connections,
    async close() {
      for (const s of sockets) s.destroy();
      for (const c of connections) c.destroy();
      await Promise.all([new Promise<void>((r) => front.close(() => r())), new Promise<void>((r) => tls.close(() => r()))]);
    },
  };
}
