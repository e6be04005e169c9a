import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket, TlsOptions } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { makePki, silentServer, tlsServer, type TestPki } from '../../services/tls/tls.testutil.js';
import { freePort } from '../../services/sockets/peers.testutil.js';
import { UART_LIMITS } from '../../models/uart-limits.js';
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
      // 2 checks the server as 1 does: an untrusted one is -3; a trusted one that asks for no certificate is fine.
      assert.equal(await host.at('AT+QSSLCLOSE=1,0'), OK);
      await host.expect(urc('+QSSLCLOSE: 1,0,0'));
      await configure(host, 0, 2, { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key });
      assert.equal(await open(host, 0, untrusted.port), -3);
      assert.equal(await open(host, 0, echo.port), 0);
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

  it('a variable-length send the host falls silent at ends in ERROR after the prompt idle limit; nothing is sent', async () => {
    await withHost(async (host) => {
      assert.equal(await open(host, 3, echo.port), 0);
      host.write('AT+QSSLSEND=1,3\r');
      await host.expect('\r\n> ');
      host.write('half a messa');
      // The host is on real time (its TLS peer is real); the prompt's limit runs on the module clock.
      host.h.clock.advance(UART_LIMITS.promptIdleMs);
      await host.expect(ERROR);
      assert.equal(await host.at('AT'), OK);
      host.write('AT+QSSLSEND=1,3\r');
      await host.expect('\r\n> ');
      host.write('whole\x1a');
      await host.expect(OK + urc('+QSSLSEND: 1,3,0'));
      assert.equal((await host.receivedReaches(3, 5)).toString(), 'whole');
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

  it('a server that closes: its last data, then "closed"; the connectID is free again and reconnects', async () => {
    const closer = await start({}, (s) => s.once('data', () => s.end('bye')));
    await withHost(async (host) => {
      for (let round = 0; round < 2; round++) {
        assert.equal(await open(host, 4, closer.port), 0);
        await send(host, 4, Buffer.from('hi'));
        await host.expect(urc('+QSSLURC: "closed",1,4'));
        assert.equal(Buffer.concat(host.received.get(4) ?? []).toString(), 'bye'.repeat(round + 1));
        assert.equal(await host.at('AT+QSSLSEND=1,4,2'), ERROR);
        assert.equal(await host.at('AT+QSSLCLOSE=1,4'), ERROR);
      }
    });
  });

  it('open failures: refused -2, silent server -7 after the context timeout, server suites outside the table -5, a busy connectID -6', async () => {
    const silent = await silentServer();
    const modern = await start({ ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }, echoing);
    try {
      await withHost(async (host) => {
        assert.equal(await open(host, 0, await freePort()), -2);
        assert.equal(await host.at('AT+QSSLCFG=1,1,"timeout",10'), OK);
        assert.equal(await host.at(`AT+QSSLOPEN=1,1,"127.0.0.1",${silent.port},0`), OK);
        // Nothing before the 10 s of the context, -7 at 10 s.
        await host.advance(9_000);
        assert.equal(host.pending(), '');
        await host.advance(1_000);
        await host.expect(urc('+QSSLOPEN: 1,1,-7'));
        assert.equal(await open(host, 2, modern.port), -5);
        assert.equal(await open(host, 3, echo.port), 0);
        assert.equal(await open(host, 3, echo.port), -6);
        // The open connection is not disturbed by the refused open.
        await send(host, 3, Buffer.from('still'));
        assert.equal((await host.receivedReaches(3, 5)).toString(), 'still');
      });
    } finally {
      await silent.close();
    }
  });

  it('bad input answers ERROR and changes nothing', async () => {
    await withHost(async (host) => {
      // Context 2 and 3 are documented but not supported; connectID 6 is out of range.
      for (const line of [
        `AT+QSSLOPEN=2,0,"127.0.0.1",${echo.port},0`,
        `AT+QSSLOPEN=1,6,"127.0.0.1",${echo.port},0`,
        `AT+QSSLOPEN=1,0,"127.0.0.1",${echo.port},1`,
        `AT+QSSLOPEN=1,0,"127.0.0.1",0,0`,
        `AT+QSSLOPEN=1,0,127.0.0.1,${echo.port},0`,
        `AT+QSSLOPEN=1,0,"127.0.0.1",${echo.port}`,
        'AT+QSSLSEND=3,0',
        'AT+QSSLSEND=1,0',
        'AT+QSSLCLOSE=1,0',
        'AT+QSSLCLOSE=2,0',
        'AT+QSSLCLOSE=1,-1',
      ]) {
        assert.equal(await host.at(line), ERROR, line);
      }
      assert.equal(host.pending(), '');
      assert.equal(await open(host, 0, echo.port), 0);
      // Oversize fixed lengths: 1461 text bytes, 731 hex bytes; zero.
      for (const line of ['AT+QSSLSEND=1,0,1461', 'AT+QSSLSEND=1,0,0', 'AT+QSSLSEND=1,0,abc', 'AT+QSSLSEND=1,0,5,6', 'AT+QSSLSEND=2,0,5', 'AT+QSSLSEND=1,6,5']) {
        assert.equal(await host.at(line), ERROR, line);
      }
      assert.equal(await host.at('AT+QSSLCFG=1,0,"dataformat",1,1'), OK);
      assert.equal(await host.at('AT+QSSLSEND=1,0,731'), ERROR);
      host.write('AT+QSSLSEND=1,0,730\r');
      await host.expect('\r\n> ');
      host.write('ab'.repeat(730));
      await host.expect(OK + urc('+QSSLSEND: 1,0,0'));
      assert.ok((await host.receivedReaches(0, 730)).equals(Buffer.alloc(730, 0xab)));
    });
  });

  it('test and read forms', async () => {
    await withHost(async (host) => {
      assert.equal(await host.at('AT+QSSLOPEN=?'), `\r\n+QSSLOPEN: (1),(0-5),"host_name",(1-65535),(0)\r\n${OK}`);
      assert.equal(await host.at('AT+QSSLSEND=?'), `\r\n+QSSLSEND: (1),(0-5),(1-1460)\r\n${OK}`);
      assert.equal(await host.at('AT+QSSSEND=?'), `\r\n+QSSSEND: (1),(0-5),(1-1460)\r\n${OK}`);
      assert.equal(await host.at('AT+QSSLCLOSE=?'), `\r\n+QSSLCLOSE: (1),(0-5)\r\n${OK}`);
      for (const c of ['AT+QSSLOPEN?', 'AT+QSSLSEND?', 'AT+QSSSEND?', 'AT+QSSLCLOSE?']) assert.equal(await host.at(c), OK, c);
    });
  });

  it('TLS 1.0 to 1.2 with the seed\'s suites only: a TLS 1.3-only server is -5, a TLS 1.0 server is fine', async () => {
    const seen: Array<{ protocol: string | null; cipher: string }> = [];
    const record = (s: TLSSocket) => {
      seen.push({ protocol: s.getProtocol(), cipher: s.getCipher().standardName });
      echoing(s);
    };
    const tls13 = await start({ minVersion: 'TLSv1.3' }, record);
    const tls10 = await start({ maxVersion: 'TLSv1' }, record);
    await withHost(async (host) => {
      assert.equal(await open(host, 0, echo.port), 0);
      assert.equal(await open(host, 1, tls10.port), 0);
      assert.equal(await open(host, 2, tls13.port), -5);
    });
    const ofEcho = await start({}, record);
    await withHost(async (host) => {
      assert.equal(await open(host, 0, ofEcho.port), 0);
    });
    const seed = ['TLS_RSA_WITH_AES_256_CBC_SHA256', 'TLS_RSA_WITH_AES_256_CBC_SHA', 'TLS_RSA_WITH_AES_128_CBC_SHA256', 'TLS_RSA_WITH_AES_128_CBC_SHA'];
    assert.deepEqual(seen.map((x) => x.protocol).sort(), ['TLSv1', 'TLSv1.2']);
    for (const x of seen) assert.ok(seed.includes(x.cipher), x.cipher);
  });

  it('certificates that do not parse fail the open: -3 for a certificate, -4 for a key (also one that is not the certificate\'s)', async () => {
    await withHost(async (host) => {
      await configure(host, 0, 1, { ca: 'not a certificate' });
      assert.equal(await open(host, 0, echo.port), -3);
      await configure(host, 1, 2, { ca: pki.ca.cert, cert: pki.client.cert, key: '-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n' });
      assert.equal(await open(host, 1, mutual.port), -4);
      await configure(host, 2, 2, { ca: pki.ca.cert, cert: pki.client.key, key: pki.client.key });
      assert.equal(await open(host, 2, mutual.port), -3);
      // Seclevel 2 without a key.
      await configure(host, 3, 2, { ca: pki.ca.cert, cert: pki.client.cert });
      assert.equal(await open(host, 3, mutual.port), -4);
      // Fixed: the same context opens.
      await enter(host, 3, 'clientkey', pki.client.key);
      assert.equal(await open(host, 3, mutual.port), 0);
      // A key that parses but is not the certificate's: still the key, -4 (TLS problem 'client-key').
      await configure(host, 4, 2, { ca: pki.ca.cert, cert: pki.client.cert, key: pki.server.key });
      assert.equal(await open(host, 4, mutual.port), -4);
    });
  });

  it('+QSSLCLOSE while the open is in progress stops it: no +QSSLOPEN, the connectID is free', async () => {
    const silent = await silentServer();
    try {
      await withHost(async (host) => {
        assert.equal(await host.at(`AT+QSSLOPEN=1,0,"127.0.0.1",${silent.port},0`), OK);
        assert.equal(await host.at('AT+QSSLCLOSE=1,0'), OK);
        await host.expect(urc('+QSSLCLOSE: 1,0,0'));
        await host.advance(100_000);
        assert.equal(host.pending(), '');
        // Closed on the same line, before the module even has a socket for it.
        assert.equal(await host.at(`AT+QSSLOPEN=1,1,"127.0.0.1",${echo.port},0;+QSSLCLOSE=1,1`), OK);
        await host.expect(urc('+QSSLCLOSE: 1,1,0'));
        await new Promise((r) => setTimeout(r, 50));
        assert.equal(host.pending(), '');
        // Nothing leaked: all six connectIDs open.
        for (let conn = 0; conn <= 5; conn++) assert.equal(await open(host, conn, echo.port), 0);
      });
    } finally {
      await silent.close();
    }
  });

  it('six connections at once, one per connectID', async () => {
    await withHost(async (host) => {
      for (let conn = 0; conn <= 5; conn++) assert.equal(await open(host, conn, echo.port), 0);
      for (let conn = 0; conn <= 5; conn++) await send(host, conn, Buffer.from(`c${conn}`));
      for (let conn = 0; conn <= 5; conn++) assert.equal((await host.receivedReaches(conn, 2)).toString(), `c${conn}`);
    });
  });

  it('a fixed-length send whose bytes stop coming ends with ERROR after the context timeout, sending nothing', async () => {
    await withHost(async (host) => {
      assert.equal(await host.at('AT+QSSLCFG=1,0,"timeout",20'), OK);
      assert.equal(await open(host, 0, echo.port), 0);
      host.write('AT+QSSLSEND=1,0,10\r');
      await host.expect('\r\n> ');
      host.write('12345');
      await new Promise((r) => setTimeout(r, 20));
      // The guard restarts with every byte: 19 s of silence are not enough.
      await host.advance(19_000);
      assert.equal(host.pending(), '');
      await host.advance(1_000);
      await host.expect(ERROR);
      await send(host, 0, Buffer.from('after'));
      assert.equal((await host.receivedReaches(0, 5)).toString(), 'after');
    });
  });

  it('after a power cycle the CA entered before is gone: seclevel 1 needs it entered again (-3)', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'modemlab-bc66-'));
    try {
      let host = await QuectelHost.create({ stateDir });
      try {
        await configure(host, 0, 1, { ca: pki.ca.cert });
        assert.equal(await open(host, 0, echo.port), 0);
      } finally {
        await host.close();
      }
      host = await QuectelHost.create({ stateDir });
      try {
        assert.equal(await host.at('AT+QSSLCFG=1,0,"seclevel",1'), OK);
        assert.equal(await open(host, 0, echo.port), -3);
      } finally {
        await host.close();
      }
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('losing the network closes open connections with "closed"', async () => {
    await withHost(async (host) => {
      assert.equal(await open(host, 2, echo.port), 0);
      assert.equal(await host.at('AT+CFUN=0'), OK);
      await host.expect(urc('+QSSLURC: "closed",1,2'));
      assert.equal(await host.at('AT+QSSLSEND=1,2,1'), ERROR);
    });
  });
});
