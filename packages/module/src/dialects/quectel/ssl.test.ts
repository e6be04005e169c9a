import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { TLSSocket, TlsOptions } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { makePki, silentServer, tlsServer, type TestPki } from '../../services/tls/tls.testutil.js';
import { freePort } from '../../services/sockets/peers.testutil.js';
import { ERROR, OK, QuectelHost, urc } from './quectel.testutil.js';

type Server = Awaited<ReturnType<typeof tlsServer>>;

/** Runs `fn` with a fresh registered BC66, closed whatever happens. */
async function withHost(fn: (host: QuectelHost) => Promise<void>): Promise<void> {
  const host = await QuectelHost.create();
  try {
    await fn(host);
  } finally {
    await host.close();
  }
}

/** Types `pem` after the '>' of +QSSLCFG=1,<conn>,"<key>" and checks the byte count answered. */
async function enter(host: QuectelHost, conn: number, key: string, pem: string): Promise<void> {
  host.write(`AT+QSSLCFG=1,${conn},"${key}"\r`);
  await host.expect('\r\n> ');
  host.write(`${pem}\x1a`);
  await host.expect(`\r\n+QSSLCFG: 1,${conn},"${key}",${pem.length}\r\n${OK}`);
}

async function configure(host: QuectelHost, conn: number, seclevel: number, creds: { ca?: string; cert?: string; key?: string }): Promise<void> {
  assert.equal(await host.at(`AT+QSSLCFG=1,${conn},"seclevel",${seclevel}`), OK);
  if (creds.ca) await enter(host, conn, 'cacert', creds.ca);
  if (creds.cert) await enter(host, conn, 'clientcert', creds.cert);
  if (creds.key) await enter(host, conn, 'clientkey', creds.key);
}

/** +QSSLOPEN's OK, then its URC; returns <err>. */
async function open(host: QuectelHost, conn: number, port: number, hostname = '127.0.0.1'): Promise<number> {
  assert.equal(await host.at(`AT+QSSLOPEN=1,${conn},"${hostname}",${port},0`), OK);
  const text = await host.until(new RegExp(`\\r\\n\\+QSSLOPEN: 1,${conn},(-?\\d+)\\r\\n`), 10_000);
  return Number(/(-?\d+)\r\n$/.exec(text)![1]);
}

/** A fixed-length send in text format: '>', the bytes, OK and +QSSLSEND: 1,<conn>,0. */
async function send(host: QuectelHost, conn: number, data: Buffer): Promise<void> {
  host.write(`AT+QSSLSEND=1,${conn},${data.length}\r`);
  await host.expect('\r\n> ');
  host.write(data);
  await host.expect(OK + urc(`+QSSLSEND: 1,${conn},0`), 10_000);
}

