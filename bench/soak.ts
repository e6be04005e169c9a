/**
 * `npm run soak`: N virtual modules × M minutes of TLS traffic through the host SDK, each
 * module on its own TCP port (as `modemlab serve --count N`), all five products in turn.
 * Every module loops: open a TLS socket through the module to a node:tls echo server on
 * loopback, echo random chunks checked by SHA-256, close, reconnect. The process samples
 * its RSS and its open file descriptors (/proc/self/fd) and prints min/median/max and the
 * growth (median of the last quarter of the samples − median of the first quarter, after
 * set-up). Exits 1 on any checksum mismatch or when no byte went through. Not a test: it
 * reports; bench/README.md says how to read it.
 *
 *   npm run soak -- --modules 20 --minutes 5 [--chunk 16384] [--exchanges 32] [--products sara-r5,bc66]
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CIPHERS, createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { parseArgs } from 'node:util';
import { createModule, listModels, serveTcp, type TcpListener, type VirtualModule } from '../packages/module/src/index.js';
import { openModem, type CellularModem } from '../packages/sdk/src/index.js';

const { values: args } = parseArgs({
  options: {
    modules: { type: 'string', default: '5' },
    minutes: { type: 'string', default: '1' },
    chunk: { type: 'string', default: '16384' },
    exchanges: { type: 'string', default: '32' },
    products: { type: 'string', default: listModels().join(',') },
    'sample-ms': { type: 'string', default: '1000' },
  },
});
const MODULES = Number(args.modules);
const MINUTES = Number(args.minutes);
const CHUNK = Number(args.chunk);
const EXCHANGES = Number(args.exchanges);
const PRODUCTS = args.products.split(',');
const SAMPLE_MS = Number(args['sample-ms']);

interface Totals {
  bytes: number;
  exchanges: number;
  connections: number;
  mismatches: number;
  errors: Map<string, number>;
}
const totals: Totals = { bytes: 0, exchanges: 0, connections: 0, mismatches: 0, errors: new Map() };
const byProduct = new Map<string, number>();

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Writes `chunk` and collects exactly as many bytes back. */
function echo(socket: Duplex, chunk: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    const onData = (d: Buffer): void => {
      parts.push(d);
      got += d.length;
      if (got >= chunk.length) done(undefined);
    };
    const onEnd = (): void => done(new Error(`stream ended after ${got} of ${chunk.length} bytes`));
    const done = (err?: Error): void => {
      socket.off('data', onData);
      socket.off('error', done);
      socket.off('end', onEnd);
      if (err) reject(err);
      else resolve(Buffer.concat(parts));
    };
    socket.on('data', onData);
    socket.once('error', done);
    socket.once('end', onEnd);
    socket.write(chunk);
  });
}

function count(err: unknown): void {
  const key = err instanceof Error ? `${err.name}: ${err.message.slice(0, 80)}` : String(err);
  totals.errors.set(key, (totals.errors.get(key) ?? 0) + 1);
}

/** One module's loop until the deadline: connect, echo EXCHANGES chunks checked by SHA-256, close. */
async function drive(product: string, modem: CellularModem, profile: number, port: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    let socket: Duplex | undefined;
    try {
      socket = await modem.connect({ host: '127.0.0.1', port, tls: { profile } });
      totals.connections++;
      for (let i = 0; i < EXCHANGES && Date.now() < deadline; i++) {
        const chunk = randomBytes(CHUNK);
        const back = await echo(socket, chunk);
        if (back.length !== chunk.length || sha(back) !== sha(chunk)) totals.mismatches++;
        totals.bytes += chunk.length;
        totals.exchanges++;
        byProduct.set(product, (byProduct.get(product) ?? 0) + chunk.length);
      }
    } catch (err) {
      count(err);
    } finally {
      socket?.destroy();
    }
  }
}

function fdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function summary(name: string, xs: number[], unit: string, scale = 1): string {
  const q = Math.max(1, Math.floor(xs.length / 4));
  const f = (v: number): string => (v / scale).toFixed(scale === 1 ? 0 : 1);
  const growth = median(xs.slice(-q)) - median(xs.slice(0, q));
  return `${name.padEnd(4)} min ${f(Math.min(...xs))} ${unit}  median ${f(median(xs))} ${unit}  max ${f(Math.max(...xs))} ${unit}  growth ${growth >= 0 ? '+' : ''}${f(growth)} ${unit} (last vs first quarter of ${xs.length} samples)`;
}

