/**
 * `npm run bench` (cloud part): requests per second of GetPSK and GetE2EDecryptionParameters
 * on SQLite and on PostgreSQL, beside a trivial Fastify route served by the same process
 * (same Fastify instance, same HTTPS listener, same JSON-in/JSON-out shape) in the same run:
 * that route is the framework's ceiling, and the ratio says how much of it the key services
 * keep. Clients use one keep-alive HTTPS agent with `--concurrency` requests in flight.
 * Every row is warmed up, then measured in `--rounds` samples (rows alternate within a round);
 * min/median/max are printed. Nothing here asserts on time.
 *
 *   npm run bench                                   # all of it
 *   tsx bench/cloud.ts --count 2000 --rounds 5 --concurrency 8
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { devIdxOf, e2eEncrypt, e2eV1Identity, pskIdentity, randomEpochSalt } from '../packages/at/src/index.js';
import { registerRot } from '../packages/cloud/src/services/factory.js';
import { createAccount } from '../packages/cloud/src/services/accounts.js';
import { buildCloud } from '../packages/cloud/src/server.js';
import { openStore } from '../packages/cloud/src/store/open.js';
import { localServerTls } from '../packages/cloud/src/tls-cert.js';
import { AtRest } from '../packages/cloud/src/at-rest.js';
import { startPostgres } from '../packages/cloud/src/testing/postgres.js';
import { moduleRequestHeaders } from '../packages/at/src/index.js';

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '8' },
  },
});
const COUNT = Number(args.count);
const ROUNDS = Number(args.rounds);
const WARMUP = Number(args.warmup);
const CONCURRENCY = Number(args.concurrency);

interface Target {
  name: string;
  path: string;
  body: Buffer;
  headers: Record<string, string>;
}

function post(agent: https.Agent, url: URL, t: Target): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(t.path, url), { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': String(t.body.length), ...t.headers } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${t.path}: HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(t.body);
  });
}

/** `count` requests with `CONCURRENCY` in flight; returns requests per second. */
async function load(agent: https.Agent, url: URL, t: Target, count: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      await post(agent, url, t);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return count / ((performance.now() - start) / 1000);
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

async function benchStore(store: 'sqlite' | 'postgres', dbUrl: string | undefined): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'modemlab-bench-cloud-'));
  const db = await openStore({ db: dbUrl, stateDir });
  const atRestKey = randomBytes(32);
  const tls = await localServerTls(stateDir, '127.0.0.1');
  // A rate limit that is never reached but still counted in the store on every request,
  // as in production.
  const cloud = await buildCloud({ db, atRestKey, https: { key: tls.key, cert: tls.cert }, limits: { perMinute: 1e12 } });
  cloud.app.post('/bench/trivial', async () => ({ Status: 'OK' }));
  await cloud.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = cloud.app.server.address();
  const url = new URL(`https://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`);
  const agent = new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca: tls.caPem });
  try {
    // One account, one sealed device with E2E and PSK: set up through the real API.
    const account = await createAccount(db, 'bench', 'customer', Date.now());
    const call = async <T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> => {
      const payload = Buffer.from(JSON.stringify(body));
      return new Promise<T>((resolve, reject) => {
        const req = https.request(new URL(path, url), { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': String(payload.length), ...headers } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
            if (res.statusCode === 200) resolve(parsed);
            else reject(new Error(`${path}: ${res.statusCode} ${JSON.stringify(parsed)}`));
          });
        });
        req.on('error', reject);
        req.end(payload);
      });
    };
    const { AuthToken } = await call<{ AuthToken: string }>('/v1/authenticate', { APIKey: account.APIKey, APISecret: account.APISecret });
    const auth = { authorization: AuthToken };
    const rotUid = randomBytes(8).toString('hex').toUpperCase();
    const secret = randomBytes(32);
    await registerRot(db, new AtRest(atRestKey), { ChipID: 'bench-chip', ROTPublicUID: rotUid, RootSecret: secret }, Date.now());
    let counter = 0;
    const moduleCall = (path: string, body: unknown) => {
      const raw = Buffer.from(JSON.stringify(body));
      return call(path, body, moduleRequestHeaders(secret, { method: 'POST', path, rotUid, counter: ++counter, nonce: randomBytes(16).toString('hex'), body: raw }));
    };
    await moduleCall('/v1/module/bootstrap', {});
    const { DeviceProfileUID } = await call<{ DeviceProfileUID: string }>('/v1/deviceprofile/create', { Name: 'bench', Features: ['E2E', 'PSK'], Whitelist: false }, auth);
    await moduleCall('/v1/module/seal', { DeviceProfileUID, DeviceSerialNumber: 'bench' });

    const devIdx = devIdxOf(rotUid);
    const blob = e2eEncrypt(secret, e2eV1Identity({ devIdx, epochSalt: randomEpochSalt(), counter: 0 }), Buffer.from('bench'));
    const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
    const targets: Target[] = [
      { name: 'trivial route', path: '/bench/trivial', body: json({ KeyID: pskIdentity(devIdx).toString('hex'), KeyLength: 32 }), headers: auth },
      { name: 'GetPSK', path: '/v1/psk/get', body: json({ KeyID: pskIdentity(devIdx).toString('hex'), KeyLength: 32 }), headers: auth },
      // An authenticated endpoint with one indexed read and no key work: separates what the
      // key services add from what every authenticated request costs (token, rate counter).
      { name: 'device/get', path: '/v1/device/get', body: json({ ROTPublicUID: rotUid }), headers: auth },
      { name: 'E2E params', path: '/v1/e2e/uplink/protectionparameters/get', body: json({ EncryptedHeader: blob.subarray(0, 16).toString('hex') }), headers: auth },
    ];
    for (const t of targets) await load(agent, url, t, WARMUP);
    const samples = new Map<string, number[]>(targets.map((t) => [t.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const t of order) samples.get(t.name)!.push(await load(agent, url, t, COUNT));
    }
    const ceiling = median(samples.get('trivial route')!);
    for (const t of targets) {
      const s = samples.get(t.name)!;
      const fmt = (n: number): string => n.toFixed(0).padStart(6);
      console.log(
        `${store.padEnd(8)} ${t.name.padEnd(14)} req/s min ${fmt(Math.min(...s))}  median ${fmt(median(s))}  max ${fmt(Math.max(...s))}   ratio to trivial ${(median(s) / ceiling).toFixed(2)}`,
      );
    }
  } finally {
    agent.destroy();
    await cloud.app.close();
    await db.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`\ncloud: ${COUNT} requests per sample, ${ROUNDS} samples, ${CONCURRENCY} in flight, keep-alive HTTPS, after ${WARMUP} warm-up requests per row`);
  await benchStore('sqlite', undefined);
  const pg = await startPostgres();
  try {
    await benchStore('postgres', await pg.createDatabase('bench'));
  } finally {
    await pg.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
