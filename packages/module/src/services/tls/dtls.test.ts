import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { PskDtlsSession } from './dtls.js';

/** A free UDP port on loopback. */
async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('DTLS 1.2 PSK against openssl s_server', () => {
  let server: ChildProcess;
  let port: number;
  let output = '';

  before(async () => {
    port = await freePort();
    // s_server prints what it decrypts and sends what its stdin gets.
    server = spawn('openssl', ['s_server', '-dtls1_2', '-accept', String(port), '-nocert', '-psk', '0102030405060708090a0b0c0d0e0f10', '-psk_identity', 'modemlab', '-naccept', '3'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    server.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 5000;
    while (!/ACCEPT/.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  });
  after(() => {
    server.kill();
  });

  it('handshakes with the pre-shared key and exchanges records', async () => {
    const session = await PskDtlsSession.open({ host: '127.0.0.1', port, identity: 'modemlab', key: Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex'), timeoutMs: 5000 });
    await session.send(Buffer.from('hello dtls\n'));
    const deadline = Date.now() + 5000;
    while (!output.includes('hello dtls') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(output.includes('hello dtls'), 'the server decrypted the record');
    const reply = new Promise<Buffer>((resolve) => session.once('message', resolve));
    server.stdin!.write('from server\n');
    assert.equal((await reply).toString(), 'from server\n');
    session.close();
  });

  it('fails cleanly with the wrong key', async () => {
    await assert.rejects(
      PskDtlsSession.open({ host: '127.0.0.1', port, identity: 'modemlab', key: Buffer.from('ffffffffffffffffffffffffffffffff', 'hex'), timeoutMs: 2000 }),
    );
  });
});
