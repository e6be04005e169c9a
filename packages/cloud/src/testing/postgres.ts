/**
 * A throw-away PostgreSQL server for tests and benchmarks: Debian's own binaries, a fresh
 * cluster in a temp dir, a free loopback port, the unix socket inside the temp dir.
 *
 * initdb and postgres refuse to run as root, so when we are root both run as the
 * `postgres` user (spawn's uid/gid, the same as `runuser -u postgres --` without an extra
 * process between us and the server's signals) and the temp dir is chowned to it.
 *
 * The server is started under a small shell supervisor whose stdin is a pipe from us: that
 * pipe is the lifeline. When we call stop(), or when this process ends in any way (even
 * SIGKILL: the kernel closes the pipe), the supervisor sees EOF, shuts the server down
 * (SIGINT = fast shutdown) and removes the temp dir. The supervisor inherits our stdout
 * and writes nothing to it, so whoever reads our stdout sees it close only after the
 * cleanup — that is how the "stops on process exit" test waits without polling.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth on loopback). */
  url: string;
  port: number;
  /** The temp dir holding the cluster (`data/`) and the unix socket (`sock/`). */
  dir: string;
  /** Creates a fresh database on this server and returns its URL (isolates suites sharing one server). */
  createDatabase(name: string): Promise<string>;
  /** Fast shutdown, then the temp dir is removed. Idempotent. */
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Directory with initdb and postgres; default: findPostgresBinDir(). */
  binDir?: string;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string>;
}

/** Settings that make a test cluster fast; durability is irrelevant for a throw-away server. */
const FAST_SETTINGS: Record<string, string> = {
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  max_connections: '100',
};

// A background job's stdin is /dev/null in a non-interactive shell, so the lifeline is
// handed to the watcher as fd 3.
const SUPERVISOR = `
exec 3<&0
"$PG_BIN/postgres" "$@" </dev/null 3<&- &
pg=$!
( cat <&3 >/dev/null; kill -INT "$pg" 2>/dev/null ) >/dev/null 2>&1 &
exec 3<&-
wait "$pg"
status=$?
rm -rf "$PG_DIR"
exit $status
`;

const PORT_ATTEMPTS = 5;

/** `$MODEMLAB_PG_BIN` when set, else the newest Debian `/usr/lib/postgresql/<v>/bin`. */
export function findPostgresBinDir(): string {
  const fromEnv = process.env.MODEMLAB_PG_BIN;
  if (fromEnv) {
    if (!existsSync(join(fromEnv, 'initdb'))) throw new Error(`MODEMLAB_PG_BIN=${fromEnv} holds no initdb`);
    return fromEnv;
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)');
  }
  return join(root, versions[0]!, 'bin');
}

interface RunAs {
  uid?: number;
  gid?: number;
}

/** When root, the `postgres` account's ids; otherwise run as ourselves. */
function serverAccount(): RunAs {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function runInitdb(binDir: string, dataDir: string, account: RunAs, home: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      join(binDir, 'initdb'),
      ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
      { ...account, cwd: home, env: { ...process.env, HOME: home, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`initdb exited with ${code}: ${err.trim()}`))));
  });
}

interface Launched {
  child: ChildProcess;
  exited: Promise<void>;
}

/** Starts the supervised server; resolves once it accepts connections, rejects if it exits first. */
function launch(binDir: string, dir: string, port: number, account: RunAs, settings: Record<string, string>): Promise<Launched> {
  const args = ['-D', join(dir, 'data'), '-p', String(port), '-h', '127.0.0.1', '-k', join(dir, 'sock')];
  for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
  const child = spawn('/bin/sh', ['-c', SUPERVISOR, 'pg-supervisor', ...args], {
    ...account,
    cwd: dir,
    env: { ...process.env, HOME: dir, LC_ALL: 'C', PG_BIN: binDir, PG_DIR: dir },
    stdio: ['pipe', 'inherit', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let log = '';
    const onData = (c: Buffer): void => {
      log += c.toString();
      if (log.includes('database system is ready to accept connections')) {
        child.stderr!.off('data', onData);
        child.stderr!.resume(); // keep draining the server's log so it never blocks on a full pipe
        child.off('exit', onExit);
        resolve({ child, exited });
      }
    };
    const onExit = (code: number | null): void => reject(Object.assign(new Error(`postgres exited with ${code}: ${log.trim()}`), { log }));
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', reject);
  });
}

/** Lets our process end while the server runs; the lifeline pipe then stops it. */
function detach(child: ChildProcess): void {
  child.unref();
  for (const s of [child.stdin, child.stderr]) (s as unknown as { unref?: () => void } | null)?.unref?.();
}

function reattach(child: ChildProcess): void {
  child.ref();
  for (const s of [child.stdin, child.stderr]) (s as unknown as { ref?: () => void } | null)?.ref?.();
}

/** One temp dir, one cluster, one server on `port`; the supervisor removes the dir when the server ends. */
async function startOnce(binDir: string, account: RunAs, port: number, settings: Record<string, string>): Promise<Launched & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-pg-'));
  try {
    mkdirSync(join(dir, 'sock'), { mode: 0o700 });
    if (account.uid !== undefined) {
      chownSync(dir, account.uid, account.gid!);
      chownSync(join(dir, 'sock'), account.uid, account.gid!);
    }
    await runInitdb(binDir, join(dir, 'data'), account, dir);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return { ...(await launch(binDir, dir, port, account, settings)), dir };
}

export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const binDir = options.binDir ?? findPostgresBinDir();
  const account = serverAccount();
  const settings = { ...FAST_SETTINGS, ...options.settings };
  let launched: (Launched & { dir: string }) | undefined;
  let port = 0;
  for (let attempt = 1; !launched; attempt++) {
    port = await freePort();
    try {
      launched = await startOnce(binDir, account, port, settings);
    } catch (e) {
      // Only a port taken between our probe and the server's bind is worth another try.
      const log = String((e as { log?: string }).log ?? '');
      if (attempt >= PORT_ATTEMPTS || !log.includes('could not bind')) throw e;
    }
  }
  const { child, exited, dir } = launched;
  detach(child);

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    dir,
    async createDatabase(name: string): Promise<string> {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid database name: ${name}`);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop(): Promise<void> {
      stopping ??= (async () => {
        reattach(child);
        child.stdin!.end(); // EOF on the lifeline: the supervisor shuts the server down and cleans up
        await exited;
      })();
      return stopping;
    },
  };
}
