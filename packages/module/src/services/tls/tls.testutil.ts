import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { connect as netConnect, createServer as netServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket, type TlsOptions } from 'node:tls';
import type { CertificateDatabase, CertificateData, TlsCredentials } from './tls-options.js';

/** A key pair and its certificate, PEM. */
export interface Issued {
  cert: string;
  key: string;
  x509: X509Certificate;
}

/**
 * Certificates made for the tests with the openssl CLI in a temporary folder: nothing is
 * committed. One CA issues the server certificates (valid, expired, not yet valid, another
 * name, through an intermediate, re-issued on the same key) and the client's; a second CA
 * is unknown to the module.
 */
export interface TestPki {
  ca: Issued;
  otherCa: Issued;
  intermediate: Issued;
  /** CN=localhost, SAN localhost, 127.0.0.1, alt.example.test. */
  server: Issued;
  /** Same key as `server`, another certificate. */
  serverReissued: Issued;
  expired: Issued;
  notYetValid: Issued;
  unknown: Issued;
  /** For SNI: CN/SAN iot.example.test. */
  iot: Issued;
  /** Issued by the intermediate; the server must send the intermediate too. */
  viaIntermediate: Issued;
  client: Issued;
  dispose(): void;
}

const DAY = 86_400_000;

/** openssl ca -startdate/-enddate: YYYYMMDDHHMMSSZ. */
function asn1Time(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
}

export function makePki(now = Date.now()): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-pki-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const read = (name: string) => readFileSync(file(name), 'utf8');
  const issued = (name: string): Issued => ({ cert: read(`${name}.pem`), key: read(`${name}.key`), x509: new X509Certificate(read(`${name}.pem`)) });

  /** openssl ca's database and settings, one per issuer. */
  const issuer = (name: string) => {
    writeFileSync(file(`${name}.db`), '');
    writeFileSync(file(`${name}.cnf`), [
      '[ca]', 'default_ca = this', '[this]', `dir = ${dir}`, `database = ${file(`${name}.db`)}`, `new_certs_dir = ${dir}`,
      `serial = ${file(`${name}.srl`)}`, 'default_md = sha256', 'policy = any', 'copy_extensions = copy', 'unique_subject = no',
      '[any]', 'commonName = supplied', '',
    ].join('\n'));
    writeFileSync(file(`${name}.srl`), `${(Math.floor(Math.random() * 1e6) + 4096).toString(16).padStart(6, '0')}\n`);
  };
  const root = (name: string, cn: string) => {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-subj', `/CN=${cn}`, '-days', '3650',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    issuer(name);
  };
  const sign = (issuer: string, name: string, opts: { cn: string; san?: string; from?: number; to?: number; reuseKey?: string; ca?: boolean }) => {
    const key = opts.reuseKey ?? `${name}.key`;
    const keyArgs = opts.reuseKey ? ['-key', key] : ['-newkey', 'rsa:2048', '-nodes', '-keyout', key];
    const ext = [...(opts.san ? ['-addext', `subjectAltName=${opts.san}`] : []), ...(opts.ca ? ['-addext', 'basicConstraints=critical,CA:TRUE'] : [])];
    openssl('req', '-new', ...keyArgs, '-subj', `/CN=${opts.cn}`, ...ext, '-out', `${name}.csr`);
    openssl('ca', '-batch', '-notext', '-config', `${issuer}.cnf`, '-cert', `${issuer}.pem`, '-keyfile', `${issuer}.key`, '-in', `${name}.csr`, '-out', `${name}.pem`,
      '-startdate', asn1Time(opts.from ?? now - DAY), '-enddate', asn1Time(opts.to ?? now + 365 * DAY));
    if (opts.reuseKey) writeFileSync(file(`${name}.key`), read(opts.reuseKey));
  };

  root('ca', 'modemlab test CA');
  root('other', 'modemlab unknown CA');
  const localSan = 'DNS:localhost,IP:127.0.0.1,DNS:alt.example.test';
  sign('ca', 'server', { cn: 'localhost', san: localSan });
  sign('ca', 'reissued', { cn: 'localhost', san: localSan, reuseKey: 'server.key' });
  sign('ca', 'expired', { cn: 'localhost', san: localSan, from: now - 730 * DAY, to: now - 365 * DAY });
  sign('ca', 'future', { cn: 'localhost', san: localSan, from: now + 365 * DAY, to: now + 730 * DAY });
  sign('other', 'unknown', { cn: 'localhost', san: localSan });
  sign('ca', 'iot', { cn: 'iot.example.test', san: 'DNS:iot.example.test' });
  sign('ca', 'client', { cn: 'modem-client' });
  sign('ca', 'intermediate', { cn: 'modemlab intermediate', ca: true });
  issuer('intermediate');
  sign('intermediate', 'leaf2', { cn: 'localhost', san: localSan });

  return {
    ca: issued('ca'),
    otherCa: issued('other'),
    intermediate: issued('intermediate'),
    server: issued('server'),
    serverReissued: issued('reissued'),
    expired: issued('expired'),
    notYetValid: issued('future'),
    unknown: issued('unknown'),
    iot: issued('iot'),
    viaIntermediate: issued('leaf2'),
    client: issued('client'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A certificate store in memory, for TLS tests that do not exercise +USECMNG. */
export class MemoryCredentials implements TlsCredentials {
  cas = new Map<string, CertificateData>();
  preinstalled = new Map<string, CertificateData>();
  clients = new Map<string, CertificateData>();
  servers = new Map<string, CertificateData>();
  keys = new Map<string, { pem: string; password?: string }>();

  findCa(name: string, database: CertificateDatabase): CertificateData | undefined {
    return (database !== 'preinstalled' ? this.cas.get(name) : undefined) ?? (database !== 'user' ? this.preinstalled.get(name) : undefined);
  }
  allCas(database: CertificateDatabase): CertificateData[] {
    return [...(database !== 'preinstalled' ? this.cas.values() : []), ...(database !== 'user' ? this.preinstalled.values() : [])];
  }
  clientCert(name: string): CertificateData | undefined {
    return this.clients.get(name);
  }
  serverCert(name: string): CertificateData | undefined {
    return this.servers.get(name);
  }
  privateKey(name: string, password?: string): KeyObject | undefined {
    const k = this.keys.get(name);
    if (!k) return undefined;
    return createPrivateKey(k.password !== undefined ? { key: k.pem, passphrase: password ?? '' } : k.pem);
  }
}

/** A node:tls server on loopback; close() also ends the connections it still has. */
export async function tlsServer(options: TlsOptions, onSecure?: (s: TLSSocket) => void): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer(options, (s) => {
    s.on('error', () => {});
    onSecure?.(s);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return { server, port, close: () => closeServer(server, sockets) };
}

/** A TCP server that accepts and never answers (handshake timeouts). */
export async function silentServer(): Promise<{ server: NetServer; port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = netServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => closeServer(server, sockets),
  };
}

function closeServer(server: NetServer, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const s of sockets) s.destroy();
  });
}

/** A connected TCP socket to 127.0.0.1:port, as the socket service hands it over. */
export async function tcp(port: number): Promise<Socket> {
  const s = netConnect(port, '127.0.0.1');
  await once(s, 'connect');
  return s;
}
