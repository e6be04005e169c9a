import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { freeUdpPort, sleep } from '../../services/sockets/peers.testutil.js';
import { socketHarnesses } from './socket-harness.testutil.js';
import { answer, at, atUntil, cmeError, OK, urc } from './ublox.testutil.js';

const ublox = socketHarnesses();
const PSK = '0102030405060708090a0b0c0d0e0f10';

describe('u-blox secure UDP sockets (DTLS 1.2 with a pre-shared key)', () => {
  let server: ChildProcess;
  let port: number;
  let output = '';
  const waitOutput = async (text: string) => {
    const deadline = Date.now() + 5000;
    while (!output.includes(text) && Date.now() < deadline) await sleep(20);
    return output.includes(text);
  };

  before(async () => {
    port = await freeUdpPort();
    // s_server prints what it decrypts and sends what its stdin gets (stdin kept open).
    server = spawn('openssl', ['s_server', '-dtls1_2', '-accept', String(port), '-nocert', '-psk', PSK, '-psk_identity', 'modemlab'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    server.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await waitOutput('ACCEPT');
  });
  after(() => {
    server.kill();
  });

  it('handshakes on +USOCO with the profile PSK, then writes and reads through the session', async () => {
    const h = await ublox();
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, `AT+USECPRF=0,8,"${PSK}",1`), OK);
    assert.equal(await at(h, 'AT+USECPRF=0,9,"modemlab"'), OK);
    assert.equal(await at(h, 'AT+USOCR=17'), answer('+USOCR: 0'));
    assert.equal(await at(h, 'AT+USOSEC=0,1,0'), OK);
    assert.equal(await at(h, 'AT+USOSEC=0'), answer('+USOSEC: 0,1,0'));
    assert.equal(await atUntil(h, `AT+USOCO=0,"127.0.0.1",${port}`, OK), OK);
    assert.equal(await atUntil(h, 'AT+USOWR=0,11,"hello dtls\n"', OK), answer('+USOWR: 0,11'));
    assert.ok(await waitOutput('hello dtls'), output);
    server.stdin!.write('from server\n');
    assert.equal(await h.waitFor('+UUSORF: 0,12\r\n'), urc('+UUSORF: 0,12'));
    assert.equal(await at(h, 'AT+USORF=0,100'), answer(`+USORF: 0,"127.0.0.1",${port},12,"from server\n"`));
    // Security cannot change on a connected socket.
    assert.equal(await at(h, 'AT+USOSEC=0,0'), cmeError(3));
    assert.equal(await atUntil(h, 'AT+USOCL=0', OK), OK);
  });

  it('a profile without a PSK runs certificate DTLS: a PSK-only server refuses it, +USOCO fails', async () => {
    const h = await ublox();
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+USOCR=17'), answer('+USOCR: 0'));
    assert.equal(await at(h, 'AT+USOSEC=0,1,1'), OK);
    assert.equal(await atUntil(h, `AT+USOCO=0,"127.0.0.1",${port}`, 'ERROR'), cmeError(3));
    assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 71'));
    // Still unconnected: a write has no peer.
    assert.equal(await at(h, 'AT+USOWR=0,2,"hi"'), cmeError(3));
    assert.equal(await at(h, 'AT+USOCL=0'), OK);
  });

  it('with the wrong PSK the server drops the records; the 60 s handshake timer fails +USOCO', async () => {
    const h = await ublox();
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+USECPRF=0,8,"ffffffffffffffffffffffffffffffff",1'), OK);
    assert.equal(await at(h, 'AT+USECPRF=0,9,"modemlab"'), OK);
    assert.equal(await at(h, 'AT+USOCR=17'), answer('+USOCR: 0'));
    assert.equal(await at(h, 'AT+USOSEC=0,1,0'), OK);
    h.take();
    h.terminal.input(Buffer.from(`AT+USOCO=0,"127.0.0.1",${port}\r`, 'latin1'));
    await sleep(500);
    assert.equal(await h.advance(59_000), '');
    assert.equal(await h.advance(1_000), cmeError(3));
    assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 110'));
    // The socket is usable again: security can be switched off before a plain connect.
    assert.equal(await at(h, 'AT+USOSEC=0,0'), OK);
    assert.equal(await at(h, 'AT+USOCL=0'), OK);
  });
});
