import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';
import { ManualClock } from '@modemlab/at';
import { VirtualModule } from '../module.js';
import { connectInProcess } from '../transports/in-process.js';
import { servePty } from '../transports/pty.js';
import { serveTcp } from '../transports/tcp.js';
import { expectationPattern, parseTranscript, substitute, type PkiItem, type TlsServerSpec, type Transcript } from './transcript.js';
import { settle } from './harness.js';
import { startTranscriptServers } from './transcript-servers.js';
import { startDtlsServer } from './dtls-server.js';
import { startGatewayPeer } from './mqttsn-gateway-peer.js';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { Socket } from 'node:net';
import { makeSizedPki, type SizedPki } from './sized-pki.js';
import { PEER_KINDS, pkiFile, sharedPki, startPeer, type PeerKind } from './tls-peers.js';
import { legacyTls, startFtpServer } from '../services/ftp/ftp.testutil.js';
import { startVsftpd } from '../services/ftp/vsftpd.testutil.js';
import { startMosquitto } from './mosquitto.js';
import { startLibcoap } from '../services/coap/coap-peers.testutil.js';

/** An FTP server of a transcript (ftp-srv or vsftpd): where its files are. */
type FtpHolder = { root: string; read(name: string): Buffer };

/** Certificates are made once per process and request: RSA keys of an exact size take a while. */
const pkiCache = new Map<string, SizedPki>();

function pkiFor(t: Transcript): SizedPki | undefined {
  if (!t.pki) return undefined;
  const serverNames = [...new Set([...t.tlsServers.map((s) => s.name), '127.0.0.1'])];
  const key = JSON.stringify({ ...t.pki, serverNames });
  let pki = pkiCache.get(key);
  if (!pki) {
    pki = makeSizedPki({ caBytes: t.pki.ca, clientBytes: t.pki.client, clientKeyBytes: t.pki.clientkey, serverNames });
    pkiCache.set(key, pki);
  }
  return pki;
}

const pkiText = (pki: SizedPki | undefined, item: PkiItem): string => {
  if (!pki) throw new Error('>>pki/<<pki need @pki or @tls-server');
  return item === 'ca' ? pki.ca : item === 'client' ? pki.client : pki.clientKey;
};

/** A real TLS server on loopback for a transcript; close() also ends its connections. */
async function startTlsServer(spec: TlsServerSpec, pki: SizedPki): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: TlsServer = createTlsServer(
    {
      key: pki.serverKey,
      cert: pki.server,
      ca: [pki.ca],
      requestCert: spec.mutual,
      rejectUnauthorized: spec.mutual,
      minVersion: 'TLSv1',
      ciphers: 'DEFAULT:@SECLEVEL=0',
    },
    (s) => {
      s.on('error', () => {});
      s.on('data', (d: Buffer) => {
        if (spec.echo) s.write(d);
        if (spec.close) s.end();
      });
    },
  );
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(spec.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** {size:NAME}: the length of a test file. */
function substituteSizes(text: string): string {
  return text.replace(/\{size:([\w.-]+)\}/g, (_, name: string) => String(pkiFile(name).length));
}

export type TranscriptTransport = 'in-process' | 'tcp' | 'pty';

interface Link {
  write(bytes: Buffer): void;
  close(): Promise<void>;
}

/** Collects what the module writes and lets the runner wait for an expected prefix. */
class OutputCollector {
  private buffer = Buffer.alloc(0);
  private notify?: () => void;

  push(bytes: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, bytes]);
    this.notify?.();
  }

  /** Waits for `expected` at the start of the output; resolves with its {=name} captures. */
  async expect(expected: string, timeoutMs: number, stepInfo: string): Promise<Record<string, string>> {
    const pattern = expectationPattern(expected);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.buffer.toString('latin1');
      const m = pattern.exec(text);
      // Expectations end in literal text (a CR LF at least), so a match is final.
      if (m) {
        this.buffer = this.buffer.subarray(Buffer.byteLength(m[0], 'latin1'));
        return { ...m.groups };
      }
      if (!/\{\*\}|\{=\w+\}/.test(expected) && text.length >= expected.length && !m) break;
      if (Date.now() > deadline) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 25);
        this.notify = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.notify = undefined;
    }
    throw new Error(`${stepInfo}: expected ${JSON.stringify(expected)}\n  but got ${JSON.stringify(this.buffer.toString('latin1'))}`);
  }

  rest(): string {
    return this.buffer.toString('latin1');
  }
}

