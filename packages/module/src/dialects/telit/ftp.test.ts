import { ManualClock } from '@modemlab/at';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ModuleHarness } from '../../testing/harness.js';
import { FTP_PASSWORD, FTP_USER, legacyTls, startFtpServer, type TestFtpServer, type TestFtpServerOptions } from '../../services/ftp/ftp.testutil.js';
import { makePki, silentServer, tlsServer, type TestPki } from '../../services/tls/tls.testutil.js';

const OK = '\r\nOK\r\n';
const MB = 1024 * 1024;
const cmeError = (n: number) => `\r\n+CME ERROR: ${n}\r\n`;

let pki: TestPki;
before(() => {
  pki = makePki();
});
after(() => pki.dispose());

/**
 * A GE910 with echo off, +CMEE=1, context 1 active and SSId 1 set up as seed 003 §5 does:
 * server authentication (#SSLSECCFG=1,0,1) with `ca` stored by #SSLSECDATA.
 */
async function telit(ca: string): Promise<ModuleHarness> {
  const h = await ModuleHarness.create({ model: 'ge910', clock: new ManualClock(Date.now()) });
  await h.send('ATE0\r');
  await h.advance(3000);
  for (const command of ['AT+CMEE=1', 'AT+CGDCONT=1,"IP","internet"', 'AT#SSLEN=1,1', 'AT#SSLSECCFG=1,0,1']) assert.equal(await h.send(`${command}\r`), OK, command);
  assert.equal(await h.send(`AT#SSLSECDATA=1,1,1,${ca.length}\r`), '\r\n> ');
  assert.equal(await h.send(`${ca}\x1a`), OK);
  const activated = await h.send('AT#SGACT=1,1\r');
  assert.match(activated, /#SGACT: /);
  return h;
}

/** Sends a command whose answer waits on real I/O, and returns the output up to `until`. */
async function command(h: ModuleHarness, line: string, until: string, timeoutMs = 10_000): Promise<string> {
  h.take();
  h.terminal.input(Buffer.from(`${line}\r`, 'latin1'));
  return h.waitFor(until, timeoutMs);
}

/** The guard time after +++ passes; the result comes when the upload completed (real I/O). */
async function escapeResult(h: ModuleHarness, timeoutMs = 10_000): Promise<string> {
  const out = await h.advance(1100);
  return out.includes('NO CARRIER') ? out : out + (await h.waitFor('\r\nNO CARRIER\r\n', timeoutMs));
}

async function withServer(serverOpts: TestFtpServerOptions, ca: string, body: (h: ModuleHarness, srv: TestFtpServer) => Promise<void>): Promise<void> {
  const srv = await startFtpServer(serverOpts);
  let h: ModuleHarness | undefined;
  try {
    h = await telit(ca);
    await body(h, srv);
  } finally {
    h?.module.services.ftp.closeAll();
    await h?.close();
    await srv.close();
  }
}

const secureServer = (files: Record<string, Buffer | string> = {}): TestFtpServerOptions => ({ tls: legacyTls(pki.server.cert, pki.server.key), files });
const open = (srv: TestFtpServer, password = FTP_PASSWORD) => `AT#FTPOPEN="127.0.0.1:${srv.port}","${FTP_USER}","${password}",1`;

describe('Telit #FTPCFG and #FTPTO', () => {
  it('sets, reads and tests the timeout, private-address ignoring and the FTPS flag; bad values change nothing', async () => {
    const h = await ModuleHarness.create({ model: 'ge910', clock: new ManualClock(Date.now()) });
    try {
      await h.send('ATE0\r');
      await h.send('AT+CMEE=1\r');
      assert.equal(await h.send('AT#FTPCFG?\r'), `\r\n#FTPCFG: 100,0,0\r\n${OK}`);
      assert.equal(await h.send('AT#FTPCFG=?\r'), `\r\n#FTPCFG: (100-5000),(0,1),(0,1)\r\n${OK}`);
      assert.equal(await h.send('AT#FTPCFG=250,1,1\r'), OK);
      assert.equal(await h.send('AT#FTPCFG?\r'), `\r\n#FTPCFG: 250,1,1\r\n${OK}`);
      assert.equal(await h.send('AT#FTPTO?\r'), `\r\n#FTPTO: 250\r\n${OK}`);
      for (const bad of ['AT#FTPCFG=99,0,1', 'AT#FTPCFG=5001,0,1', 'AT#FTPCFG=100,2,1', 'AT#FTPCFG=100,0,2', 'AT#FTPCFG=100', 'AT#FTPCFG=100,0,1,1', 'AT#FTPTO=50']) {
        assert.equal(await h.send(`${bad}\r`), cmeError(4), bad);
      }
      assert.equal(await h.send('AT#FTPCFG?\r'), `\r\n#FTPCFG: 250,1,1\r\n${OK}`);
      assert.equal(await h.send('AT#FTPCFG=100,0\r'), OK);
      assert.equal(await h.send('AT#FTPCFG?\r'), `\r\n#FTPCFG: 100,0,0\r\n${OK}`);
      assert.equal(await h.send('AT#FTPTO=5000\r'), OK);
      assert.equal(await h.send('AT#FTPTO?\r'), `\r\n#FTPTO: 5000\r\n${OK}`);
      assert.equal(await h.send('AT#FTPTO=\r'), OK);
      assert.equal(await h.send('AT#FTPTO?\r'), `\r\n#FTPTO: 100\r\n${OK}`);
      assert.equal(await h.send('AT#FTPTO=?\r'), `\r\n#FTPTO: (100-5000)\r\n${OK}`);
      for (const test of ['AT#FTPOPEN=?', 'AT#FTPCLOSE=?', 'AT#FTPGET=?', 'AT#FTPPUT=?', 'AT#FTPLIST=?']) assert.equal(await h.send(`${test}\r`), OK, test);
      // Settings live in RAM: a reboot brings the defaults back.
      assert.equal(await h.send('AT#FTPCFG=300,1,1\r'), OK);
      h.module.reboot();
      await h.advance(5000);
      await h.send('ATE0\r');
      assert.equal(await h.send('AT#FTPCFG?\r'), `\r\n#FTPCFG: 100,0,0\r\n${OK}`);
    } finally {
      await h.close();
    }
  });
});

describe('Telit FTPS (seed 003 §5) against a real FTPS server on loopback', () => {
  it('#FTPGET brings a 1 MB file in online mode: CONNECT, its bytes, NO CARRIER', async () => {
    const file = randomBytes(MB);
    await withServer(secureServer({ 'big.bin': file }), pki.ca.cert, async (h, srv) => {
      assert.equal(await h.send('AT#FTPCFG=100,0,1\r'), OK);
      assert.equal(await command(h, open(srv), OK), OK);
      const out = Buffer.from(await command(h, 'AT#FTPGET="big.bin"', '\r\nNO CARRIER\r\n', 30_000), 'latin1');
      const head = Buffer.from('\r\nCONNECT\r\n');
      const tail = Buffer.from('\r\nNO CARRIER\r\n');
      assert.ok(out.subarray(0, head.length).equals(head), JSON.stringify(out.subarray(0, 40).toString('latin1')));
      assert.ok(out.subarray(out.length - tail.length).equals(tail));
      const body = out.subarray(head.length, out.length - tail.length);
      assert.equal(body.length, MB);
      assert.ok(body.equals(file), 'every byte of the file, unchanged');
      // The session is still open: the next command works.
      assert.equal(await command(h, 'AT#FTPCLOSE', OK), OK);
      assert.equal(await h.send('AT#FTPCLOSE\r'), cmeError(607));
    });
  });

  it('#FTPPUT sends 1 MB in online mode; +++ completes the upload, then NO CARRIER', async () => {
    const upload = randomBytes(MB);
    await withServer(secureServer(), pki.ca.cert, async (h, srv) => {
      assert.equal(await h.send('AT#FTPCFG=100,0,1\r'), OK);
      assert.equal(await command(h, open(srv), OK), OK);
      assert.equal(await command(h, 'AT#FTPPUT="up.bin"', '\r\nCONNECT\r\n'), '\r\nCONNECT\r\n');
      for (let i = 0; i < upload.length; i += 8192) h.terminal.input(upload.subarray(i, i + 8192));
      assert.equal(await h.advance(1100), '');
      h.terminal.input(Buffer.from('+++'));
      assert.equal(await escapeResult(h, 30_000), '\r\nNO CARRIER\r\n');
      assert.ok(srv.read('up.bin').equals(upload), 'the server stored every byte');
      // Input typed while the upload completed waits for the result code.
      assert.equal(await h.send('AT#FTPCFG?\r'), `\r\n#FTPCFG: 100,0,1\r\n${OK}`);
      assert.equal(await command(h, 'AT#FTPCLOSE', OK), OK);
    });
  });

  it('#FTPPUT waits for the host as long as it takes: the #FTPTO timeout counts only the server\'s silence', async () => {
    await withServer(secureServer(), pki.ca.cert, async (h, srv) => {
      assert.equal(await h.send('AT#FTPCFG=100,0,1\r'), OK);
      assert.equal(await command(h, open(srv), OK), OK);
      assert.equal(await command(h, 'AT#FTPPUT="slow.txt"', '\r\nCONNECT\r\n'), '\r\nCONNECT\r\n');
      h.terminal.input(Buffer.from('first '));
      assert.equal(await h.advance(60_000), '', 'a minute of host silence, six times the timeout');
      h.terminal.input(Buffer.from('second'));
      assert.equal(await h.advance(1100), '');
      h.terminal.input(Buffer.from('+++'));
      assert.equal(await escapeResult(h), '\r\nNO CARRIER\r\n');
      assert.equal(srv.read('slow.txt').toString(), 'first second');
      assert.equal(await command(h, 'AT#FTPCLOSE', OK), OK);
    });
  });

  it('#FTPLIST lists the directory in online mode', async () => {
    await withServer(secureServer({ 'file.txt': 'hello', 'other.bin': 'x' }), pki.ca.cert, async (h, srv) => {
      assert.equal(await h.send('AT#FTPCFG=100,0,1\r'), OK);
      assert.equal(await command(h, open(srv), OK), OK);
      const out = await command(h, 'AT#FTPLIST', '\r\nNO CARRIER\r\n');
      assert.match(out, /^\r\nCONNECT\r\n[^]*file\.txt[^]*\r\nNO CARRIER\r\n$/);
      assert.match(out, /other\.bin/);
      const one = await command(h, 'AT#FTPLIST="file.txt"', '\r\nNO CARRIER\r\n');
      assert.match(one, /file\.txt/);
      assert.doesNotMatch(one, /other\.bin/);
      assert.equal(await command(h, 'AT#FTPCLOSE', OK), OK);
    });
  });

  it('answers the FTP errors: not connected, already connected, a missing file (the session stays)', async () => {
    await withServer(secureServer({ 'file.txt': 'hello' }), pki.ca.cert, async (h, srv) => {
      assert.equal(await h.send('AT#FTPGET="file.txt"\r'), cmeError(607));
      assert.equal(await h.send('AT+CMEE=2\r'), OK);
      assert.equal(await h.send('AT#FTPGET="file.txt"\r'), '\r\n+CME ERROR: not connected\r\n');
      assert.equal(await h.send('AT+CMEE=1\r'), OK);
      assert.equal(await h.send('AT#FTPPUT="x"\r'), cmeError(607));
      assert.equal(await h.send('AT#FTPLIST\r'), cmeError(607));
      assert.equal(await h.send('AT#FTPCFG=100,0,1\r'), OK);
      for (const bad of ['AT#FTPOPEN="127.0.0.1:99999","u","p"', 'AT#FTPOPEN="127.0.0.1:21","u","p",2', 'AT#FTPOPEN="127.0.0.1:21","u"', 'AT#FTPOPEN=":21","u","p"', 'AT#FTPGET=""', 'AT#FTPPUT="x",1']) {
        assert.equal(await h.send(`${bad}\r`), cmeError(4), bad);
      }
      assert.equal(await command(h, open(srv), OK), OK);
      assert.equal(await h.send(`${open(srv)}\r`), cmeError(608));
      assert.equal(await command(h, 'AT#FTPGET="missing.txt"', 'ERROR'), cmeError(606));
      const out = await command(h, 'AT#FTPGET="file.txt"', '\r\nNO CARRIER\r\n');
      assert.equal(out, '\r\nCONNECT\r\nhello\r\nNO CARRIER\r\n');
      assert.equal(await command(h, 'AT#FTPCLOSE', OK), OK);
    });
  });

  it('answers 606 for bad credentials, and opens with the right ones', async () => {
    await withServer(secureServer(), pki.ca.cert, async (h, srv) => {
      assert.equal(await h.send('AT#FTPCFG=100,0,1\r'), OK);
      assert.equal(await command(h, open(srv, 'wrong'), 'ERROR'), cmeError(606));
      assert.deepEqual(srv.logins, []);
      assert.equal(await command(h, open(srv), OK), OK);
      assert.deepEqual(srv.logins, [FTP_USER]);
      assert.equal(await command(h, 'AT#FTPCLOSE', OK), OK);
    });
  });

  it('answers 831 when the server refuses AUTH TLS, and sends no credentials', async () => {
    await withServer({}, pki.ca.cert, async (h, srv) => {
      assert.equal(await h.send('AT#FTPCFG=100,0,1\r'), OK);
      assert.equal(await command(h, open(srv), 'ERROR'), cmeError(831));
      assert.deepEqual(srv.logins, []);
      // Without the FTPS flag the same server answers in clear.
      assert.equal(await h.send('AT#FTPCFG=100,0,0\r'), OK);
      assert.equal(await command(h, open(srv), OK), OK);
      assert.equal(await command(h, 'AT#FTPCLOSE', OK), OK);
    });
  });

  it('answers 839 when the server does not chain to the CA of SSId 1 (auth mode 1)', async () => {
    await withServer(secureServer(), pki.otherCa.cert, async (h, srv) => {
      assert.equal(await h.send('AT#FTPCFG=100,0,1\r'), OK);
      assert.equal(await command(h, open(srv), 'ERROR'), cmeError(839));
      assert.deepEqual(srv.logins, []);
      assert.equal(await h.send('AT#FTPGET="x"\r'), cmeError(607));
    });
  });

  it('answers 839 when the CA of SSId 1 has expired at the module date (#NITZ=0, #CCLK), as #SSLD does', async () => {
    await withServer(secureServer(), pki.ca.cert, async (h, srv) => {
      assert.equal(await h.send('AT#FTPCFG=100,0,1\r'), OK);
      assert.equal(await h.send('AT#NITZ=0\r'), OK);
      // The test CA is valid for ten years from now; 2099 is long after.
      assert.equal(await h.send('AT#CCLK="99/01/01,00:00:00+00"\r'), OK);
      assert.equal(await command(h, open(srv), 'ERROR'), cmeError(839));
      assert.deepEqual(srv.logins, []);
    });
  });

  it('answers 606 when the server stays silent for the #FTPTO timeout (module clock)', async () => {
    const silent = await silentServer();
    const h = await telit(pki.ca.cert);
    try {
      assert.equal(await h.send('AT#FTPTO=200\r'), OK);
      h.terminal.input(Buffer.from(`AT#FTPOPEN="127.0.0.1:${silent.port}","u","p",1\r`));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(await h.advance(19_000), '');
      assert.equal(await h.advance(2000), cmeError(606));
    } finally {
      await h.close();
      await silent.close();
    }
  });

  it('answers 837 when FTPS needs a CA that #SSLSECDATA never stored', async () => {
    const h = await ModuleHarness.create({ model: 'ge910', clock: new ManualClock(Date.now()) });
    try {
      await h.send('ATE0\r');
      await h.advance(3000);
      for (const command of ['AT+CMEE=1', 'AT+CGDCONT=1,"IP","internet"', 'AT#SSLEN=1,1', 'AT#SSLSECCFG=1,0,1', 'AT#FTPCFG=100,0,1']) assert.equal(await h.send(`${command}\r`), OK, command);
      assert.match(await h.send('AT#SGACT=1,1\r'), /#SGACT: /);
      assert.equal(await h.send('AT#FTPOPEN="127.0.0.1:21","u","p",1\r'), cmeError(837));
      assert.equal(h.module.services.ftp.connected, false);
    } finally {
      await h.close();
    }
  });

  it('answers 612 while #SSLD holds the single SSL session, and opens once it is closed', async () => {
    const peer = await tlsServer(legacyTls(pki.server.cert, pki.server.key));
    try {
      await withServer(secureServer(), pki.ca.cert, async (h, srv) => {
        assert.equal(await h.send('AT#FTPCFG=100,0,1\r'), OK);
        assert.equal(await command(h, `AT#SSLD=1,${peer.port},"127.0.0.1",0,1`, OK), OK);
        assert.equal(await command(h, open(srv), 'ERROR'), cmeError(612));
        assert.deepEqual(srv.logins, []);
        assert.equal(await command(h, 'AT#SSLH=1', OK), OK);
        // The closed connection's TLS socket goes away with its TCP close (real I/O).
        const deadline = Date.now() + 5000;
        while (h.module.services.tls.activeSessions > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        assert.equal(await command(h, open(srv), OK), OK);
        assert.equal(await command(h, 'AT#FTPCLOSE', OK), OK);
      });
    } finally {
      await peer.close();
    }
  });

  it('answers 603 for a name that does not resolve and 609 without an active context', async () => {
    const h = await telit(pki.ca.cert);
    try {
      assert.equal(await command(h, 'AT#FTPOPEN="nowhere.invalid:21","u","p",1', 'ERROR'), cmeError(603));
      assert.equal(await h.send('AT#SGACT=1,0\r'), OK);
      assert.equal(await command(h, 'AT#FTPOPEN="127.0.0.1:21","u","p",1', 'ERROR'), cmeError(609));
    } finally {
      await h.close();
    }
  });
});
