/**
 * The lab console (`modemlab serve --console HOST:PORT`): a Fastify server with
 *   GET  /                              the page (packages/cli/console-ui, plain files, no build)
 *   GET  /api/modules                   [{ name, model }]
 *   GET  /api/modules/:name/state       the module's labSnapshot
 *   POST /api/modules/:name/controls    applyControls: 204, 400 bad control, 501 no such control here
 *   WS   /api/modules/:name/trace       the live trace: {history:[...]} first, then one entry a message
 *   WS   /api/modules/:name/port        a port of the module as another client takes it: bytes both ways
 * WebSockets are `ws` on the server's upgrade event (ws is what @fastify/websocket wraps;
 * it is in the tree already). Bound to 127.0.0.1 by default; with a token, every API and
 * WebSocket request carries it (`Authorization: Bearer TOKEN` or `?token=TOKEN`), else 401;
 * the page's static files are open (the page passes its own ?token= on to the API).
 */
import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Duplex } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LiveTrace } from './live-trace.js';

/** What the console needs of one running module. */
export interface ConsoleModule {
  name: string;
  model: string;
  trace: LiveTrace;
  /** A new client on the module's port (VirtualModule.attach); returns detach. */
  attach(stream: Duplex, name?: string): () => void;
  snapshot(): unknown;
  /** Throws an error with `code` 'bad-request' or 'not-implemented' for a refused control. */
  control(input: unknown): void;
}

export interface ConsoleOptions {
  host: string;
  port: number;
  /** Required by the caller when host is not loopback. */
  token?: string;
  modules: readonly ConsoleModule[];
}

export interface ConsoleServer {
  readonly app: FastifyInstance;
  readonly address: { host: string; port: number };
  close(): Promise<void>;
}

const UI_DIR = new URL('../../console-ui/', import.meta.url);
/** The page's files: path -> [file, content type]. */
const UI_FILES: Readonly<Record<string, readonly [string, string]>> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/style.css': ['style.css', 'text/css; charset=utf-8'],
};
/** A page that stops reading gets no more trace than this queued before it is dropped. */
const WS_BUFFER_MAX = 8 * 1024 * 1024;
const CONTROL_STATUS: Readonly<Record<string, number>> = { 'bad-request': 400, 'not-implemented': 501 };
const WS_ROUTE = /^\/api\/modules\/([^/]+)\/(trace|port)$/;

function tokenOf(url: URL, authorization: string | undefined): string | undefined {
  const m = /^Bearer (.+)$/.exec(authorization ?? '');
  return m?.[1] ?? url.searchParams.get('token') ?? undefined;
}

function sameToken(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startConsole(opts: ConsoleOptions): Promise<ConsoleServer> {
  const byName = new Map(opts.modules.map((m) => [m.name, m]));
  const app = Fastify({ logger: false });
  const authorized = (url: URL, authorization: string | undefined): boolean => opts.token === undefined || sameToken(tokenOf(url, authorization), opts.token);

  app.addHook('onRequest', async (req: FastifyRequest, reply) => {
    // The page's own files hold nothing of the lab; the API behind them does.
    if (req.url.split('?')[0]! in UI_FILES) return;
    if (!authorized(new URL(req.url, 'http://console'), req.headers.authorization)) return reply.code(401).send({ error: 'a token is required' });
  });
  for (const [route, [file, type]] of Object.entries(UI_FILES)) {
    app.get(route, async (_req, reply) => reply.type(type).send(await fs.promises.readFile(new URL(file, UI_DIR))));
  }
  app.get('/api/modules', async () => opts.modules.map((m) => ({ name: m.name, model: m.model })));
  app.get<{ Params: { name: string } }>('/api/modules/:name/state', async (req, reply) => {
    const m = byName.get(req.params.name);
    if (!m) return reply.code(404).send({ error: `no module ${req.params.name}` });
    return m.snapshot();
  });
  app.post<{ Params: { name: string } }>('/api/modules/:name/controls', async (req, reply) => {
    const m = byName.get(req.params.name);
    if (!m) return reply.code(404).send({ error: `no module ${req.params.name}` });
    try {
      m.control(req.body);
    } catch (err) {
      const status = CONTROL_STATUS[(err as { code?: string }).code ?? ''];
      if (status === undefined) throw err;
      return reply.code(status).send({ error: (err as Error).message });
    }
    return reply.code(204).send();
  });

  const wss = new WebSocketServer({ noServer: true });
  app.server.on('upgrade', (req: IncomingMessage, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://console');
    const route = WS_ROUTE.exec(url.pathname);
    const m = route ? byName.get(decodeURIComponent(route[1]!)) : undefined;
    const refuse = (status: string): void => void socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    if (!authorized(url, req.headers.authorization)) return refuse('401 Unauthorized');
    if (!route || !m) return refuse('404 Not Found');
    wss.handleUpgrade(req, socket, head, (ws) => (route[2] === 'trace' ? streamTrace(ws, m) : takePort(ws, m)));
  });

  await app.listen({ host: opts.host, port: opts.port });
  const a = app.server.address() as AddressInfo;
  return {
    app,
    address: { host: a.address, port: a.port },
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await app.close();
    },
  };
}

function streamTrace(ws: WebSocket, m: ConsoleModule): void {
  ws.send(JSON.stringify({ history: m.trace.history() }));
  const stop = m.trace.subscribe((e) => {
    if (ws.bufferedAmount > WS_BUFFER_MAX) return ws.close(1013, 'trace reader too slow');
    ws.send(JSON.stringify(e));
  });
  ws.on('close', stop);
}

function takePort(ws: WebSocket, m: ConsoleModule): void {
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, done) {
      if (ws.readyState === ws.OPEN) ws.send(chunk);
      done();
    },
  });
  const detach = m.attach(stream, 'console');
  ws.on('message', (data: Buffer) => stream.push(Buffer.from(data)));
  ws.on('close', () => {
    detach();
    stream.destroy();
  });
}
