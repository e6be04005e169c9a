import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ModuleHarness } from '../../testing/harness.js';
import { makePki } from '../../services/tls/tls.testutil.js';
import { startVsftpd, VSFTPD, type TestVsftpd } from '../../services/ftp/vsftpd.testutil.js';
import { FTP_PASSWORD, FTP_USER, legacyTls, startFtpServer, type TestFtpServer, type TestFtpServerOptions } from '../../services/ftp/ftp.testutil.js';
import { answer, at, atUntil, cmeError, OK, ublox, urc } from './ublox.testutil.js';

const MB = 1024 * 1024;
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** A registered SARA-R5 (+CMEE=1) and a real FTP server on loopback, both gone afterwards. */
async function withServer(opts: TestFtpServerOptions, body: (h: ModuleHarness, srv: TestFtpServer) => Promise<void>): Promise<void> {
  const srv = await startFtpServer(opts);
  const h = await ublox();
  try {
    await at(h, 'AT+CMEE=1');
    await body(h, srv);
  } finally {
    h.module.services.ftp.closeAll();
    await h.close();
    await srv.close();
  }
}

/** The profile for the test server; login, with its URC. */
async function login(h: ModuleHarness, srv: TestFtpServer): Promise<void> {
  for (const line of ['AT+UFTP=0,"127.0.0.1"', `AT+UFTP=7,${srv.port}`, `AT+UFTP=2,"${FTP_USER}"`, `AT+UFTP=3,"${FTP_PASSWORD}"`, 'AT+UFTP=6,1']) {
    assert.equal(await at(h, line), OK, line);
  }
  assert.equal(await atUntil(h, 'AT+UFTPC=1', '+UUFTPCR: 1,'), OK + urc('+UUFTPCR: 1,1'));
}

/** A +UFTPC whose result comes as +UUFTPCR. */
const ftpc = (h: ModuleHarness, args: string, op: number, timeoutMs = 10_000): Promise<string> => atUntil(h, `AT+UFTPC=${args}`, `+UUFTPCR: ${op},`, timeoutMs).then((out) => tail(h, out));
/** `out` up to the end of its last line. */
async function tail(h: ModuleHarness, out: string): Promise<string> {
  return out.endsWith('\r\n') ? out : out + (await h.waitFor('\r\n'));
}