async function main(): Promise<void> {
  const fdsBefore = fdCount();
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-soak-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], {
    cwd: dir,
    stdio: 'ignore',
  });
  const cert = readFileSync(join(dir, 'c.pem'), 'utf8');
  // Every product can reach it: TLS 1.0-1.3, the RSA key-exchange suites of the Telit families.
  const server = createServer(
    { key: readFileSync(join(dir, 'k.pem')), cert, minVersion: 'TLSv1', ciphers: `${DEFAULT_CIPHERS}:AES256-SHA:AES128-SHA:AES256-SHA256:AES128-SHA256:@SECLEVEL=0` },
    (s: TLSSocket) => {
      s.on('error', () => {});
      s.pipe(s);
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  const modules: Array<{ product: string; module: VirtualModule; listener: TcpListener; modem: CellularModem; profile: number }> = [];
  console.log(`soak: setting up ${MODULES} modules (${PRODUCTS.join(', ')}) ...`);
  for (let i = 0; i < MODULES; i++) {
    const product = PRODUCTS[i % PRODUCTS.length]!;
    const module = await createModule({ model: product, stateDir: join(dir, `m${i}`), network: { registrationDelayMs: 0 }, log: () => {} });
    const listener = await serveTcp(module, { host: '127.0.0.1', port: 0 });
    const modem = await openModem({ url: `tcp://127.0.0.1:${listener.address.port}` });
    await modem.attach({ timeoutMs: 30_000 });
    await modem.certificates.import('ca', 'soakCA', cert);
    const profile = modem.tls.profiles[0]!;
    await modem.tls.configure(profile, { ca: 'soakCA' });
    modules.push({ product, module, listener, modem, profile });
  }

  const rss: number[] = [];
  const fds: number[] = [];
  const sample = (): void => {
    rss.push(process.memoryUsage().rss);
    fds.push(fdCount());
  };
  sample();
  const sampler = setInterval(sample, SAMPLE_MS);
  const started = Date.now();
  const deadline = started + MINUTES * 60_000;
  const progress = setInterval(() => {
    const s = (Date.now() - started) / 1000;
    console.log(`  ${s.toFixed(0)} s: ${(totals.bytes / 2 ** 20).toFixed(1)} MiB echoed, ${totals.connections} connections, rss ${(rss.at(-1)! / 2 ** 20).toFixed(0)} MiB, ${fds.at(-1)} fds`);
  }, 10_000);
  await Promise.all(modules.map((m) => drive(m.product, m.modem, m.profile, port, deadline)));
  clearInterval(sampler);
  clearInterval(progress);
  sample();
  const seconds = (Date.now() - started) / 1000;

  for (const m of modules) {
    await m.modem.close().catch(count);
    await m.listener.close();
    await m.module.close();
  }
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
  const fdsAfter = fdCount();

  console.log(`\nsoak: ${MODULES} modules × ${MINUTES} min (${seconds.toFixed(0)} s), TLS through the SDK, chunks of ${CHUNK} B, ${EXCHANGES} per connection`);
  console.log(`echoed ${(totals.bytes / 2 ** 20).toFixed(1)} MiB in ${totals.exchanges} exchanges over ${totals.connections} connections (${(totals.bytes / 2 ** 20 / seconds).toFixed(2)} MiB/s)`);
  for (const [product, bytes] of byProduct) console.log(`  ${product.padEnd(11)} ${(bytes / 2 ** 20).toFixed(1)} MiB`);
  console.log(`checksums: ${totals.exchanges - totals.mismatches} intact, ${totals.mismatches} mismatched`);
  console.log(`errors: ${totals.errors.size === 0 ? 'none' : ''}`);
  for (const [e, n] of totals.errors) console.log(`  ${n} × ${e}`);
  console.log(summary('rss', rss, 'MiB', 2 ** 20));
  console.log(summary('fds', fds, 'fds'));
  console.log(`fds  before set-up ${fdsBefore}, after every module, modem and server closed ${fdsAfter}`);
  if (totals.mismatches > 0 || totals.bytes === 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
