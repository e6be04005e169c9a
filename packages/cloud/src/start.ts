import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { Clock } from '@modemlab/at';
import { loadOrCreateKeyFile } from './at-rest.js';
import type { RateLimits } from './cloud-services.js';
import { buildCloud, type CloudApp } from './server.js';
import { openStore } from './store/open.js';
import type { SqlDb } from './store/sql.js';
import { localServerTls } from './tls-cert.js';

export const DEFAULT_CLOUD_STATE = './.modemlab/cloud';
export const DEFAULT_CLOUD_LISTEN = { host: '127.0.0.1', port: 8443 };

export interface StartCloudOptions {
  listen?: { host: string; port: number };
  /** State folder: cloud.db (SQLite), cloud.key, ca.pem/ca-key.pem. */
  stateDir?: string;
  /** `postgres://...` for PostgreSQL; SQLite at `<stateDir>/cloud.db` without. */
  db?: string;
  /** Default `<stateDir>/cloud.key`; created (0600) on first start. */
  keyFile?: string;
  tlsCert?: string;
  tlsKey?: string;
  clock?: Clock;
  limits?: Partial<RateLimits>;
  /** Log level for pino; 'silent' for none. */
  logLevel?: string;
  /** See BuildCloudOptions.trustProxy. */
  trustProxy?: boolean | string[];
  /** Where the JSON log lines go; stderr by default. */
  logDestination?: NodeJS.WritableStream;
}

export interface RunningCloud {
  /** `https://HOST:PORT` with the port actually bound. */
  url: string;
  host: string;
  port: number;
  /** What clients trust: the local CA, or the given certificate. */
  caPem: string;
  cloud: CloudApp;
  db: SqlDb;
  close(): Promise<void>;
}

export function formatUrl(host: string, port: number): string {
  return `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** `modemlab cloud`: migrate the store, then serve HTTPS. Logs (pino, JSON) go to stderr. */
export async function startCloud(opts: StartCloudOptions = {}): Promise<RunningCloud> {
  const stateDir = opts.stateDir ?? DEFAULT_CLOUD_STATE;
  const listen = opts.listen ?? DEFAULT_CLOUD_LISTEN;
  if (!!opts.tlsCert !== !!opts.tlsKey) throw new Error('--tls-cert and --tls-key go together');
  const atRestKey = loadOrCreateKeyFile(opts.keyFile ?? join(stateDir, 'cloud.key'));
  const tls = opts.tlsCert && opts.tlsKey
    ? { key: readFileSync(opts.tlsKey, 'utf8'), cert: readFileSync(opts.tlsCert, 'utf8'), caPem: readFileSync(opts.tlsCert, 'utf8') }
    : await localServerTls(stateDir, listen.host);
  const db = await openStore({ db: opts.db, stateDir, now: opts.clock ? () => opts.clock!.now() : undefined });
  try {
    const logger = pino({ level: opts.logLevel ?? 'info', base: { service: 'modemlab-cloud' } }, opts.logDestination ?? pino.destination(2));
    const cloud = await buildCloud({ db, atRestKey, clock: opts.clock, limits: opts.limits, https: { key: tls.key, cert: tls.cert }, logger, trustProxy: opts.trustProxy });
    await cloud.app.listen({ host: listen.host, port: listen.port });
    const addr = cloud.app.server.address();
    const port = addr && typeof addr !== 'string' ? addr.port : listen.port;
    return {
      url: formatUrl(listen.host, port),
      host: listen.host,
      port,
      caPem: tls.caPem,
      cloud,
      db,
      async close() {
        await cloud.app.close();
        await db.close();
      },
    };
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}