describe('Quectel BC66 SSL connections', () => {
  let pki: TestPki;
  const servers: Server[] = [];
  let echo: Server;
  let mutual: Server;

  const start = async (options: TlsOptions, onSecure?: (s: TLSSocket) => void): Promise<Server> => {
    const s = await tlsServer({ key: pki.server.key, cert: pki.server.cert, minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0', ...options }, onSecure);
    servers.push(s);
    return s;
  };
  const echoing = (s: TLSSocket) => s.on('data', (d: Buffer) => s.write(d));

  before(async () => {
    pki = makePki();
    echo = await start({}, echoing);
    mutual = await start({ ca: [pki.ca.cert], requestCert: true, rejectUnauthorized: true }, echoing);
  });
  after(async () => {
    for (const s of servers) await s.close();
    pki?.dispose();
  });

  it('mutual TLS: seclevel 2 with CA, client certificate and key; send, echo, close', async () => {
    await withHost(async (host) => {
      await configure(host, 0, 2, { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key });
      assert.equal(await open(host, 0, mutual.port), 0);
      await send(host, 0, Buffer.from('hello BC66'));
      assert.equal((await host.receivedReaches(0, 10)).toString(), 'hello BC66');
      assert.equal(await host.at('AT+QSSLCLOSE=1,0'), OK);
      await host.expect(urc('+QSSLCLOSE: 1,0,0'));
      // Closed: no more sends.
      assert.equal(await host.at('AT+QSSLSEND=1,0,3'), ERROR);
    });
  });

  it('seclevel verdicts: 0 accepts any server, 1 needs a chain to the entered CA (-3 otherwise, or without a CA), 2 presents the client identity', async () => {
    const untrusted = await start({ key: pki.unknown.key, cert: pki.unknown.cert }, echoing);
    await withHost(async (host) => {
      await configure(host, 0, 0, {});
      assert.equal(await open(host, 0, untrusted.port), 0);
      await configure(host, 1, 1, { ca: pki.ca.cert });
      assert.equal(await open(host, 1, echo.port), 0);
      await configure(host, 2, 1, { ca: pki.ca.cert });
      assert.equal(await open(host, 2, untrusted.port), -3);
      await configure(host, 3, 1, {});
      assert.equal(await open(host, 3, echo.port), -3);
      // 2 against the mutual server: the identity is presented and accepted...
      await configure(host, 4, 2, { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key });
      assert.equal(await open(host, 4, mutual.port), 0);
      // ...while 1 presents none: the server's handshake_failure alert (-5: a TLS 1.2 client
      // cannot tell it from a suite mismatch).
      await configure(host, 5, 1, { ca: pki.ca.cert });
      assert.equal(await open(host, 5, mutual.port), -5);
    });
  });

  it('echoes 1 MB through fixed-length +QSSLSEND and "recv" URCs of at most 1300 bytes', async () => {
    await withHost(async (host) => {
      await configure(host, 3, 2, { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key });
      assert.equal(await open(host, 3, mutual.port), 0);
      const total = 1024 * 1024;
      const data = randomBytes(total);
      for (let at = 0; at < total; at += 1460) await send(host, 3, data.subarray(at, Math.min(total, at + 1460)));
      const back = await host.receivedReaches(3, total, 60_000);
      assert.equal(back.length, total);
      assert.ok(back.equals(data), 'echoed bytes differ');
      assert.ok(Math.max(...host.recvLengths) <= 1300);
      assert.equal(await host.at('AT+QSSLCLOSE=1,3'), OK);
      await host.expect(urc('+QSSLCLOSE: 1,3,0'));
    });
  });

  it('splits received data: 1300 bytes a URC in text format, 650 bytes as hex digits in hex format', async () => {
    const blob = Buffer.alloc(3000, 0x41);
    blob.write('"\r\nOK\r\n', 100, 'latin1');
    const talker = await start({}, (s) => s.on('data', () => s.write(blob)));
    await withHost(async (host) => {
      assert.equal(await open(host, 0, talker.port), 0);
      await send(host, 0, Buffer.from('go'));
      assert.ok((await host.receivedReaches(0, 3000)).equals(blob));
      assert.deepEqual(host.recvLengths, [1300, 1300, 400]);
      // Hex both ways: "3132" sends "12".
      assert.equal(await host.at('AT+QSSLCFG=1,1,"dataformat",1,1'), OK);
      assert.equal(await host.at('AT+QSSLCFG=1,1,"dataformat"'), `\r\n+QSSLCFG: 1,1,"dataformat",1,1\r\n${OK}`);
      assert.equal(await open(host, 1, talker.port), 0);
      host.write('AT+QSSLSEND=1,1,2\r');
      await host.expect('\r\n> ');
      host.write('3132');
      await host.expect(OK + urc('+QSSLSEND: 1,1,0'));
      assert.ok((await host.receivedReaches(1, 3000)).equals(blob));
      assert.deepEqual(host.recvLengths.slice(3), [650, 650, 650, 650, 400]);
    });
  });

  it('variable-length sends end with Ctrl-Z; ESC cancels with OK and sends nothing; hex input is decoded', async () => {
    await withHost(async (host) => {
      assert.equal(await open(host, 2, echo.port), 0);
      host.write('AT+QSSLSEND=1,2\r');
      await host.expect('\r\n> ');
      host.write('never sent\x1b');
      await host.expect(OK);
      host.write('AT+QSSLSEND=1,2\r');
      await host.expect('\r\n> ');
      host.write('typed\x1a');
      await host.expect(OK + urc('+QSSLSEND: 1,2,0'));
      assert.equal((await host.receivedReaches(2, 5)).toString(), 'typed');
      assert.equal(await host.at('AT+QSSLCFG=1,2,"dataformat",1,0'), OK);
      host.write('AT+QSSLSEND=1,2\r');
      await host.expect('\r\n> ');
      host.write('4f4B\x1a');
      await host.expect(OK + urc('+QSSLSEND: 1,2,0'));
      assert.equal((await host.receivedReaches(2, 7)).toString(), 'typedOK');
      // Odd or non-hex digits: ERROR, nothing sent.
      host.write('AT+QSSLSEND=1,2\r');
      await host.expect('\r\n> ');
      host.write('4f4\x1a');
      await host.expect(ERROR);
      host.write('AT+QSSLSEND=1,2,2\r');
      await host.expect('\r\n> ');
      host.write('zz4b');
      await host.expect(ERROR);
      // The connection is still usable and got nothing from the refused sends.
      host.write('AT+QSSLSEND=1,2,1\r');
      await host.expect('\r\n> ');
      host.write('21');
      await host.expect(OK + urc('+QSSLSEND: 1,2,0'));
      assert.equal((await host.receivedReaches(2, 8)).toString(), 'typedOK!');
    });
  });
});
