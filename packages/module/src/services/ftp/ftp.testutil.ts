import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecureContextOptions } from 'node:tls';
import { FtpSrv } from 'ftp-srv';

/** A real FTP(S) server (ftp-srv) on loopback, started and stopped by a test. */
export interface TestFtpServer {
  port: number;
  /** The folder the user sees as "/". */
  root: string;
  /** A file's bytes on the server. */
  read(name: string): Buffer;
  write(name: string, data: Buffer | string): void;
  /** Names of the users that logged in, in order. */
  logins: string[];
  /** The server goes away (every connection closed); its files stay until close(). */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export interface TestFtpServerOptions {
  /**
   * Explicit TLS (AUTH TLS) with this certificate and key. Absent: the server answers AUTH
   * TLS with 502, as a plain FTP server does.
   */
  tls?: SecureContextOptions;
  user?: string;
  password?: string;
  files?: Record<string, Buffer | string>;
}

export const FTP_USER = 'modem';
export const FTP_PASSWORD = 'secret';

const silent: Record<string, unknown> = {};
for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal']) silent[level] = () => {};
silent.child = () => silent;

/**
 * Server TLS settings that also accept the TLS 1.0 suites of older modules (Telit's GE
 * family): OpenSSL needs security level 0 for their MD5+SHA1 signatures.
 */
export function legacyTls(cert: string, key: string): SecureContextOptions {
  return { cert, key, minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' };
}

export async function startFtpServer(opts: TestFtpServerOptions = {}): Promise<TestFtpServer> {
  const root = mkdtempSync(join(tmpdir(), 'modemlab-ftp-'));
  for (const [name, data] of Object.entries(opts.files ?? {})) writeFileSync(join(root, name), data);
  const user = opts.user ?? FTP_USER;
  const password = opts.password ?? FTP_PASSWORD;
  // Passive ports from a random range, so parallel test files rarely meet.
  const pasvMin = 20_000 + Math.floor(Math.random() * 400) * 100;
  // ftp-srv adds process signal handlers; the server removes exactly its own on close.
  const signals = ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const server = new FtpSrv({
    url: 'ftp://127.0.0.1:0',
    pasv_url: '127.0.0.1',
    pasv_min: pasvMin,
    pasv_max: pasvMin + 99,
    anonymous: false,
    greeting: ['modemlab test server'],
    log: silent as never,
    tls: (opts.tls ?? false) as never,
  });
  const added = signals.flatMap((s) => process.listeners(s).filter((l) => !before.get(s)!.has(l)).map((l) => [s, l] as const));
  const logins: string[] = [];
  server.on('login', ({ username, password: given }, resolve, reject) => {
    if (username === user && given === password) {
      logins.push(username);
      resolve({ root });
    } else reject(new Error('bad credentials'));
  });
  server.on('client-error', () => {});
  await server.listen();
  const port = ((server as unknown as { server: Server }).server.address() as AddressInfo).port;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await Promise.race([server.close().catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
      for (const [signal, listener] of added) process.off(signal, listener as () => void);
    })());
  return {
    port,
    root,
    logins,
    read: (name) => readFileSync(join(root, name)),
    write: (name, data) => writeFileSync(join(root, name), data),
    stop,
    async close() {
      await stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
