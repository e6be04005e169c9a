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
import { expectationPattern, parseTranscript, type Transcript } from './transcript.js';
import { settle } from './harness.js';
import { PEER_KINDS, pkiFile, sharedPki, startPeer, type Peer, type PeerKind } from './tls-peers.js';
import { legacyTls, startFtpServer, type TestFtpServer } from '../services/ftp/ftp.testutil.js';

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

  async expect(expected: string, timeoutMs: number, stepInfo: string): Promise<void> {
    const pattern = expectationPattern(expected);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.buffer.toString('latin1');
      const m = pattern.exec(text);
      // Expectations end in literal text (a CR LF at least), so a match is final.
      if (m) {
        this.buffer = this.buffer.subarray(Buffer.byteLength(m[0], 'latin1'));
        return;
      }
      if (!expected.includes('{*}') && text.length >= expected.length && !m) break;
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
}

/** Runs a transcript; throws on the first byte that differs, naming the step. */
export async function runTranscript(source: string | Transcript, opts: RunOptions): Promise<void> {
  const t = typeof source === 'string' ? parseTranscript(source) : source;
  const peers: Array<Peer | TestFtpServer> = [];
  const ftpServers: TestFtpServer[] = [];
  const routes: Record<string, string> = {};
  try {
    for (const srv of t.peers) {
      if (!PEER_KINDS.includes(srv.kind as PeerKind)) throw new Error(`unknown @tls-peer kind ${srv.kind}`);
      const peer = await startPeer(srv.kind as PeerKind, srv.flags, srv.reply);
      peers.push(peer);
      routes[srv.target] = `127.0.0.1:${peer.port}`;
    }
    for (const srv of t.ftpServers) {
      const { server } = sharedPki();
      const tls = srv.flags.includes('plain') ? undefined : srv.flags.includes('tls1') ? legacyTls(server.cert, server.key) : { cert: server.cert, key: server.key };
      const ftp = await startFtpServer({ ...(tls ? { tls } : {}), files: srv.files });
      peers.push(ftp);
      ftpServers.push(ftp);
      routes[srv.target] = `127.0.0.1:${ftp.port}`;
    }
  } catch (err) {
    await Promise.all(peers.map((p) => p.close()));
    throw err;
  }
  try {
    await runWithPeers(t, opts, routes, ftpServers);
  } finally {
    await Promise.all(peers.map((p) => p.close()));
  }
}

async function runWithPeers(t: Transcript, opts: RunOptions, routes: Record<string, string>, ftpServers: TestFtpServer[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-transcript-'));
  const clock = new ManualClock();
  const module = await VirtualModule.create({
    model: t.model,
    stateDir: join(dir, 'state'),
    hosts: t.hosts,
    routes,
    clock,
    network: t.network,
    log: () => {},
  });
  const out = new OutputCollector();
  const link = await openLink(module, opts.transport, out, dir);
  const timeoutMs = opts.timeoutMs ?? 5000;
  try {
    let stepNo = 0;
    for (const step of t.steps) {
      stepNo++;
      const info = `${opts.name ?? 'transcript'} [${opts.transport}] step ${stepNo}`;
      switch (step.kind) {
        case 'send':
          link.write(Buffer.from(substituteSizes(step.bytes.toString('latin1')), 'latin1'));
          break;
        case 'send-file':
          link.write(pkiFile(step.name));
          break;
        case 'expect':
          await out.expect(substituteSizes(step.text), timeoutMs, info);
          break;
        case 'advance':
          // Let bytes in flight (a socket, a PTY) reach the module before its time moves.
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
    await link.close();
    await module.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
