import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer as createTcpServer } from 'node:net';
import { createServer as createCoapServer, type IncomingMessage, type OutgoingMessage } from 'coap';

/** Two consecutive free ports, UDP and TCP on both (libcoap listens on port and port+1). */
export async function freePortPair(): Promise<number> {
  for (;;) {
    const probe = createSocket('udp4');
    probe.bind(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = probe.address().port;
    probe.close();
    if (port >= 65535) continue;
    if ((await free(port)) && (await free(port + 1))) return port;
  }
}

async function free(port: number): Promise<boolean> {
  const udp = createSocket('udp4');
  const tcp = createTcpServer();
  const ok = (emitter: NodeJS.EventEmitter, start: () => void) =>
    new Promise<boolean>((resolve) => {
      emitter.once('error', () => resolve(false));
      emitter.once('listening', () => resolve(true));
      start();
    });
  const a = await ok(udp, () => udp.bind(port, '127.0.0.1'));
  const b = await ok(tcp, () => tcp.listen(port, '127.0.0.1'));
  if (a) udp.close();
  if (b) tcp.close();
  return a && b;
}

export interface Libcoap {
  /** UDP and TCP. */
  port: number;
  /** DTLS and TLS. */
  securePort: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Debian's libcoap example server (coap-server-openssl): resources "/", "/time", "/async",
 * "/example_data", and with `-d` any path a PUT creates; block-wise both ways by libcoap.
 * Ready when it has logged its last endpoint.
 */
export async function startLibcoap(opts: { psk?: string; hint?: string; cert?: { cert: string; key: string; ca: string }; verifyClient?: boolean } = {}): Promise<Libcoap> {
  const port = await freePortPair();
  const args = ['-A', '127.0.0.1', '-p', String(port), '-v', '7', '-d', '20'];
  if (opts.psk) args.push('-k', opts.psk, '-h', opts.hint ?? 'CoAP');
  if (opts.cert) args.push('-c', opts.cert.cert, '-j', opts.cert.key);
  // -C: the CA is sent to the client and trusted for its certificate, which becomes required.
  if (opts.cert && opts.verifyClient) args.push('-C', opts.cert.ca);
  const child = spawn('coap-server-openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const last = opts.psk || opts.cert ? 'created TLS  endpoint' : 'created TCP  endpoint';
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const onData = (b: Buffer) => {
      seen += b.toString();
      if (seen.includes(last)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`coap-server-openssl exited (${code}): ${seen}`)));
    child.once('error', reject);
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return {
    port,
    securePort: port + 1,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface NodeCoap {
  port: number;
  /** Bodies the server received, by path. */
  stored: Map<string, Buffer>;
  /** Requests seen (method and path), in order. */
  seen: string[];
  /** Observers of /obs still registered (an RST or a GET with Observe: 1 ends one). */
  observers: Set<OutgoingMessage>;
  /** Sets /obs and notifies its observers. */
  notify(body: string): void;
  close(): Promise<void>;
}

/**
 * The `coap` npm server: GET /hello, /big (3000 bytes), any stored path; PUT/POST store; else 4.04.
 * /obs is observable (RFC 7641): `notify` writes to every observer.
 */
export async function startNodeCoap(): Promise<NodeCoap> {
  const stored = new Map<string, Buffer>();
  const seen: string[] = [];
  const observers = new Set<OutgoingMessage>();
  let obs = 'v0';
  const server = createCoapServer((req: IncomingMessage, res: OutgoingMessage) => {
    const path = req.url.split('?')[0]!;
    const observe = (req.headers as Record<string, unknown>).Observe;
    seen.push(`${req.method} ${req.url}${observe === undefined ? '' : ` Observe:${String(observe)}`}`);
    if (path === '/obs') {
      if (observe === 0) {
        observers.add(res);
        res.on('finish', () => observers.delete(res));
        res.write(obs);
        return;
      }
      if (observe === 1) for (const o of observers) o.end();
      return res.end(obs);
    }
    if (req.method === 'PUT' || req.method === 'POST') {
      stored.set(path, Buffer.from(req.payload));
      res.code = req.method === 'PUT' ? '2.04' : '2.01';
      return res.end(`got ${req.payload.length}`);
    }
    if (req.method === 'DELETE') {
      res.code = stored.delete(path) ? '2.02' : '4.04';
      return res.end();
    }
    if (path === '/hello') return res.end('world');
    if (path === '/big') return res.end(bigBody());
    const body = stored.get(path);
    if (body) return res.end(body);
    res.code = '4.04';
    res.end('not found');
  });
  const port = await new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server as unknown as { _sock: { address(): { port: number } } })._sock.address().port));
  });
  return {
    port,
    stored,
    seen,
    observers,
    notify(body: string) {
      obs = body;
      for (const o of observers) o.write(body);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** 3000 bytes that differ block to block. */
export function bigBody(): Buffer {
  return Buffer.from(Array.from({ length: 3000 }, (_, i) => 33 + (i % 90)));
}
