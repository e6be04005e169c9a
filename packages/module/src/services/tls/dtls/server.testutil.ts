import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Writes PEM strings into a temporary folder; returns their paths. */
export function pemFiles(files: Record<string, string>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-dtls-srv-'));
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text);
    out[name] = join(dir, name);
  }
  return out;
}

/**
 * `openssl s_client -dtls1_2 -quiet` against 127.0.0.1:port: writes `input` once connected and
 * resolves with what it printed once `expect` bytes arrived, or when it exits (handshake refused).
 */
export function sClient(port: number, args: string[], input: string, expect: number): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn('openssl', ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${port}`, '-quiet', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let done = false;
    const finish = (code: number | null) => {
      if (done) return;
      done = true;
      child.kill();
      resolve({ stdout, stderr, code });
    };
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('latin1');
      if (stdout.length >= expect) finish(0);
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => setImmediate(() => finish(code)));
    child.stdin.on('error', () => undefined);
    child.stdin.write(input);
  });
}
