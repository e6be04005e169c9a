import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe } from 'node:test';
import { moduleRequestHeaders } from '@modemlab/at';
import { AtRest } from '../at-rest.js';
import { createAccount, type AccountRole } from '../services/accounts.js';
import { registerRot } from '../services/factory.js';
import { startTestCloud, type CloudResponse, type TestCloud, type TestCloudOptions } from './cloud.js';
import { findPostgresBinDir, startPostgres, type PostgresServer } from './postgres.js';

export type StartCloud = (opts?: TestCloudOptions) => Promise<TestCloud>;

function postgresAvailable(): boolean {
  try {
    findPostgresBinDir();
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs the same suite on SQLite and on a real PostgreSQL (one server per file, one fresh
 * database per cloud). Clouds started through `start` are closed after each test.
 */
export function describeOnStores(title: string, suite: (start: StartCloud, store: 'sqlite' | 'postgres') => void): void {
  for (const store of ['sqlite', 'postgres'] as const) {
    const skip = store === 'postgres' && !postgresAvailable() ? 'PostgreSQL binaries not installed' : false;
    describe(`${title} [${store}]`, { skip }, () => {
      let pg: PostgresServer | undefined;
      let n = 0;
      const open: TestCloud[] = [];
      if (store === 'postgres') {
        before(async () => {
          pg = await startPostgres();
        });
        after(async () => {
          await pg?.stop();
        });
      }
      afterEach(async () => {
        await Promise.all(open.splice(0).map((c) => c.close()));
      });
      const start: StartCloud = async (opts = {}) => {
        const db = store === 'postgres' ? await pg!.createDatabase(`suite_${process.pid}_${++n}`) : undefined;
        const cloud = await startTestCloud({ ...opts, ...(db ? { db } : {}) });
        open.push(cloud);
        return cloud;
      };
      suite(start, store);
    });
  }
}

export interface TestAccount {
  APIKey: string;
  APISecret: string;
  AccountID: string;
  token: string;
  refreshToken: string;
  /** A request with this account's AuthToken (raw form unless `bearer`). */
  call<T = Record<string, unknown>>(path: string, body?: unknown, opts?: { bearer?: boolean }): Promise<CloudResponse<T>>;
}

/** Creates an account in the store (as `modemlab cloud account add` does) and authenticates over HTTPS. */
export async function newAccount(t: TestCloud, name = 'acme', role: AccountRole = 'customer'): Promise<TestAccount> {
  const created = await createAccount(t.db, name, role, t.cloud.services.clock.now());
  const auth = await t.request<{ AuthToken: string; RefreshToken: string }>('POST', '/v1/authenticate', { APIKey: created.APIKey, APISecret: created.APISecret });
  if (auth.status !== 200) throw new Error(`authenticate: ${auth.status} ${JSON.stringify(auth.body)}`);
  const token = auth.body.AuthToken;
  return {
    ...created,
    token,
    refreshToken: auth.body.RefreshToken,
    call: (path, body = {}, opts = {}) => t.request('POST', path, body, { authorization: opts.bearer ? `Bearer ${token}` : token }),
  };
}

export interface TestModule {
  rotUid: string;
  secret: Buffer;
  counter: number;
  /** Signs and sends a module request with the next counter (or the one given). */
  send<T = Record<string, unknown>>(path: string, body?: unknown, opts?: { counter?: number; nonce?: string; tamper?: (h: Record<string, string>, raw: Buffer) => Buffer }): Promise<CloudResponse<T>>;
}

let rotSeq = 0;
export function newRotUid(): string {
  return (randomBytes(4).toString('hex') + (++rotSeq).toString(16).padStart(8, '0')).toUpperCase();
}

/** Registers a root of trust in the factory registry and returns a module that signs its requests. */
export async function newModule(t: TestCloud, rotUid = newRotUid(), secret = randomBytes(32)): Promise<TestModule> {
  await registerRot(t.db, new AtRest(t.atRestKey), { ChipID: `chip-${rotUid}`, ROTPublicUID: rotUid, RootSecret: secret }, Date.now());
  return moduleClient(t, rotUid, secret);
}

/** A module client for an already registered root of trust (a clone shares uid and secret). */
export function moduleClient(t: TestCloud, rotUid: string, secret: Buffer, counter = 0): TestModule {
  const m: TestModule = {
    rotUid,
    secret,
    counter,
    async send(path, body = {}, opts = {}) {
      const counter = opts.counter ?? ++m.counter;
      let raw: Buffer = Buffer.from(JSON.stringify(body));
      const headers = moduleRequestHeaders(secret, { method: 'POST', path, rotUid, counter, nonce: opts.nonce ?? randomBytes(16).toString('hex'), body: raw });
      if (opts.tamper) raw = opts.tamper(headers, raw);
      return t.request('POST', path, raw, headers);
    },
  };
  return m;
}
