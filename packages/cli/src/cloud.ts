import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { SqlDb } from '@modemlab/cloud';
import { loadCloud } from './optional-import.js';
import { parseHostPort, type HostPort } from './parse.js';
import { waitForSignal } from './serve.js';
import { CliError } from './module-api.js';

export interface CloudIo {
  out: (text: string) => void;
  err: (text: string) => void;
  exitCode: number;
}

interface StoreOptions {
  state: string;
  db?: string;
  keyFile?: string;
}

/** The cloud's default state folder (DEFAULT_CLOUD_STATE of @modemlab/cloud, which loads only when a cloud command runs). */
export const CLOUD_STATE_DEFAULT = './.modemlab/cloud';

function hostPort(v: string): HostPort {
  try {
    return parseHostPort(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function hexArg(bytes: number, what: string) {
  return (v: string): string => {
    if (!new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(v)) throw new InvalidArgumentError(`${what} must be ${bytes * 2} hex characters`);
    return v;
  };
}

function storeOptions(cmd: Command): Command {
  return cmd
    .option('--state <DIR>', 'state folder (SQLite cloud.db, cloud.key, ca.pem)', CLOUD_STATE_DEFAULT)
    .option('--db <URL>', 'postgres://... for PostgreSQL (default: SQLite in the state folder)');
}

async function withStore<T>(o: StoreOptions, fn: (db: SqlDb) => Promise<T>, opts: { migrate?: boolean } = {}): Promise<T> {
  const { openStore } = await loadCloud();
  const db = await openStore({ db: o.db, stateDir: o.state, migrate: opts.migrate });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** `modemlab cloud ...`: the security cloud server and its store administration. */
export function registerCloudCommands(program: Command, io: CloudIo): void {
  const cloud = storeOptions(
    program
      .command('cloud')
      .description(
        'run the security cloud (HTTPS REST API); prints `modemlab: cloud listening on https://HOST:PORT`, runs until SIGINT/SIGTERM',
      )
      .enablePositionalOptions()
      .option('--listen <HOST:PORT>', 'address to serve HTTPS on (port 0 picks a free port)', hostPort, { host: '127.0.0.1', port: 8443 }),
  )
    .option('--key-file <F>', 'key that encrypts secrets at rest (created 0600 on first start; default <state>/cloud.key)')
    .option('--tls-cert <F>', 'serve this certificate (PEM) instead of one from the local CA at <state>/ca.pem')
    .option('--tls-key <F>', 'private key (PEM) of --tls-cert')
    .option('--trust-proxy [ADDRS]', 'behind a load balancer: client addresses from X-Forwarded-For (from any hop, or only from these comma-separated addresses/CIDRs)')
    .action(async (o: StoreOptions & { listen: HostPort; tlsCert?: string; tlsKey?: string; trustProxy?: boolean | string }) => {
      if (!!o.tlsCert !== !!o.tlsKey) throw new CliError('modemlab: --tls-cert and --tls-key go together', 2);
      const { startCloud } = await loadCloud();
      const running = await startCloud({ listen: o.listen, stateDir: o.state, db: o.db, keyFile: o.keyFile, tlsCert: o.tlsCert, tlsKey: o.tlsKey,
        trustProxy: typeof o.trustProxy === 'string' ? o.trustProxy.split(',').map((a) => a.trim()).filter(Boolean) : o.trustProxy });
      io.out(`modemlab: cloud listening on ${running.url}\n`);
      const sig = await waitForSignal();
      io.err(`modemlab: ${sig}, closing\n`);
      await running.close();
      io.exitCode = 0;
    });

  const account = cloud.command('account').description('customer accounts');
  storeOptions(account.command('add').description('create an account; prints its first API key pair as one JSON line (the secret is shown only here)'))
    .argument('<name>', 'account name')
    .option('--factory', 'a factory account (may register roots of trust through /v1/factory/rot/register)')
    .action(async (name: string, o: StoreOptions & { factory?: boolean }) => {
      const { createAccount } = await loadCloud();
      const created = await withStore(o, (db) => createAccount(db, name, o.factory ? 'factory' : 'customer', Date.now()));
      io.out(JSON.stringify({ APIKey: created.APIKey, APISecret: created.APISecret }) + '\n');
    });

  storeOptions(cloud.command('migrate').description('apply pending store migrations; prints what was applied'))
    .action(async (o: StoreOptions) => {
      const { migrate } = await loadCloud();
      const applied = await withStore(o, (db) => migrate(db), { migrate: false });
      io.out(applied.length > 0 ? `modemlab: cloud store migrated (${applied.join(', ')})\n` : 'modemlab: cloud store up to date\n');
    });

  const factory = cloud.command('factory').description('secure production: the registry of roots of trust');
  storeOptions(factory.command('add').description("register a module's root of trust; prints {ChipID, ROTPublicUID, RootSecret} as one JSON line"))
    .requiredOption('--rot-uid <HEX>', 'ROTPublicUID, 16 hex characters', hexArg(8, '--rot-uid'))
    .option('--chip-id <ID>', 'chip id (default: chip-<ROTPublicUID>)')
    .option('--secret <HEX>', 'root secret, 64 hex characters (default: a fresh random one, printed)', hexArg(32, '--secret'))
    .option('--key-file <F>', 'at-rest key (default <state>/cloud.key)')
    .action(async (o: StoreOptions & { rotUid: string; chipId?: string; secret?: string }) => {
      const { AtRest, loadOrCreateKeyFile, registerRot } = await loadCloud();
      const rotUid = o.rotUid.toUpperCase();
      const secret = o.secret ? Buffer.from(o.secret, 'hex') : randomBytes(32);
      const atRest = new AtRest(loadOrCreateKeyFile(o.keyFile ?? join(o.state, 'cloud.key')));
      const chipId = o.chipId ?? `chip-${rotUid}`;
      await withStore(o, (db) => registerRot(db, atRest, { ChipID: chipId, ROTPublicUID: rotUid, RootSecret: secret }, Date.now())).catch((err: Error & { status?: number }) => {
        throw err.name === 'CloudError' ? new CliError(`modemlab: ${err.message}`, 1) : err;
      });
      io.out(JSON.stringify({ ChipID: chipId, ROTPublicUID: rotUid, RootSecret: secret.toString('hex') }) + '\n');
    });

  cloud
    .command('openapi')
    .description('print the OpenAPI document (docs/cloud-openapi.json is this output)')
    .action(async () => {
      const { cloudRoutes, openApiDocument } = await loadCloud();
      io.out(JSON.stringify(openApiDocument(await cloudRoutes()), null, 2) + '\n');
    });
}
