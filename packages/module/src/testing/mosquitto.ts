import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A mosquitto broker on loopback, started for a test and stopped by it. */
export interface Mosquitto {
  port: number;
  /** The TLS listener when asked for (server certificate; client certificates when `requireClientCert`). */
  tlsPort?: number;
  stop(): Promise<void>;
}

export interface MosquittoOptions {
  tls?: { ca: string; cert: string; key: string; requireClientCert?: boolean };
  /** user -> password; anonymous logins are refused when given. */
  users?: Record<string, string>;
}

async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  s.close();
  await once(s, 'close');
  return port;
}

/**
 * Starts mosquitto (Debian's /usr/sbin/mosquitto) with a generated configuration and
 * resolves once every listener is open, as its log says: no polling, no sleep.
 */
export async function startMosquitto(opts: MosquittoOptions = {}): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'mosq-'));
  // Run as root, mosquitto drops to its own user, which must still read the files.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const tlsPort = opts.tls ? await freePort() : undefined;
  const lines = ['per_listener_settings false', 'persistence false', 'log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice', 'log_type information',
    // Nagle off on the broker's sockets too: a bench baseline must not wait on delayed ACKs.
    'set_tcp_nodelay true'];
  if (opts.users) {
    const file = join(dir, 'passwords');
    writeFileSync(file, Object.entries(opts.users).map(([u, p]) => `${u}:${p}`).join('\n') + '\n');
    // mosquitto 2 reads plain-text password files only after mosquitto_passwd hashes them.
    await run('mosquitto_passwd', ['-U', file]);
    chmodSync(file, 0o644);
    lines.push('allow_anonymous false', `password_file ${file}`);
  } else lines.push('allow_anonymous true');
  lines.push(`listener ${port} 127.0.0.1`);
  if (opts.tls && tlsPort) {
    for (const [name, pem] of Object.entries({ ca: opts.tls.ca, cert: opts.tls.cert, key: opts.tls.key })) writeFileSync(join(dir, `${name}.pem`), pem, { mode: 0o644 });
    lines.push(`listener ${tlsPort} 127.0.0.1`, `cafile ${join(dir, 'ca.pem')}`, `certfile ${join(dir, 'cert.pem')}`, `keyfile ${join(dir, 'key.pem')}`);
    if (opts.tls.requireClientCert) lines.push('require_certificate true');
  }
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, lines.join('\n') + '\n');
  const child = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  await listening(child);
  return {
    port,
    ...(tlsPort ? { tlsPort } : {}),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function listening(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      // "running" comes after every listener is bound ("Opening ... socket" comes before).
      if (/mosquitto version \S+ running/.test(log)) {
        child.stderr!.off('data', onData);
        child.stderr!.resume();
        resolve();
      }
    };
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`mosquitto exited (${code}): ${log}`)));
    child.once('error', reject);
  });
}

async function run(cmd: string, args: string[]): Promise<void> {
  const p = spawn(cmd, args, { stdio: 'ignore' });
  const [code] = (await once(p, 'exit')) as [number];
  if (code !== 0) throw new Error(`${cmd} exited ${code}`);
}
