import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

/** Debian's vsftpd, where the package is installed (.ci/run installs it). */
export const VSFTPD = ['/usr/sbin/vsftpd', '/usr/bin/vsftpd'].find((p) => existsSync(p));

/**
 * A real vsftpd on loopback with a generated configuration: anonymous login (no password),
 * PASSIVE MODE OFF — only active (PORT) data connections work — and uploads into `upload/`.
 * Started by a test and stopped by it; it runs in the foreground as this (root) process's child.
 */
export interface TestVsftpd {
  port: number;
  /** The anonymous root; `upload/` in it is writable by the server's ftp user. */
  root: string;
  read(name: string): Buffer;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once the server greets on `port` (its first bytes), or rejects if the process ends first. */
async function greeted(port: number, child: ChildProcess): Promise<void> {
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    if (exited) throw new Error('vsftpd exited at start');
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('data', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setImmediate(r));
  }
}

export interface VsftpdOptions {
  /**
   * Explicit FTPS with this certificate and key (PEM): ssl_enable=YES, TLS forced for the
   * anonymous login and its data connections, require_ssl_reuse=YES (vsftpd's default: a
   * data connection must resume the control connection's TLS session).
   */
  tls?: { cert: string; key: string };
}

export async function startVsftpd(files: Record<string, Buffer | string> = {}, opts: VsftpdOptions = {}): Promise<TestVsftpd> {
  if (!VSFTPD) throw new Error('vsftpd is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-vsftpd-'));
  chmodSync(dir, 0o755);
  const root = join(dir, 'root');
  const empty = join(dir, 'empty');
  mkdirSync(root, { mode: 0o755 });
  mkdirSync(empty, { mode: 0o755 });
  const upload = join(root, 'upload');
  mkdirSync(upload, { mode: 0o755 });
  const ftpUid = Number(execFileSync('id', ['-u', 'ftp']).toString().trim());
  const ftpGid = Number(execFileSync('id', ['-g', 'ftp']).toString().trim());
  chownSync(upload, ftpUid, ftpGid);
  for (const [name, data] of Object.entries(files)) {
    writeFileSync(join(root, name), data);
    chmodSync(join(root, name), 0o644);
  }
  const port = await freePort();
  const conf = join(dir, 'vsftpd.conf');
  const tls: string[] = [];
  if (opts.tls) {
    writeFileSync(join(dir, 'cert.pem'), opts.tls.cert);
    writeFileSync(join(dir, 'key.pem'), opts.tls.key, { mode: 0o600 });
    tls.push(
      'ssl_enable=YES',
      `rsa_cert_file=${join(dir, 'cert.pem')}`,
      `rsa_private_key_file=${join(dir, 'key.pem')}`,
      'allow_anon_ssl=YES',
      'force_anon_logins_ssl=YES',
      'force_anon_data_ssl=YES',
      'require_ssl_reuse=YES',
      // vsftpd 3.0.3's default (DES-CBC3-SHA) is gone from OpenSSL 3.
      'ssl_ciphers=HIGH',
    );
  }
  writeFileSync(
    conf,
    [
      'listen=YES',
      'listen_ipv6=NO',
      'listen_address=127.0.0.1',
      `listen_port=${port}`,
      'background=NO',
      'anonymous_enable=YES',
      'no_anon_password=YES',
      `anon_root=${root}`,
      'anon_upload_enable=YES',
      'anon_mkdir_write_enable=YES',
      'anon_other_write_enable=YES',
      'anon_umask=022',
      'write_enable=YES',
      'local_enable=NO',
      'pasv_enable=NO',
      'port_enable=YES',
      'connect_from_port_20=NO',
      'seccomp_sandbox=NO',
      `secure_chroot_dir=${empty}`,
      'xferlog_enable=NO',
      'vsftpd_log_file=/dev/null',
      ...tls,
      '',
    ].join('\n'),
  );
  const child = spawn(VSFTPD, [conf], { stdio: 'ignore' });
  try {
    await greeted(port, child);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    root,
    read: (name) => readFileSync(join(root, name)),
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
