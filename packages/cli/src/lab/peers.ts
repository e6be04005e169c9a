import { once } from 'node:events';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { LabPki } from './pki.js';

export interface Listening {
  port: number;
  close(): Promise<void>;
}

async function listen(server: net.Server): Promise<Listening> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => (sockets.add(s), s.once('close', () => sockets.delete(s))));
  server.on('secureConnection', (s: net.Socket) => (sockets.add(s), s.once('close', () => sockets.delete(s))));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Echoes every byte back; TCP. */
export function startTcpEcho(): Promise<Listening> {
  return listen(net.createServer((s) => s.on('error', () => {}).pipe(s)));
}

/**
 * Echoes every byte back over TLS with the lab's server certificate; asks for a client
 * certificate (checked against the lab CA when one comes) without requiring one.
 */
export function startTlsEcho(pki: LabPki): Promise<Listening> {
  const server = tls.createServer({ key: pki.serverKey, cert: pki.serverCert, ca: pki.caPem, requestCert: true, rejectUnauthorized: false }, (s) => {
    s.on('error', () => {});
    // A client certificate that does not chain to the lab CA ends the connection.
    if (s.getPeerCertificate() && Object.keys(s.getPeerCertificate()).length > 0 && !s.authorized) s.destroy();
    else s.pipe(s);
  });
  server.on('tlsClientError', () => {}); // a failed handshake is the client's lesson, not the lab's crash
  return listen(server);
}

/** HTTPS: `GET /` answers `hello from the lab\n`; any other method echoes its body. */
export function startHttps(pki: LabPki): Promise<Listening> {
  const server = https.createServer({ key: pki.serverKey, cert: pki.serverCert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = req.method === 'GET' || req.method === 'HEAD' ? Buffer.from('hello from the lab\n') : Buffer.concat(chunks);
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
  server.on('tlsClientError', () => {});
  return listen(server);
}
