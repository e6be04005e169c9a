/**
 * ModemSocket where libraries look for a net.Socket, through a virtual SARA-R5 and real
 * peers on loopback: address fields and `connecting`, a synchronous createConnection, an
 * idle setTimeout that fires (an HTTP request timeout), setNoDelay/setKeepAlive as module
 * socket options, a connector for http(s).Agent and undici's callback contract, and mqtt.js
 * reconnecting through its stream builder after its broker is killed and restarted.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent as HttpsAgent, createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import { createServer as createHttpServer, request as httpRequest, Agent as HttpAgent } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { createModule, serveTcp, type TcpListener, type VirtualModule } from '@modemlab/module';
import { ConnectionRefusedError, ModemSocket, openModem, type SdkLogger, type UbloxModem } from '@modemlab/sdk';
import { makePki, type TestPki } from '../packages/module/src/services/tls/tls.testutil.js';

const listen = (server: NetServer, port = 0) => new Promise<number>((resolve) => server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
const close = (server: NetServer) => new Promise<void>((resolve) => server.close(() => resolve()));

/** A logger that keeps what it is given (the SDK's commands at debug). */
function memoryLogger(): SdkLogger & { records: Array<{ level: string; obj: Record<string, unknown>; msg?: string }> } {
  const records: Array<{ level: string; obj: Record<string, unknown>; msg?: string }> = [];
  const at = (level: string) => (obj: object, msg?: string) => void records.push({ level, obj: obj as Record<string, unknown>, ...(msg === undefined ? {} : { msg }) });
  return { records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('ModemSocket as a net.Socket stand-in (virtual SARA-R5)', { timeout: 120_000 }, () => {
  let dir: string;
  let pki: TestPki;
  let module: VirtualModule;
  let listener: TcpListener;
  let modem: UbloxModem;
  let ip: string;
  const logger = memoryLogger();
  const sent = () => logger.records.filter((r) => r.msg === 'at command').map((r) => String(r.obj.command));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'modemlab-socket-compat-'));
    pki = makePki();
    module = await createModule({ model: 'sara-r5', stateDir: join(dir, 'state'), hosts: { 'server.lab': '127.0.0.1' }, network: { registrationDelayMs: 0 }, log: () => {} });
    listener = await serveTcp(module, { host: '127.0.0.1', port: 0 });
    modem = await openModem({ url: `tcp://127.0.0.1:${listener.address.port}`, vendor: 'u-blox', logger });
    ({ ip } = await modem.attach({ timeoutMs: 30_000 }));
    await modem.certificates.import('ca', 'labCA', pki.ca.cert);
    await modem.tls.configure(1, { ca: 'labCA' });
  });

  after(async () => {
    await modem?.close();
    await listener?.close();
    await module?.close();
    pki.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('createConnection returns a connecting socket at once, then connect with the address fields', async () => {
    const server = createNetServer((s) => s.pipe(s));
    const port = await listen(server);
    try {
      const socket = modem.createConnection({ host: 'server.lab', port });
      assert.equal(socket.connecting, true);
      assert.equal(socket.pending, true);
      assert.equal(socket.readyState, 'opening');
      // Written before the connection exists: sent once it does.
      socket.write('early');
      await once(socket, 'connect');
      assert.equal(socket.connecting, false);
      assert.equal(socket.readyState, 'open');
      assert.equal(socket.remoteAddress, '127.0.0.1');
      assert.equal(socket.remotePort, port);
      assert.equal(socket.remoteFamily, 'IPv4');
      assert.equal(socket.localAddress, ip);
      assert.deepEqual(socket.address(), { address: ip, port: 0, family: 'IPv4' });
      const [echoed] = (await once(socket, 'data')) as [Buffer];
      assert.equal(echoed.toString(), 'early');
      assert.equal(socket.bytesWritten, 5);
      assert.equal(socket.bytesRead, 5);
      socket.destroy();
      await once(socket, 'close');
    } finally {
      await close(server);
    }
  });

  it('createConnection fails with the typed error on the socket', async () => {
    const gone = createNetServer();
    const port = await listen(gone);
    await close(gone);
    const socket = modem.createConnection({ host: '127.0.0.1', port });
    const [error] = (await once(socket, 'error')) as [Error];
    assert.ok(error instanceof ConnectionRefusedError, String(error));
    assert.equal(socket.destroyed, true);
  });

  it('setNoDelay and setKeepAlive become the module socket options (+USOSO)', async () => {
    const server = createNetServer((s) => s.pipe(s));
    const port = await listen(server);
    try {
      const socket = await modem.connect({ host: '127.0.0.1', port });
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 1000);
      // The options go in order with the data: an echo after them proves they were sent.
      socket.write('x');
      await once(socket, 'data');
      assert.ok(sent().some((c) => /^AT\+USOSO=\d,6,1,1$/.test(c)), sent().join(' '));
      assert.ok(sent().some((c) => /^AT\+USOSO=\d,65535,8,1$/.test(c)), sent().join(' '));
      socket.destroy();
    } finally {
      await close(server);
    }
  });

  it('setTimeout fires on an idle socket: an HTTP request timeout triggers', async () => {
    // A server that takes the request and never answers.
    const held: Socket[] = [];
    const server = createNetServer((s) => void held.push(s));
    const port = await listen(server);
    try {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/', timeout: 200, createConnection: modem.connector() as never });
      req.on('error', () => {});
      req.end();
      await once(req, 'timeout');
      req.destroy();
    } finally {
      for (const s of held) s.destroy();
      await close(server);
    }
  });

  it('a connector is an https.Agent createConnection: requests over the module TLS', async () => {
    const server = createHttpsServer({ key: pki.server.key, cert: pki.server.cert }, (req, res) => res.end(`hello ${req.url}`));
    const port = await listen(server);
    const agent = new HttpsAgent({ keepAlive: false });
    // The module does the TLS (profile 1): the agent gets a socket that is already secure.
    (agent as unknown as { createConnection: unknown }).createConnection = modem.connector({ tls: { profile: 1 } });
    try {
      for (const path of ['/one', '/two']) {
        const body = await new Promise<string>((resolve, reject) => {
          const req = httpsRequest({ host: 'server.lab', port, path, agent }, (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (text += d));
            res.on('end', () => resolve(text));
          });
          req.on('error', reject);
          req.end();
        });
        assert.equal(body, `hello ${path}`);
      }
      // A plain http.Agent takes the same function.
      const plain = createHttpServer((req, res) => res.end(`plain ${req.url}`));
      const plainPort = await listen(plain);
      const httpAgent = new HttpAgent();
      (httpAgent as unknown as { createConnection: unknown }).createConnection = modem.connector();
      const text = await new Promise<string>((resolve, reject) => {
        const req = httpRequest({ host: 'server.lab', port: plainPort, path: '/x', agent: httpAgent }, (res) => {
          let t = '';
          res.on('data', (d: Buffer) => (t += d.toString()));
          res.on('end', () => resolve(t));
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(text, 'plain /x');
      httpAgent.destroy();
      await close(plain);
    } finally {
      agent.destroy();
      await close(server);
    }
  });

  it("a connector keeps undici's contract: callback(null, socket) once connected, callback(error) without an uncaught error", async () => {
    const connect = modem.connector({ tls: { profile: 1 } });
    const server = createHttpsServer({ key: pki.server.key, cert: pki.server.cert }, (_req, res) => res.end('ok'));
    const port = await listen(server);
    try {
      const socket = await new Promise<ModemSocket>((resolve, reject) => connect({ hostname: 'server.lab', host: 'server.lab', port: String(port), protocol: 'https:', servername: 'server.lab' }, (e, s) => (e ? reject(e) : resolve(s!))));
      assert.equal(socket.connecting, false);
      socket.destroy();
      const gone = createNetServer();
      const goneport = await listen(gone);
      await close(gone);
      const error = await new Promise<Error>((resolve) => connect({ hostname: '127.0.0.1', port: goneport, protocol: 'https:' }, (e) => resolve(e!)));
      assert.ok(error instanceof ConnectionRefusedError, String(error));
    } finally {
      await close(server);
    }
  });

  it('mqtt.js reconnects through its stream builder after the broker is killed and restarted', async () => {
    let broker = await Aedes.createBroker();
    let server = createNetServer(broker.handle as never);
    const port = await listen(server);
    let built = 0;
    const client = new mqtt.MqttClient(
      () => {
        built++;
        return modem.createConnection({ host: 'server.lab', port }) as never;
      },
      { reconnectPeriod: 50, protocolVersion: 4, clientId: 'modem-reconnect', connectTimeout: 30_000 },
    );
    client.on('error', () => {});
    const next = (event: 'connect' | 'offline' | 'reconnect' | 'message') => new Promise<unknown[]>((resolve) => client.once(event, (...args: unknown[]) => resolve(args)));
    try {
      await next('connect');
      assert.equal(built, 1);
      // Kill the broker: every connection it holds is dropped.
      const offline = next('offline');
      for (const [, c] of Object.entries((broker as unknown as { clients: Record<string, { conn: Socket }> }).clients)) c.conn.destroy();
      await close(server);
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await offline;
      // The client keeps trying (each try a new module socket, refused); bring the broker back on the same port.
      await next('reconnect');
      broker = await Aedes.createBroker();
      server = createNetServer(broker.handle as never);
      await listen(server, port);
      await next('connect');
      assert.ok(built >= 2, `stream builder called ${built} times`);
      // And it works: a message round trip through the new connection.
      await client.subscribeAsync('lab/again');
      const got = next('message');
      await client.publishAsync('lab/again', 'back');
      const [, payload] = (await got) as [string, Buffer];
      assert.equal(payload.toString(), 'back');
    } finally {
      await client.endAsync(true);
      await close(server).catch(() => {});
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    }
  });
});