/** Waits until the module wrote `length` bytes after `prefix` was seen, and returns them all. */
async function collectBytes(h: ModuleHarness, total: number, timeoutMs = 20_000): Promise<Buffer> {
  const deadline = Date.now() + timeoutMs;
  while (h.output.length < total) {
    if (Date.now() > deadline) throw new Error(`only ${h.output.length} of ${total} bytes`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const out = h.output;
  h.take();
  return out;
}

describe('u-blox +UFTP profile', () => {
  it('reads the defaults, sets each op code, resets one, and refuses bad values without change', async () => {
    const h = await ublox();
    try {
      await at(h, 'AT+CMEE=1');
      const defaults = ['+UFTP: 0,""', '+UFTP: 1,""', '+UFTP: 2,""', '+UFTP: 3,""', '+UFTP: 4,""', '+UFTP: 5,30', '+UFTP: 6,0', '+UFTP: 7,21', '+UFTP: 8,0'];
      assert.equal(await at(h, 'AT+UFTP?'), answer(...defaults));
      assert.equal(await at(h, 'AT+UFTP=?'), answer('+UFTP: (0-8)'));
      for (const line of ['AT+UFTP=1,"ftp.example.com"', 'AT+UFTP=2,"user"', 'AT+UFTP=3,"pw"', 'AT+UFTP=4,"acct"', 'AT+UFTP=5,120', 'AT+UFTP=6,1', 'AT+UFTP=7,2121', 'AT+UFTP=8,1,2']) {
        assert.equal(await at(h, line), OK, line);
      }
      const set = ['+UFTP: 0,""', '+UFTP: 1,"ftp.example.com"', '+UFTP: 2,"user"', '+UFTP: 3,""', '+UFTP: 4,"acct"', '+UFTP: 5,120', '+UFTP: 6,1', '+UFTP: 7,2121', '+UFTP: 8,1,2'];
      assert.equal(await at(h, 'AT+UFTP?'), answer(...set));
      for (const bad of ['AT+UFTP=9,1', 'AT+UFTP=5,86401', 'AT+UFTP=5,-1', 'AT+UFTP=6,2', 'AT+UFTP=7,0', 'AT+UFTP=7,65536', 'AT+UFTP=8,2', 'AT+UFTP=8,1,5', 'AT+UFTP=8,0,1', 'AT+UFTP=1,""', 'AT+UFTP=2,"' + 'x'.repeat(31) + '"', 'AT+UFTP=5,"30"', 'AT+UFTP=', 'AT+UFTP=2,"a","b"']) {
        assert.equal(await at(h, bad), cmeError(50), bad);
      }
      assert.equal(await at(h, 'AT+UFTP?'), answer(...set));
      // An IP address replaces the name (and the other way round); an op code alone resets it.
      assert.equal(await at(h, 'AT+UFTP=0,"192.0.2.1"'), OK);
      assert.equal(await at(h, 'AT+UFTP=7'), OK);
      assert.equal(await at(h, 'AT+UFTP=8'), OK);
      assert.equal(await at(h, 'AT+UFTP?'), answer('+UFTP: 0,"192.0.2.1"', '+UFTP: 1,""', ...set.slice(2, 7), '+UFTP: 7,21', '+UFTP: 8,0'));
    } finally {
      await h.close();
    }
  });

  it('is volatile: a reboot brings back the defaults', async () => {
    const h = await ublox();
    try {
      assert.equal(await at(h, 'AT+UFTP=7,2121'), OK);
      await at(h, 'AT+CFUN=16');
      await h.advance(10_000);
      await at(h, 'ATE0');
      assert.match(await at(h, 'AT+UFTP?'), /\+UFTP: 7,21\r\n/);
    } finally {
      await h.close();
    }
  });
});

describe('u-blox +UFTPC against ftp-srv', () => {
  it('logs in, makes, enters, lists and removes directories, renames and deletes files, logs out', async () => {
    await withServer({ files: { 'a.txt': 'alpha' } }, async (h, srv) => {
      assert.equal(await at(h, 'AT+UFTPC=?'), answer('+UFTPC: (0-8,10,11,13,14)'));
      await login(h, srv);
      assert.deepEqual(srv.logins, [FTP_USER]);
      assert.equal(await at(h, 'AT+UFTPER'), answer('+UFTPER: 0,0'));
      assert.equal(await ftpc(h, '10,"dir"', 10), OK + urc('+UUFTPCR: 10,1'));
      assert.ok(existsSync(join(srv.root, 'dir')));
      assert.equal(await ftpc(h, '3,"a.txt","dir/b.txt"', 3), OK + urc('+UUFTPCR: 3,1'));
      assert.equal(srv.read('dir/b.txt').toString(), 'alpha');
      assert.equal(await ftpc(h, '8,"dir"', 8), OK + urc('+UUFTPCR: 8,1'));
      // List: the names, as the server sends them, in +UUFTPCD before the result.
      const list = await ftpc(h, '14', 14);
      assert.match(list, /^\r\nOK\r\n\r\n\+UUFTPCD: 14,(\d+),"b\.txt\r\n"\r\n\r\n\+UUFTPCR: 14,1\r\n$/);
      assert.equal(Number(/UUFTPCD: 14,(\d+)/.exec(list)![1]), 'b.txt\r\n'.length);
      const info = await ftpc(h, '13,"b.txt"', 13);
      assert.match(info, /\+UUFTPCD: 13,\d+,"[-rwx]{10} .* 5 .*b\.txt\r\n"\r\n\r\n\+UUFTPCR: 13,1\r\n$/);
      assert.equal(await ftpc(h, '2,"b.txt"', 2), OK + urc('+UUFTPCR: 2,1'));
      assert.ok(!existsSync(join(srv.root, 'dir', 'b.txt')));
      // The server's refusal: the result fails and +UFTPER has its reply code.
      assert.equal(await ftpc(h, '2,"b.txt"', 2), OK + urc('+UUFTPCR: 2,0'));
      assert.equal(await at(h, 'AT+UFTPER'), answer('+UFTPER: 0,550'));
      assert.equal(await ftpc(h, '8,".."', 8), OK + urc('+UUFTPCR: 8,1'));
      assert.equal(await ftpc(h, '11,"dir"', 11), OK + urc('+UUFTPCR: 11,1'));
      assert.ok(!existsSync(join(srv.root, 'dir')));
      assert.equal(await ftpc(h, '0', 0), OK + urc('+UUFTPCR: 0,1'));
      assert.equal(h.module.services.ftp.connected, false);
      // Not logged in any more: the command is taken, the result fails, +UFTPER says why.
      assert.equal(await ftpc(h, '8,"dir"', 8), OK + urc('+UUFTPCR: 8,0'));
      assert.equal(await at(h, 'AT+UFTPER'), answer('+UFTPER: 1,1'));
      // Direct link needs a session before CONNECT: refused at once, the cause in +UFTPER.
      assert.equal(await at(h, 'AT+UFTPC=6,"a.txt"'), cmeError(3));
      assert.equal(await at(h, 'AT+UFTPER'), answer('+UFTPER: 1,1'));
    });
  });

  it('refuses bad +UFTPC input with +CME ERROR: 50 and changes nothing', async () => {
    await withServer({}, async (h, srv) => {
      await login(h, srv);
      for (const bad of ['AT+UFTPC=9', 'AT+UFTPC=12', 'AT+UFTPC=100,"fw.bin"', 'AT+UFTPC=2', 'AT+UFTPC=2,""', 'AT+UFTPC=3,"a"', 'AT+UFTPC=4,"r"', 'AT+UFTPC=4,"r","l",2', 'AT+UFTPC=5,"l"', 'AT+UFTPC=0,1', 'AT+UFTPC=8,"' + 'd'.repeat(257) + '"', 'AT+UFTPC=', 'AT+UFTPC="1"']) {
        assert.equal(await at(h, bad), cmeError(50), bad);
      }
      // Storing a file the module does not have: the file system's error, nothing sent.
      assert.equal(await at(h, 'AT+UFTPC=5,"missing.bin","x.bin"'), cmeError(1612));
      assert.ok(!existsSync(join(srv.root, 'x.bin')));
      assert.equal(h.module.services.ftp.connected, true);
    });
  });

  it('moves 1 MB both ways through the module file system, and resumes a retrieve', async () => {
    const body = randomBytes(MB);
    await withServer({ files: { 'big.bin': body } }, async (h, srv) => {
      await login(h, srv);
      // A second command while the retrieve runs is refused and changes nothing.
      h.take();
      h.terminal.input(Buffer.from('AT+UFTPC=4,"big.bin","local.bin"\rAT+UFTPC=10,"x"\r', 'latin1'));
      const both = await tail(h, await h.waitFor('+UUFTPCR: 4,', 30_000));
      assert.equal(both, OK + cmeError(3) + urc('+UUFTPCR: 4,1'));
      assert.ok(!existsSync(join(srv.root, 'x')));
      assert.ok(h.module.services.files.read('local.bin').equals(body));
      assert.equal(await ftpc(h, '5,"local.bin","copy.bin"', 5, 30_000), OK + urc('+UUFTPCR: 5,1'));
      assert.ok(srv.read('copy.bin').equals(body));
      // Retrieving mode 1 goes on from the local file's end (REST).
      h.module.services.files.write('part.bin', body.subarray(0, 1000));
      assert.equal(await ftpc(h, '4,"big.bin","part.bin",1', 4, 30_000), OK + urc('+UUFTPCR: 4,1'));
      assert.ok(h.module.services.files.read('part.bin').equals(body));
      // Storing with <number_of_byte> appends the local file from that offset.
      srv.write('app.bin', body.subarray(0, 10));
      assert.equal(await ftpc(h, '5,"local.bin","app.bin",10', 5), OK + urc('+UUFTPCR: 5,1'));
      assert.ok(srv.read('app.bin').equals(body));
      // A missing remote file: the result fails, no local file appears.
      assert.equal(await ftpc(h, '4,"none.bin","none.bin"', 4), OK + urc('+UUFTPCR: 4,0'));
      assert.equal(h.module.services.files.exists('none.bin'), false);
      assert.match(await at(h, 'AT+UFTPER'), /\+UFTPER: 0,55\d/);
    });
  });

  it('retrieves 1 MB in direct link, leaving it by itself; +++ aborts a retrieve', async () => {
    const body = randomBytes(MB);
    await withServer({ files: { 'big.bin': body } }, async (h, srv) => {
      await login(h, srv);
      h.take();
      h.terminal.input(Buffer.from('AT+UFTPC=6,"big.bin"\r', 'latin1'));
      const head = Buffer.from('\r\nCONNECT\r\n');
      const tailText = '\r\nNO CARRIER\r\n\r\n+UUFTPCR: 6,1\r\n';
      const out = await collectBytes(h, head.length + MB + tailText.length, 30_000);
      assert.equal(out.subarray(0, head.length).toString(), head.toString());
      assert.ok(out.subarray(head.length, head.length + MB).equals(body));
      assert.equal(out.subarray(head.length + MB).toString('latin1'), tailText);
      // Abort: +++ after the guard time closes the data connection; OK, then the failed result.
      const slow = await startSlowRetrieve(h, srv);
      assert.ok(slow.length > 0);
      await h.advance(1000);
      h.terminal.input(Buffer.from('+++'));
      const after = await h.advance(1000);
      const rest = after.includes('+UUFTPCR: 6,0') ? after : after + (await h.waitFor('+UUFTPCR: 6,0\r\n'));
      assert.match(rest, /\r\nOK\r\n\r\n\+UUFTPCR: 6,0\r\n$/);
      assert.equal(await at(h, 'AT+UFTPER'), answer('+UFTPER: 1,12'));
      // The session survives the abort or is closed; either way the module answers.
      assert.equal(await at(h, 'AT'), OK);
    });
  });

  it('stores 1 MB in direct link; +++ completes the file', async () => {
    const body = randomBytes(MB);
    await withServer({}, async (h, srv) => {
      await login(h, srv);
      assert.equal(await atUntil(h, 'AT+UFTPC=7,"up.bin"', 'CONNECT\r\n'), '\r\nCONNECT\r\n');
      for (let i = 0; i < body.length; i += 64 * 1024) h.terminal.input(body.subarray(i, i + 64 * 1024));
      await h.advance(1000);
      h.terminal.input(Buffer.from('+++'));
      const after = await h.advance(1000);
      const rest = await tail(h, after.includes('+UUFTPCR: 7,') ? after : after + (await h.waitFor('+UUFTPCR: 7,', 30_000)));
      assert.equal(rest, OK + urc('+UUFTPCR: 7,1'));
      assert.ok(srv.read('up.bin').equals(body));
    });
  });

  it('a server that dies mid-transfer fails the result and ends the session', async () => {
    const body = randomBytes(4 * MB);
    const srv = await startFtpServer({ files: { 'big.bin': body } });
    const h = await ublox();
    try {
      await at(h, 'AT+CMEE=1');
      await login(h, srv);
      h.take();
      h.terminal.input(Buffer.from('AT+UFTPC=4,"big.bin","local.bin"\r', 'latin1'));
      await h.waitFor(OK);
      // Kill the server once bytes flow.
      await srv.close();
      const out = await h.waitFor('+UUFTPCR: 4,', 30_000);
      const line = await tail(h, out);
      assert.match(line, /\+UUFTPCR: 4,[01]\r\n$/);
      if (line.includes('4,0')) {
        assert.equal(h.module.services.files.exists('local.bin'), false);
        assert.match(await at(h, 'AT+UFTPER'), /\+UFTPER: 1,(9|10|12)\r\n/);
      }
    } finally {
      h.module.services.ftp.closeAll();
      await h.close();
    }
  });

  it('sweeps every +UFTPC op code with bad input: +CME ERROR: 50, the session, server and +UFTPER unchanged', async () => {
    await withServer({ files: { 'a.txt': 'alpha' } }, async (h, srv) => {
      await login(h, srv);
      const long = (n: number) => '"' + 'x'.repeat(n) + '"';
      const profile = await at(h, 'AT+UFTP?');
      assert.equal(await ftpc(h, '2,"none.txt"', 2), OK + urc('+UUFTPCR: 2,0'));
      const before = answer('+UFTPER: 0,550');
      assert.equal(await at(h, 'AT+UFTPER'), before);
      const bad = [
        // Op codes out of range, of the wrong type, missing.
        'AT+UFTPC=-1', 'AT+UFTPC=15', 'AT+UFTPC=99', 'AT+UFTPC=101', 'AT+UFTPC=65536', 'AT+UFTPC=x', 'AT+UFTPC=,"a"', 'AT+UFTPC=1.5',
        // 0 logout and 1 login take no parameter.
        'AT+UFTPC=0,"a"', 'AT+UFTPC=1,1', 'AT+UFTPC=1,"a"',
        // 2 delete, 8 cd, 10 mkdir, 11 rmdir: one name, 1-256 characters.
        'AT+UFTPC=2,1', 'AT+UFTPC=2,"a","b"', `AT+UFTPC=2,${long(257)}`,
        'AT+UFTPC=8', 'AT+UFTPC=8,""', 'AT+UFTPC=8,5',
        'AT+UFTPC=10', 'AT+UFTPC=10,""', `AT+UFTPC=10,${long(257)}`, 'AT+UFTPC=10,"a",1',
        'AT+UFTPC=11', 'AT+UFTPC=11,""', 'AT+UFTPC=11,7',
        // 3 rename: two names.
        'AT+UFTPC=3', 'AT+UFTPC=3,"a",""', 'AT+UFTPC=3,"a",2', `AT+UFTPC=3,"a.txt",${long(257)}`, 'AT+UFTPC=3,"a","b","c"',
        // 4 retrieve: remote, local, <retrieving_mode> 0-1.
        'AT+UFTPC=4', 'AT+UFTPC=4,"r",""', 'AT+UFTPC=4,"r","l",-1', 'AT+UFTPC=4,"r","l","0"', `AT+UFTPC=4,"r",${long(249)}`, 'AT+UFTPC=4,"r","l",0,1',
        // 5 store: local, remote, <number_of_byte> >= 0.
        'AT+UFTPC=5', 'AT+UFTPC=5,"l",""', 'AT+UFTPC=5,"l","r",-1', 'AT+UFTPC=5,"l","r","1"', `AT+UFTPC=5,${long(249)},"r"`,
        // 6 and 7 direct link: a remote name, an optional <number_of_byte>.
        'AT+UFTPC=6', 'AT+UFTPC=6,""', 'AT+UFTPC=6,1', 'AT+UFTPC=6,"r",-1', `AT+UFTPC=6,${long(257)}`,
        'AT+UFTPC=7', 'AT+UFTPC=7,""', 'AT+UFTPC=7,"r","x"', `AT+UFTPC=7,${long(257)}`,
        // 13 info and 14 list: at most one name.
        'AT+UFTPC=13,1', `AT+UFTPC=13,${long(257)}`, 'AT+UFTPC=14,2', 'AT+UFTPC=14,"a","b"',
      ];
      for (const line of bad) assert.equal(await at(h, line), cmeError(50), line);
      // Nothing ran: still logged in, the server's files as they were, the last error kept.
      assert.equal(h.module.services.ftp.connected, true);
      assert.deepEqual(readdirSync(srv.root), ['a.txt']);
      assert.equal(srv.read('a.txt').toString(), 'alpha');
      assert.equal(await at(h, 'AT+UFTPER'), before);
      assert.equal(await at(h, 'AT+UFTP?'), profile);
      assert.equal(h.module.services.files.exists('l'), false);
      // And the session still works.
      assert.equal(await ftpc(h, '14', 14), OK + urc('+UUFTPCD: 14,7,"a.txt\r\n"', '+UUFTPCR: 14,1'));
    });
  });

  it('the server dying during a retrieve, during a store and while idle: +UUFTPCR <op>,0, +UFTPER 1,10, the session gone', async () => {
    // Retrieve in direct link: bytes flow, then the server goes.
    const a = await startFtpServer({ files: { 'huge.bin': randomBytes(64 * MB) } });
    const b = await startFtpServer({});
    const c = await startFtpServer({});
    const h = await ublox();
    try {
      await at(h, 'AT+CMEE=1');
      await login(h, a);
      const profile = await at(h, 'AT+UFTP?');
      h.take();
      h.terminal.input(Buffer.from('AT+UFTPC=6,"huge.bin"\r', 'latin1'));
      await h.waitFor('CONNECT\r\n');
      while (h.output.length === 0) await new Promise((r) => setTimeout(r, 5));
      await a.stop();
      const out = await h.waitFor('+UUFTPCR: 6,', 30_000);
      assert.ok((await tail(h, out)).endsWith('\r\nNO CARRIER\r\n\r\n+UUFTPCR: 6,0\r\n'));
      assert.equal(await at(h, 'AT+UFTPER'), answer('+UFTPER: 1,10'));
      assert.equal(h.module.services.ftp.connected, false);
      assert.equal(await ftpc(h, '8,"x"', 8), OK + urc('+UUFTPCR: 8,0'));
      assert.equal(await at(h, 'AT+UFTPER'), answer('+UFTPER: 1,1'));
      assert.equal(await at(h, 'AT+UFTP?'), profile);

      // Store in direct link: the host is sending when the server goes.
      await login(h, b);
      assert.equal(await atUntil(h, 'AT+UFTPC=7,"up.bin"', 'CONNECT\r\n'), '\r\nCONNECT\r\n');
      h.terminal.input(randomBytes(100_000));
      await h.advance(100);
      await b.stop();
      assert.equal(await tail(h, await h.waitFor('+UUFTPCR: 7,', 30_000)), '\r\nNO CARRIER\r\n' + urc('+UUFTPCR: 7,0'));
      assert.equal(await at(h, 'AT+UFTPER'), answer('+UFTPER: 1,10'));
      assert.equal(h.module.services.ftp.connected, false);

      // Idle: logged in, the server goes; the next operation fails with the lost connection.
      await login(h, c);
      await c.stop();
      assert.equal(await ftpc(h, '10,"d"', 10), OK + urc('+UUFTPCR: 10,0'));
      assert.equal(await at(h, 'AT+UFTPER'), answer('+UFTPER: 1,10'));
      assert.equal(h.module.services.ftp.connected, false);
      // Login again: nobody listens any more.
      assert.equal(await atUntil(h, 'AT+UFTPC=1', '+UUFTPCR: 1,'), OK + urc('+UUFTPCR: 1,0'));
      assert.equal(await at(h, 'AT+UFTPER'), answer('+UFTPER: 1,6'));
      assert.equal(await at(h, 'AT+UFTP?'), profile.replace(`+UFTP: 7,${a.port}`, `+UFTP: 7,${c.port}`));
    } finally {
      h.module.services.ftp.closeAll();
      await h.close();
      for (const srv of [a, b, c]) await srv.close();
    }
  });

  it('stores a file whole on a slow radio link, taking its uplink airtime (module clock)', async () => {
    const body = randomBytes(100 * 1024);
    await withServer({}, async (h, srv) => {
      await login(h, srv);
      h.module.services.files.write('up.bin', body);
      h.module.services.radioLink.set('ltem:edge');
      h.take();
      h.terminal.input(Buffer.from('AT+UFTPC=5,"up.bin","up.bin"\r', 'latin1'));
      assert.equal(await pumpUntil(h, OK), OK);
      // 100 KiB at 60 kbit/s: 13.7 s on air. The radio relay once answered the module's FIN at
      // once and dropped the queued bytes: the server got an empty file and the result was 5,1.
      assert.equal(await pumpFor(h, 13_000), '');
      assert.equal(await tail(h, await pumpUntil(h, '+UUFTPCR: 5,')), urc('+UUFTPCR: 5,1'));
      assert.ok(srv.read('up.bin').equals(body));
    });
  });

  it('the server dying mid-transfer through the module file system, on a slow radio link (module clock): +UUFTPCR 4,0 / 5,0, no local file left', async () => {
    const body = randomBytes(MB);
    for (const op of [4, 5] as const) {
      const srv = await startFtpServer({ files: { 'big.bin': body } });
      const h = await ublox();
      try {
        await at(h, 'AT+CMEE=1');
        await login(h, srv);
        h.module.services.files.write('up.bin', body);
        // LTE-M at the cell edge: 1 MB takes minutes of module time, so the transfer is surely under way.
        h.module.services.radioLink.set('ltem:edge');
        h.take();
        h.terminal.input(Buffer.from(op === 4 ? 'AT+UFTPC=4,"big.bin","local.bin"\r' : 'AT+UFTPC=5,"up.bin","up.bin"\r', 'latin1'));
        assert.equal(await pumpUntil(h, OK), OK);
        assert.equal(await pumpFor(h, 3000), '', 'still transferring after 3 s of module time');
        await srv.stop();
        const out = await pumpUntil(h, `+UUFTPCR: ${op},`);
        assert.equal(await tail(h, out), urc(`+UUFTPCR: ${op},0`));
        assert.equal(await at(h, 'AT+UFTPER'), answer('+UFTPER: 1,10'));
        assert.equal(h.module.services.ftp.connected, false);
        assert.equal(h.module.services.files.exists('local.bin'), false);
        assert.ok(h.module.services.files.read('up.bin').equals(body), 'the module file is untouched');
      } finally {
        h.module.services.ftp.closeAll();
        await h.close();
        await srv.close();
      }
    }
  });

  it('fails a login to a server that is not there, with its +UFTPER', async () => {
    const h = await ublox();
    try {
      assert.equal(await at(h, 'AT+UFTP=0,"127.0.0.1"'), OK);
      assert.equal(await at(h, 'AT+UFTP=7,1'), OK);
      assert.equal(await atUntil(h, 'AT+UFTPC=1', '+UUFTPCR: 1,0\r\n'), OK + urc('+UUFTPCR: 1,0'));
      assert.equal(await at(h, 'AT+UFTPER'), answer('+UFTPER: 1,6'));
      // No server configured at all.
      assert.equal(await at(h, 'AT+UFTP=0'), OK);
      assert.equal(await atUntil(h, 'AT+UFTPC=1', '+UUFTPCR: 1,0\r\n'), OK + urc('+UUFTPCR: 1,0'));
    } finally {
      await h.close();
    }
  });

  it('a wrong password fails the login with the server reply code', async () => {
    await withServer({}, async (h, srv) => {
      for (const line of ['AT+UFTP=0,"127.0.0.1"', `AT+UFTP=7,${srv.port}`, `AT+UFTP=2,"${FTP_USER}"`, 'AT+UFTP=3,"wrong"']) assert.equal(await at(h, line), OK);
      assert.equal(await atUntil(h, 'AT+UFTPC=1', '+UUFTPCR: 1,0\r\n'), OK + urc('+UUFTPCR: 1,0'));
      assert.equal(await at(h, 'AT+UFTPER'), answer('+UFTPER: 0,530'));
      assert.equal(h.module.services.ftp.connected, false);
    });
  });
});

/** Moves the module clock in 10 ms steps, real I/O running between, until the output shows `text`; returns the output. */
async function pumpUntil(h: ModuleHarness, text: string, maxMs = 120_000): Promise<string> {
  let out = h.take();
  for (let ms = 0; !out.includes(text); ms += 10) {
    if (ms > maxMs) throw new Error(`no ${JSON.stringify(text)} after ${maxMs} ms of module time; got ${JSON.stringify(out)}`);
    out += await h.advance(10);
    await new Promise((r) => setTimeout(r, 1));
    out += h.take();
  }
  return out;
}

/** Moves the module clock by `ms` in 10 ms steps, real I/O running between; returns the output. */
async function pumpFor(h: ModuleHarness, ms: number): Promise<string> {
  let out = '';
  for (let t = 0; t < ms; t += 10) {
    out += await h.advance(10);
    await new Promise((r) => setTimeout(r, 1));
  }
  return out + h.take();
}

/** Starts a direct-link retrieve of a big file and returns the first bytes that came. */
async function startSlowRetrieve(h: ModuleHarness, srv: TestFtpServer): Promise<Buffer> {
  mkdirSync(srv.root, { recursive: true });
  srv.write('huge.bin', randomBytes(64 * MB));
  h.take();
  h.terminal.input(Buffer.from('AT+UFTPC=6,"huge.bin"\r', 'latin1'));
  await h.waitFor('CONNECT\r\n');
  while (h.output.length === 0) await new Promise((r) => setTimeout(r, 5));
  return h.take() ? Buffer.from('x') : Buffer.alloc(0);
}

describe('u-blox FTPS (+UFTP=8) against ftp-srv with explicit TLS', () => {
  it('logs in over AUTH TLS with a security profile and moves a file both ways; a profile that rejects the server fails the login', async () => {
    const pki = makePki();
    try {
      const body = randomBytes(200 * 1024);
      await withServer({ tls: legacyTls(pki.server.cert, pki.server.key), files: { 'f.bin': body } }, async (h, srv) => {
        // Profile 1: no server validation; profile 2: validation against a root the module does not have.
        assert.equal(await at(h, 'AT+USECPRF=1,0,0'), OK);
        assert.equal(await at(h, 'AT+USECPRF=2,0,1'), OK);
        for (const line of ['AT+UFTP=0,"127.0.0.1"', `AT+UFTP=7,${srv.port}`, `AT+UFTP=2,"${FTP_USER}"`, `AT+UFTP=3,"${FTP_PASSWORD}"`, 'AT+UFTP=6,1', 'AT+UFTP=8,1,2']) {
          assert.equal(await at(h, line), OK, line);
        }
        assert.equal(await atUntil(h, 'AT+UFTPC=1', '+UUFTPCR: 1,0\r\n'), OK + urc('+UUFTPCR: 1,0'));
        assert.equal(await at(h, 'AT+UFTPER'), answer('+UFTPER: 1,8'));
        assert.equal(await at(h, 'AT+UFTP=8,1,1'), OK);
        assert.equal(await atUntil(h, 'AT+UFTPC=1', '+UUFTPCR: 1,'), OK + urc('+UUFTPCR: 1,1'));
        assert.equal(h.module.services.ftp.secure, true);
        assert.equal(await ftpc(h, '4,"f.bin","f.bin"', 4), OK + urc('+UUFTPCR: 4,1'));
        assert.ok(h.module.services.files.read('f.bin').equals(body));
        assert.equal(await ftpc(h, '5,"f.bin","g.bin"', 5), OK + urc('+UUFTPCR: 5,1'));
        assert.ok(srv.read('g.bin').equals(body));
        assert.equal(await ftpc(h, '0', 0), OK + urc('+UUFTPCR: 0,1'));
      });
    } finally {
      pki.dispose();
    }
  });
});

describe('u-blox FTPS (+UFTP=8) in passive mode: 1 MB both ways', () => {
  it('through the module file system and in direct link over ftp-srv with explicit TLS, checksums equal', async () => {
    const pki = makePki();
    const body = randomBytes(MB);
    const sum = sha256(body);
    try {
      await withServer({ tls: { cert: pki.server.cert, key: pki.server.key }, files: { 'big.bin': body } }, async (h, srv) => {
        assert.equal(await at(h, 'AT+USECPRF=1,0,0'), OK);
        assert.equal(await at(h, 'AT+UFTP=8,1,1'), OK);
        await login(h, srv);
        assert.equal(h.module.services.ftp.secure, true);
        assert.equal(await ftpc(h, '4,"big.bin","local.bin"', 4, 30_000), OK + urc('+UUFTPCR: 4,1'));
        assert.equal(sha256(h.module.services.files.read('local.bin')), sum);
        assert.equal(await ftpc(h, '5,"local.bin","copy.bin"', 5, 30_000), OK + urc('+UUFTPCR: 5,1'));
        assert.equal(sha256(srv.read('copy.bin')), sum);
        assert.equal(await atUntil(h, 'AT+UFTPC=7,"direct.bin"', 'CONNECT\r\n'), '\r\nCONNECT\r\n');
        for (let i = 0; i < body.length; i += 64 * 1024) h.terminal.input(body.subarray(i, i + 64 * 1024));
        await h.advance(1000);
        h.terminal.input(Buffer.from('+++'));
        const after = await h.advance(1000);
        const rest = await tail(h, after.includes('+UUFTPCR: 7,') ? after : after + (await h.waitFor('+UUFTPCR: 7,', 30_000)));
        assert.equal(rest, OK + urc('+UUFTPCR: 7,1'));
        assert.equal(sha256(srv.read('direct.bin')), sum);
        h.take();
        h.terminal.input(Buffer.from('AT+UFTPC=6,"big.bin"\r', 'latin1'));
        const head = '\r\nCONNECT\r\n';
        const tailText = '\r\nNO CARRIER\r\n\r\n+UUFTPCR: 6,1\r\n';
        const out = await collectBytes(h, head.length + MB + tailText.length, 30_000);
        assert.equal(out.subarray(0, head.length).toString('latin1'), head);
        assert.equal(sha256(out.subarray(head.length, head.length + MB)), sum);
        assert.equal(out.subarray(head.length + MB).toString('latin1'), tailText);
        assert.equal(await ftpc(h, '0', 0), OK + urc('+UUFTPCR: 0,1'));
      });
    } finally {
      pki.dispose();
    }
  });
});

describe('u-blox FTP active mode (+UFTP=6,0)', () => {
  it('moves 1 MB both ways through the module file system and in direct link with PORT data connections', async () => {
    const body = randomBytes(MB);
    await withServer({ files: { 'big.bin': body } }, async (h, srv) => {
      await login(h, srv);
      assert.equal(await ftpc(h, '0', 0), OK + urc('+UUFTPCR: 0,1'));
      assert.equal(await at(h, 'AT+UFTP=6,0'), OK);
      assert.equal(await atUntil(h, 'AT+UFTPC=1', '+UUFTPCR: 1,'), OK + urc('+UUFTPCR: 1,1'));
      assert.equal(await ftpc(h, '4,"big.bin","local.bin"', 4, 30_000), OK + urc('+UUFTPCR: 4,1'));
      assert.ok(h.module.services.files.read('local.bin').equals(body));
      assert.equal(await ftpc(h, '5,"local.bin","copy.bin"', 5, 30_000), OK + urc('+UUFTPCR: 5,1'));
      assert.ok(srv.read('copy.bin').equals(body));
      const list = await ftpc(h, '14', 14);
      assert.match(list, /\+UUFTPCD: 14,\d+,"[^"]*big\.bin/);
      h.take();
      h.terminal.input(Buffer.from('AT+UFTPC=6,"big.bin"\r', 'latin1'));
      const head = '\r\nCONNECT\r\n';
      const tailText = '\r\nNO CARRIER\r\n\r\n+UUFTPCR: 6,1\r\n';
      const out = await collectBytes(h, head.length + MB + tailText.length, 30_000);
      assert.ok(out.subarray(head.length, head.length + MB).equals(body));
      assert.equal(out.subarray(head.length + MB).toString('latin1'), tailText);
      assert.equal(await atUntil(h, 'AT+UFTPC=7,"up.bin"', 'CONNECT\r\n'), '\r\nCONNECT\r\n');
      h.terminal.input(body);
      await h.advance(1000);
      h.terminal.input(Buffer.from('+++'));
      const after = await h.advance(1000);
      const rest = await tail(h, after.includes('+UUFTPCR: 7,') ? after : after + (await h.waitFor('+UUFTPCR: 7,', 30_000)));
      assert.equal(rest, OK + urc('+UUFTPCR: 7,1'));
      assert.ok(srv.read('up.bin').equals(body));
    });
  });
});

/**
 * Against vsftpd with PASV refused: a passive retrieve fails with the server's 550, then in
 * active mode 1 MB goes both ways through the file system and in direct link.
 */
async function passiveRefusedThen1MbActive(h: ModuleHarness, srv: TestVsftpd, body: Buffer): Promise<void> {
  // Passive: the server refuses PASV.
  assert.equal(await ftpc(h, '4,"big.bin","local.bin"', 4), OK + urc('+UUFTPCR: 4,0'));
  assert.equal(await at(h, 'AT+UFTPER'), answer('+UFTPER: 0,550'));
  assert.equal(await ftpc(h, '0', 0), OK + urc('+UUFTPCR: 0,1'));
  assert.equal(await at(h, 'AT+UFTP=6,0'), OK);
  assert.equal(await atUntil(h, 'AT+UFTPC=1', '+UUFTPCR: 1,'), OK + urc('+UUFTPCR: 1,1'));
  assert.equal(await ftpc(h, '4,"big.bin","local.bin"', 4, 30_000), OK + urc('+UUFTPCR: 4,1'));
  assert.ok(h.module.services.files.read('local.bin').equals(body));
  assert.equal(await ftpc(h, '8,"upload"', 8), OK + urc('+UUFTPCR: 8,1'));
  assert.equal(await ftpc(h, '5,"local.bin","copy.bin"', 5, 30_000), OK + urc('+UUFTPCR: 5,1'));
  assert.ok(srv.read('upload/copy.bin').equals(body));
  assert.equal(await atUntil(h, 'AT+UFTPC=7,"direct.bin"', 'CONNECT\r\n'), '\r\nCONNECT\r\n');
  h.terminal.input(body);
  await h.advance(1000);
  h.terminal.input(Buffer.from('+++'));
  const after = await h.advance(1000);
  const rest = await tail(h, after.includes('+UUFTPCR: 7,') ? after : after + (await h.waitFor('+UUFTPCR: 7,', 30_000)));
  assert.equal(rest, OK + urc('+UUFTPCR: 7,1'));
  assert.ok(srv.read('upload/direct.bin').equals(body));
  h.take();
  h.terminal.input(Buffer.from('AT+UFTPC=6,"/big.bin"\r', 'latin1'));
  const head = '\r\nCONNECT\r\n';
  const tailText = '\r\nNO CARRIER\r\n\r\n+UUFTPCR: 6,1\r\n';
  const out = await collectBytes(h, head.length + MB + tailText.length, 30_000);
  assert.ok(out.subarray(head.length, head.length + MB).equals(body));
  assert.equal(out.subarray(head.length + MB).toString('latin1'), tailText);
}

describe('u-blox FTP against vsftpd with passive mode off', { skip: VSFTPD ? false : 'vsftpd is not installed' }, () => {
  it('works in active mode only: 1 MB both ways via the file system and in direct link; passive fails', async () => {
    const body = randomBytes(MB);
    const srv = await startVsftpd({ 'big.bin': body });
    const h = await ublox();
    try {
      await at(h, 'AT+CMEE=1');
      for (const line of ['AT+UFTP=0,"127.0.0.1"', `AT+UFTP=7,${srv.port}`, 'AT+UFTP=2,"anonymous"', 'AT+UFTP=6,1']) assert.equal(await at(h, line), OK, line);
      assert.equal(await atUntil(h, 'AT+UFTPC=1', '+UUFTPCR: 1,'), OK + urc('+UUFTPCR: 1,1'));
      await passiveRefusedThen1MbActive(h, srv, body);
      assert.equal(await ftpc(h, '0', 0), OK + urc('+UUFTPCR: 0,1'));
    } finally {
      h.module.services.ftp.closeAll();
      await h.close();
      await srv.close();
    }
  });
});

describe('u-blox FTPS in active mode against vsftpd (ssl_enable=YES, pasv_enable=NO, require_ssl_reuse=YES)', { skip: VSFTPD ? false : 'vsftpd is not installed' }, () => {
  it('moves 1 MB both ways via the file system and in direct link over TLS data connections the module secures as the client; PASV fails', async () => {
    const pki = makePki();
    const body = randomBytes(MB);
    const srv = await startVsftpd({ 'big.bin': body, 'huge.bin': randomBytes(64 * MB) }, { tls: { cert: pki.server.cert, key: pki.server.key } });
    const h = await ublox();
    try {
      await at(h, 'AT+CMEE=1');
      assert.equal(await at(h, 'AT+USECPRF=1,0,0'), OK);
      for (const line of ['AT+UFTP=0,"127.0.0.1"', `AT+UFTP=7,${srv.port}`, 'AT+UFTP=2,"anonymous"', 'AT+UFTP=6,1', 'AT+UFTP=8,1,1']) assert.equal(await at(h, line), OK, line);
      assert.equal(await atUntil(h, 'AT+UFTPC=1', '+UUFTPCR: 1,'), OK + urc('+UUFTPCR: 1,1'));
      assert.equal(h.module.services.ftp.secure, true);
      await passiveRefusedThen1MbActive(h, srv, body);
      // +++ aborts a TLS retrieve over PORT: the data connection closes, OK, the failed result.
      h.take();
      h.terminal.input(Buffer.from('AT+UFTPC=6,"/huge.bin"\r', 'latin1'));
      await h.waitFor('CONNECT\r\n');
      while (h.output.length === 0) await new Promise((r) => setTimeout(r, 5));
      await h.advance(1000);
      h.terminal.input(Buffer.from('+++'));
      const aborted = await h.advance(1000);
      assert.match(aborted.includes('+UUFTPCR: 6,0') ? aborted : aborted + (await h.waitFor('+UUFTPCR: 6,0\r\n')), /\r\nOK\r\n\r\n\+UUFTPCR: 6,0\r\n$/);
      assert.equal(await at(h, 'AT+UFTPER'), answer('+UFTPER: 1,12'));
      // Whatever the abort left of the session, a new one moves a file again.
      h.module.services.ftp.closeAll();
      assert.equal(await atUntil(h, 'AT+UFTPC=1', '+UUFTPCR: 1,'), OK + urc('+UUFTPCR: 1,1'));
      assert.equal(await ftpc(h, '4,"big.bin","again.bin"', 4, 30_000), OK + urc('+UUFTPCR: 4,1'));
      assert.ok(h.module.services.files.read('again.bin').equals(body));
      assert.equal(await ftpc(h, '0', 0), OK + urc('+UUFTPCR: 0,1'));
    } finally {
      h.module.services.ftp.closeAll();
      await h.close();
      await srv.close();
      pki.dispose();
    }
  });
});
