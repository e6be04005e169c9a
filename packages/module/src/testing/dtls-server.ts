import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DtlsServerOptions {
  port: number;
  cert: string;
  key: string;
  /** Asks for and requires a client certificate of this CA (PEM). */
  mutualCa?: string;
  /** Sends back what it receives. */
  echo?: boolean;
}

/** What openssl s_server prints last about a new session; what follows is the data it receives. */
const SESSION_READY = /Secure Renegotiation IS (NOT )?supported\r?\n/;

/**
 * `openssl s_server -dtls1_2` on 127.0.0.1:PORT with a certificate (transcripts'
 * `@tls-server NAME:PORT dtls`): a real DTLS 1.2 peer. Echo writes back to s_server's
 * stdin what it prints after a session is ready.
 */
export async function startDtlsServer(opts: DtlsServerOptions): Promise<{ close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-dtls-server-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const args = ['s_server', '-dtls1_2', '-accept', `127.0.0.1:${opts.port}`, '-cert', file('server.pem', opts.cert), '-key', file('server.key', opts.key)];
  if (opts.mutualCa) args.push('-Verify', '1', '-CAfile', file('ca.pem', opts.mutualCa));
  const proc = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let ready = false;
  proc.stdout.on('data', (d: Buffer) => {
    if (!opts.echo) return;
    if (ready) {
      proc.stdin.write(d);
      return;
    }
    out += d.toString('latin1');
    const m = SESSION_READY.exec(out);
    if (!m) return;
    ready = true;
    const rest = out.slice(m.index + m[0].length);
    out = '';
    if (rest) proc.stdin.write(Buffer.from(rest, 'latin1'));
  });
  proc.stdin.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    let err = '';
    const onErr = (d: Buffer) => {
      err += d.toString();
      if (err.includes('ACCEPT')) {
        proc.stderr.off('data', onErr);
        resolve();
      }
    };
    proc.stderr.on('data', onErr);
    proc.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ACCEPT')) resolve();
    });
    proc.once('exit', (code) => reject(new Error(`openssl s_server exited (${code}): ${err}`)));
  });
  return {
    close: async () => {
      proc.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
