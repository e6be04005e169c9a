import { mkdirSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import path from 'node:path';
import { optionalImport } from '../optional-import.js';
import type { LabPki } from './pki.js';

/** The lab FTP(S) account (README: ftp.lab:21, user `lab`, password `lab`). */
export const LAB_FTP_USER = 'lab';
export const LAB_FTP_PASSWORD = 'lab';

const silent: Record<string, unknown> = {};
for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal']) silent[level] = () => {};
silent.child = () => silent;

/**
 * An FTP server with explicit TLS (AUTH TLS, the lab's certificate) on 127.0.0.1, serving
 * `<lab>/ftp/`; ftp-srv is an optional peer of the CLI: absent, the lab starts without it.
 * Passive replies name 127.0.0.1 (loopback: the lab network lets the module dial it).
 */
export async function startFtps(dir: string, pki: LabPki): Promise<{ port: number; close(): Promise<void> }> {
  const { FtpSrv } = await optionalImport('ftp-srv', () => import('ftp-srv'), 'the lab FTPS server');
  const root = path.join(dir, 'ftp');
  mkdirSync(root, { recursive: true });
  // ftp-srv adds process signal handlers; the lab removes exactly those on close.
  const signals = ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const server = new FtpSrv({
    url: 'ftp://127.0.0.1:0',
    pasv_url: '127.0.0.1',
    pasv_min: 40_000,
    pasv_max: 60_000,
    anonymous: false,
    greeting: ['modemlab lab FTPS'],
    log: silent as never,
    tls: { key: pki.serverKey, cert: pki.serverCert } as never,
  });
  const added = signals.flatMap((s) => process.listeners(s).filter((l) => !before.get(s)!.has(l)).map((l) => [s, l] as const));
  for (const [signal, listener] of added) process.off(signal, listener as () => void);
  server.on('login', ({ username, password }, resolve, reject) => (username === LAB_FTP_USER && password === LAB_FTP_PASSWORD ? resolve({ root }) : reject(new Error('bad credentials'))));
  server.on('client-error', () => {});
  await server.listen();
  return {
    port: ((server as unknown as { server: Server }).server.address() as AddressInfo).port,
    async close() {
      await server.close().catch(() => undefined);
    },
  };
}
