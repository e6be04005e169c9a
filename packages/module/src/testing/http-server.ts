import { constants } from 'node:crypto';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { SecureVersion, TLSSocket } from 'node:tls';

/** A request as the test server received it, body read whole. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** HTTPS: whether the TLS session was resumed (the server's view). */
  resumed?: boolean;
}

export type TestHandler = (req: RecordedRequest, res: ServerResponse) => void;

export interface TestHttpServer {
  port: number;
  server: Server;
  requests: RecordedRequest[];
  /** Stops listening and ends every connection still open. */
  close(): Promise<void>;
}

/**
 * A real node:http (or, given a key and certificate, node:https) server on loopback for
 * tests, benches and transcripts. The handler runs once the request body is complete.
 */
export async function startHttpServer(handler: TestHandler, tls?: { key: string | Buffer; cert: string | Buffer; maxVersion?: SecureVersion; sessionIds?: boolean }): Promise<TestHttpServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => {});
    res.on('error', () => {});
    req.on('end', () => {
      const tlsSocket = req.socket as TLSSocket;
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        ...(typeof tlsSocket.isSessionReused === 'function' ? { resumed: tlsSocket.isSessionReused() } : {}),
      };
      requests.push(recorded);
      handler(recorded, res);
    });
  };
  const server: Server = tls
    ? createHttps({ key: tls.key, cert: tls.cert, ...(tls.maxVersion ? { maxVersion: tls.maxVersion } : {}), ...(tls.sessionIds ? { secureOptions: constants.SSL_OP_NO_TICKET } : {}) }, onRequest)
    : createHttp(onRequest);
  if (tls?.sessionIds) {
    // Stateful session-ID resumption (no tickets): the server keeps each session by its ID.
    const cache = new Map<string, Buffer>();
    server.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
      cache.set(id.toString('hex'), data);
      done();
    });
    server.on('resumeSession', (id: Buffer, done: (err: Error | null, data?: Buffer | null) => void) => done(null, cache.get(id.toString('hex')) ?? null));
  }
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  };
  server.on(tls ? 'secureConnection' : 'connection', track);
  if (tls) server.on('connection', track);
  server.on('tlsClientError', () => {});
  server.on('clientError', (_err, s: Socket) => s.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    server,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
