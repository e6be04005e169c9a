import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { sharedPki } from '../../testing/tls-peers.js';
import { at, telitModule } from './telit.testutil.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitListening(port: number, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error('openssl s_server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('GE910 talks to `openssl s_server -tls1` (the README example) in command mode', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-sserver-'));
  const pki = sharedPki();
  writeFileSync(join(dir, 'server.pem'), pki.server.cert);
  writeFileSync(join(dir, 'server.key'), pki.server.key);
  const port = await freePort();
  // -naccept 2: one probe connection from waitListening, one from the module.
  const server = spawn('openssl', ['s_server', '-quiet', '-naccept', '2', '-tls1', '-cipher', 'DEFAULT@SECLEVEL=0', '-accept', String(port), '-cert', 'server.pem', '-key', 'server.key'], {
    cwd: dir,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  server.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
  server.stderr.on('data', () => {});
  const h = await telitModule('ge910').catch((err: unknown) => {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  try {
    await waitListening(port);
    assert.equal(await at(h, 'AT#SSLSECCFG=1,0,0\r'), '\r\nOK\r\n');
    assert.equal(await at(h, `AT#SSLD=1,${port},"127.0.0.1",0,1\r`), '\r\nOK\r\n');
    assert.equal(await at(h, 'AT#SSLS=1\r'), '\r\n#SSLS: 1,2,3\r\n\r\nOK\r\n');
    assert.equal(await at(h, 'AT#SSLSEND=1\r'), '\r\n> ');
    assert.equal(await at(h, 'hello s_server\x1a'), '\r\nOK\r\n');
    const deadline = Date.now() + 5000;
    while (!out.includes('hello s_server') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.match(out, /hello s_server/);
    server.stdin.write('hello module\n');
    assert.equal(await at(h, 'AT#SSLRECV=1,100\r'), '\r\n#SSLRECV: 13\r\nhello module\n\r\n\r\nOK\r\n');
    assert.equal(await at(h, 'AT#SSLH=1\r'), '\r\nOK\r\n');
  } finally {
    await h.close();
    if (server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill();
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