async function openLink(module: VirtualModule, transport: TranscriptTransport, out: OutputCollector, dir: string): Promise<Link> {
  if (transport === 'in-process') {
    const stream = connectInProcess(module);
    return streamLink(stream, out);
  }
  if (transport === 'tcp') {
    const listener = await serveTcp(module, { host: '127.0.0.1', port: 0 });
    const socket = connect(listener.address.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const link = streamLink(socket, out);
    return {
      write: link.write,
      async close() {
        await link.close();
        await listener.close();
      },
    };
  }
  const listener = await servePty(module, { path: join(dir, 'ttyModem') });
  // The host side opens the PTY as a real serial port, as a host library would.
  const port = await new Promise<SerialPort>((resolve, reject) => {
    const p = new SerialPort({ path: listener.path, baudRate: 115200 }, (err) => (err ? reject(err) : resolve(p)));
  });
  port.on('data', (b: Buffer) => out.push(b));
  port.on('error', () => {});
  return {
    write: (bytes) => void port.write(bytes),
    async close() {
      await new Promise<void>((resolve) => port.close(() => resolve()));
      await listener.close();
    },
  };
}

function streamLink(stream: Duplex, out: OutputCollector): Link {
  stream.on('data', (b: Buffer) => out.push(b));
  stream.on('error', () => {});
  return {
    write: (bytes) => void stream.write(bytes),
    async close() {
      stream.destroy();
    },
  };
}

export interface RunOptions {
  transport: TranscriptTransport;
  /** How long to wait for each expected block of real I/O. */
  timeoutMs?: number;
  name?: string;
  /** Called with the module before the host connects (a test's trace tap). */
  onModule?: (module: VirtualModule) => void;
  /**
   * Awaited with the module before the host connects (a test registers its root of trust
   * with a cloud); the variables it returns are known to the transcript as {name}.
   */
  prepare?: (module: VirtualModule) => Promise<Record<string, string> | void>;
}

/** Runs a transcript; throws on the first byte that differs, naming the step. */
export async function runTranscript(source: string | Transcript, opts: RunOptions): Promise<void> {
  const t = typeof source === 'string' ? parseTranscript(source) : source;
  const pki = pkiFor(t);
  const servers: Array<{ close(): Promise<void> }> = [];
  const routes: Record<string, string> = {};
  try {
    for (const spec of t.tlsServers) {
      if (spec.dtls && spec.mqttsnGateway) servers.push(await startGatewayPeer({ port: spec.port, cert: pki!.server, key: pki!.serverKey, ...(spec.mutual ? { ca: pki!.ca } : {}) }));
      else if (spec.dtls) servers.push(await startDtlsServer({ port: spec.port, cert: pki!.server, key: pki!.serverKey, ...(spec.mutual ? { mutualCa: pki!.ca } : {}), echo: spec.echo }));
      else servers.push(await startTlsServer(spec, pki!));
    }
    for (const srv of t.peers) {
      if (!PEER_KINDS.includes(srv.kind as PeerKind)) throw new Error(`unknown @tls-peer kind ${srv.kind}`);
      const peer = await startPeer(srv.kind as PeerKind, srv.flags, srv.reply);
      servers.push(peer);
      routes[srv.target] = `127.0.0.1:${peer.port}`;
    }
    const ftpServers: FtpHolder[] = [];
    for (const srv of t.ftpServers) {
      const { server } = sharedPki();
      if (srv.flags.includes('vsftpd')) {
        const ftp = await startVsftpd(srv.files, srv.flags.includes('plain') ? {} : { tls: { cert: server.cert, key: server.key } });
        servers.push(ftp);
        ftpServers.push(ftp);
        routes[srv.target] = `127.0.0.1:${ftp.port}`;
        continue;
      }
      const tls = srv.flags.includes('plain') ? undefined : srv.flags.includes('tls1') ? legacyTls(server.cert, server.key) : { cert: server.cert, key: server.key };
      const ftp = await startFtpServer({ ...(tls ? { tls } : {}), files: srv.files });
      servers.push(ftp);
      ftpServers.push(ftp);
      routes[srv.target] = `127.0.0.1:${ftp.port}`;
    }
    for (const target of t.mqttBrokers ?? []) {
      const broker = await startMosquitto();
      servers.push({ close: () => broker.stop() });
      routes[target] = `127.0.0.1:${broker.port}`;
    }
    for (const peer of t.coapServers ?? []) {
      const coap = await startLibcoap(peer.psk ? { psk: peer.psk } : {});
      servers.push({ close: () => coap.stop() });
      routes[peer.target] = `127.0.0.1:${coap.port}`;
      if (peer.secure) routes[peer.secure] = `127.0.0.1:${coap.securePort}`;
    }
    for (const target of t.mqttsnGateways ?? []) {
      const gw = await startGatewayPeer({ port: 0, predefined: { 1: 'anywhere/telemetry' } });
      servers.push(gw);
      routes[target] = `127.0.0.1:${gw.port}`;
    }
    await runWithServers(t, pki, opts, routes, ftpServers);
  } finally {
    for (const s of servers) await s.close();
  }
}

async function runWithServers(t: Transcript, pki: SizedPki | undefined, opts: RunOptions, routes: Record<string, string>, ftpServers: FtpHolder[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-transcript-'));
  // The lab's time starts now: certificates made for the run are valid at the module's date.
  const clock = new ManualClock(t.clock ?? Date.now());
  const servers = await startTranscriptServers(t.servers);
  const vars = new Map(servers.vars);
  let module: VirtualModule | undefined;
  let link: Link | undefined;
  try {
    module = await VirtualModule.create({
      model: t.model,
      stateDir: join(dir, 'state'),
      hosts: { ...t.hosts, ...servers.hosts },
      forwards: { ...servers.forwards, ...routes },
      clock,
      network: t.network,
      log: () => {},
      ...(t.gnss ? { gnss: t.gnss } : {}),
    });
    opts.onModule?.(module);
    for (const [k, v] of Object.entries((await opts.prepare?.(module)) ?? {})) vars.set(k, v);
    const out = new OutputCollector();
    link = await openLink(module, opts.transport, out, dir);
    const openLinkRef = link;
    let sent = 0;
    const send = (bytes: Buffer) => {
      sent += bytes.length;
      openLinkRef.write(bytes);
    };
    // Before the clock moves, what was sent must have reached the module (a loaded machine
    // delays a PTY or a socket): guard times and timeouts count from the module's view.
    const arrived = async () => {
      const m = module!;
      const deadline = Date.now() + 5000;
      while (m.received < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    };
    const timeoutMs = opts.timeoutMs ?? 5000;
    let stepNo = 0;
    for (const step of t.steps) {
      stepNo++;
      const info = `${opts.name ?? 'transcript'} [${opts.transport}] step ${stepNo}`;
      switch (step.kind) {
        case 'send':
          send(Buffer.from(substitute(substituteSizes(step.bytes.toString('latin1')), vars), 'latin1'));
          break;
        case 'send-file':
          send(pkiFile(step.name));
          break;
        case 'send-pki':
          send(Buffer.from(pkiText(pki, step.item), 'latin1'));
          break;
        case 'expect-pki':
          await out.expect(pkiText(pki, step.item), timeoutMs, info);
          break;
        case 'expect': {
          const captured = await out.expect(substitute(substituteSizes(step.text), vars), timeoutMs, info);
          for (const [k, v] of Object.entries(captured)) vars.set(k, v);
          break;
        }
        case 'fota-push':
          await settle();
          module.services.firmware.push(step.name, Buffer.from(step.text, 'latin1'));
          break;
        case 'file': {
          await settle();
          const want = substitute(step.text, vars);
          const got = module.services.files.exists(step.name) ? module.services.files.read(step.name).toString('latin1') : undefined;
          if (got === undefined || !new RegExp(`${expectationPattern(want).source}$`, 's').test(got)) {
            throw new Error(`${info}: file ${step.name} should hold ${JSON.stringify(want)}\n  but holds ${JSON.stringify(got)}`);
          }
          break;
        }
        case 'advance':
          // Let bytes in flight (a socket, a PTY) reach the module before its time moves.
          await arrived();
          await settle();
          if (opts.transport !== 'in-process') await new Promise((r) => setTimeout(r, 30));
          clock.advance(step.ms);
          await settle();
          break;
        case 'sleep':
          await new Promise((r) => setTimeout(r, step.ms));
          break;
        case 'echo':
          break;
        case 'coverage':
          await settle();
          module.services.network.setCoverage(step.on);
          await settle();
          break;
        case 'ftp-check': {
          const holder = ftpServers.find((f) => existsSync(join(f.root, step.name)));
          const got = holder?.read(step.name);
          if (!got || !got.equals(step.data)) {
            throw new Error(`${info}: the FTP server's ${step.name} should hold ${JSON.stringify(step.data.toString('latin1'))}, holds ${got ? JSON.stringify(got.toString('latin1')) : 'nothing'}`);
          }
          break;
        }
      }
    }
    await new Promise((r) => setTimeout(r, opts.transport === 'in-process' ? 5 : 50));
    const rest = out.rest();
    if (rest !== '') throw new Error(`${opts.name ?? 'transcript'} [${opts.transport}]: unexpected output at the end: ${JSON.stringify(rest)}`);
  } finally {
    await link?.close();
    await module?.close();
    await servers.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
