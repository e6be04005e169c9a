import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/modemlab.js');

/** Sends one AT line, resolves with everything up to the final result (the socket stays open). */
function at(s: net.Socket, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const onData = (c: Buffer): void => {
      got += c.toString();
      if (/\r\n(OK|ERROR|\+CME ERROR: [^\r]*)\r\n$/.test(got)) {
        s.off('data', onData).off('close', onClose);
        resolve(got);
      }
    };
    const onClose = (): void => reject(new Error(`closed after ${JSON.stringify(got)}`));
    s.on('data', onData).once('close', onClose);
    s.write(line + '\r');
  });
}

async function connect(port: number): Promise<net.Socket> {
  const s = net.connect({ host: '127.0.0.1', port });
  await once(s, 'connect');
  return s;
}

/** A client that is the module's UART: the first whose AT gets OK (a refused one reads the busy line and is closed). */
async function attachedClient(port: number): Promise<net.Socket> {
  for (;;) {
    const s = await connect(port);
    const first = await new Promise<string>((resolve) => {
      s.write('AT\r');
      let got = '';
      const onData = (c: Buffer) => {
        got += c.toString();
        if (got.includes('OK\r\n') || got.includes('busy')) {
          s.off('data', onData);
          resolve(got);
        }
      };
      s.on('data', onData);
    });
    if (first.includes('OK')) return s;
    s.destroy();
  }
}

test('serve --config: the network from the file, and one log line per attach, refusal, failed handshake (with its reason), drop, detach', { timeout: 60_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-log-'));
  // A plain TCP service: a TLS client gets a banner, not a ServerHello.
  const plain = net.createServer((s) => s.end('220 plain text here\r\n'));
  plain.listen(0, '127.0.0.1');
  await once(plain, 'listening');
  const plainPort = (plain.address() as net.AddressInfo).port;
  fs.writeFileSync(
    path.join(dir, 'modemlab.config.json'),
    JSON.stringify({
      tcp: '127.0.0.1:0',
      state: 'state',
      log: { level: 'info', file: 'serve.log' },
      network: { operatorName: 'Config Lab Operator', registrationDelayMs: 0 },
    }),
  );
  // Run from another folder: the file's relative paths are the file's.
  const child = spawn(process.execPath, [bin, 'serve', '--config', path.join(dir, 'modemlab.config.json')], { cwd: os.tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /listening on tcp:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    });
    const first = await attachedClient(port);
    await at(first, 'ATE0');
    assert.match(await at(first, 'AT+COPS?'), /Config Lab Operator/);

    const second = await connect(port);
    second.resume();
    await once(second, 'end');
    second.destroy();

    assert.equal(await at(first, 'AT+USOCR=6'), '\r\n+USOCR: 0\r\n\r\nOK\r\n');
    assert.equal(await at(first, 'AT+USOSEC=0,1,0'), '\r\nOK\r\n');
    assert.match(await at(first, `AT+USOCO=0,"127.0.0.1",${plainPort}`), /ERROR/);

    first.resetAndDestroy();
    (await attachedClient(port)).end();

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    assert.equal((await exited)[0], 0, stderr);

    const lines = fs.readFileSync(path.join(dir, 'serve.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const events = lines.map((l) => l.event).filter(Boolean);
    // A client retrying while the dropped one is still being detached may be refused again: later refusals are not counted.
    const afterRefusal = events.slice(2).filter((e) => e !== 'busy');
    assert.deepEqual([...events.slice(0, 2), ...afterRefusal.slice(0, 4)], ['attach', 'busy', 'handshake-failed', 'dropped', 'detach', 'attach'], JSON.stringify(lines, null, 1));
    assert.match(String(lines.find((l) => l.event === 'busy')!.client), /^tcp:127\.0\.0\.1:\d+$/);
    const handshake = lines.find((l) => l.event === 'handshake-failed')!;
    assert.equal(handshake.reason, 'not-tls');
    assert.equal(handshake.level, 40);
    assert.equal(lines.find((l) => l.event === 'dropped')!.error, 'ECONNRESET');
    assert.ok(lines.every((l) => typeof l.time === 'string' && typeof l.msg === 'string' && l.module === 'sara-r5-0'));
    assert.ok(fs.statSync(path.join(dir, 'state', 'sara-r5-0')).isDirectory());
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    plain.close();
  }
});
