import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Clock } from '@modemlab/at';
import type { RateLimits } from '../cloud-services.js';
import { buildCloud, type CloudApp } from '../server.js';
import { openStore } from '../store/open.js';
import type { SqlDb } from '../store/sql.js';
import { localServerTls } from '../tls-cert.js';

export interface CloudResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

export interface TestCloud {
  url: string;
  caPem: string;
  cloud: CloudApp;
  db: SqlDb;
  atRestKey: Buffer;
  /** Sends one request over real HTTPS; `body` is JSON-encoded unless it is a Buffer/string (sent as is). */
  request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<CloudResponse<T>>;
  close(): Promise<void>;
}

export interface TestCloudOptions {
  /** A PostgreSQL URL; SQLite in a temp dir without. */
  db?: string;
  clock?: Clock;
  limits?: Partial<RateLimits>;
  bodyLimit?: number;
  /** Share a key (two processes on one PostgreSQL must). */
  atRestKey?: Buffer;
  trustProxy?: boolean | string[];
}

/** Sends one HTTPS request trusting `caPem`; resolves with status, parsed JSON and headers. */
export function httpsJson<T>(url: string, caPem: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}, agent?: https.Agent): Promise<CloudResponse<T>> {
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : typeof body === 'string' ? Buffer.from(body) : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(path, url), {
      method,
      ca: caPem,
      agent,
      headers: {
        ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
        ...headers,
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          /* not JSON: keep the text */
        }
        resolve({ status: res.statusCode ?? 0, body: parsed as T, headers: res.headers });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** A cloud on 127.0.0.1 (free port) over real HTTPS, on SQLite in a temp dir or on the given PostgreSQL. */
export async function startTestCloud(opts: TestCloudOptions = {}): Promise<TestCloud> {
  const stateDir = mkdtempSync(join(tmpdir(), 'modemlab-cloud-test-'));
  const db = await openStore({ db: opts.db, stateDir, now: opts.clock ? () => opts.clock!.now() : undefined });
  const tls = await localServerTls(stateDir, '127.0.0.1');
  const atRestKey = opts.atRestKey ?? randomBytes(32);
  const cloud = await buildCloud({ db, atRestKey, clock: opts.clock, limits: opts.limits, bodyLimit: opts.bodyLimit, trustProxy: opts.trustProxy, https: { key: tls.key, cert: tls.cert } });
  await cloud.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = cloud.app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  const url = `https://127.0.0.1:${addr.port}`;
  const agent = new https.Agent({ keepAlive: true, ca: tls.caPem });
  return {
    url,
    caPem: tls.caPem,
    cloud,
    db,
    atRestKey,
    request: (method, path, body, headers) => httpsJson(url, tls.caPem, method, path, body, headers, agent),
    async close() {
      agent.destroy();
      await cloud.app.close();
      await db.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
