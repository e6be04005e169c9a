import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Readable } from 'node:stream';
import { at, OK, ublox } from '../../dialects/ublox/ublox.testutil.js';
import type { ModuleHarness } from '../../testing/harness.js';
import { makePki, silentServer, type TestPki } from '../tls/tls.testutil.js';
import { FtpFailure, isPrivateIpv4, parsePasv, type FtpOpenRequest } from './ftp-service.js';
import { FTP_PASSWORD, FTP_USER, startFtpServer, type TestFtpServer } from './ftp.testutil.js';

const MB = 1024 * 1024;

let pki: TestPki;
before(() => {
  pki = makePki();
});
after(() => pki.dispose());

/** A SARA-R5 whose profile 0 checks the server's chain against `ca` (validation level 1). */
async function moduleTrusting(ca: string): Promise<ModuleHarness> {
  const h = await ublox();
  h.module.services.certificates.import(0, 'ftp-ca', Buffer.from(ca));
  for (const command of ['AT+USECPRF=0,0,1', 'AT+USECPRF=0,3,"ftp-ca"']) assert.equal(await at(h, command), OK, command);
  return h;
}

function request(port: number, extra: Partial<FtpOpenRequest> = {}): FtpOpenRequest {
  return { host: '127.0.0.1', port, user: FTP_USER, password: FTP_PASSWORD, secure: { profileId: 0 }, timeoutMs: 10_000, ...extra };
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The TLS sessions of a closed connection are freed once its sockets closed. */
async function sessionsFreed(h: ModuleHarness): Promise<void> {
  const deadline = Date.now() + 2000;
  while (h.module.services.tls.activeSessions !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(h.module.services.tls.activeSessions, 0);
}

/** Runs `body` with a module and a server, closing both whatever happens. */
async function withSetup(server: () => Promise<TestFtpServer>, ca: string, body: (h: ModuleHarness, srv: TestFtpServer) => Promise<void>): Promise<void> {
  const srv = await server();
  let h: ModuleHarness | undefined;
  try {
    h = await moduleTrusting(ca);
    await body(h, srv);
  } finally {
    h?.module.services.ftp.closeAll();
    await h?.close();
    await srv.close();
  }
}

describe('FTP service: explicit FTPS against a real server on loopback', () => {
  it('gets and puts 1 MB and lists, over separate TLS sessions for control and data', async () => {
    const file = randomBytes(MB);
    await withSetup(
      () => startFtpServer({ tls: { cert: pki.server.cert, key: pki.server.key }, files: { 'big.bin': file } }),
      pki.ca.cert,
      async (h, srv) => {
        const ftp = h.module.services.ftp;
        const tls = h.module.services.tls;
        await ftp.open(request(srv.port));
        assert.equal(ftp.connected, true);
        assert.equal(ftp.secure, true);
        assert.deepEqual(srv.logins, [FTP_USER]);
        assert.equal(tls.activeSessions, 1, 'the control connection holds one session; data connections are its companions');

        const get = await ftp.download('big.bin');
        const received = await collect(get.stream);
        await get.done;
        assert.equal(received.length, MB);
        assert.ok(received.equals(file), 'the downloaded bytes are the file');

        const upload = randomBytes(MB);
        const put = await ftp.upload('up.bin');
        for (let i = 0; i < upload.length; i += 4096) put.stream.write(upload.subarray(i, i + 4096));
        put.stream.end();
        await put.done;
        assert.ok(srv.read('up.bin').equals(upload), 'the server stored the uploaded bytes');

        const list = await ftp.list();
        const text = (await collect(list.stream)).toString('latin1');
        await list.done;
        assert.match(text, /big\.bin/);
        assert.match(text, /up\.bin/);

        await ftp.close();
        assert.equal(ftp.connected, false);
        await assert.rejects(ftp.download('big.bin'), (e: FtpFailure) => e.reason === 'not-connected');
      },
    );
  });

  it('keeps the session when the server refuses a command (5xx for a missing file)', async () => {
    await withSetup(
      () => startFtpServer({ tls: { cert: pki.server.cert, key: pki.server.key }, files: { 'a.txt': 'hello' } }),
      pki.ca.cert,
      async (h, srv) => {
        const ftp = h.module.services.ftp;
        await ftp.open(request(srv.port));
        await assert.rejects(ftp.download('missing.txt'), (e: FtpFailure) => e.reason === 'rejected' && (e.replyCode ?? 0) >= 500);
        assert.equal(ftp.connected, true);
        const get = await ftp.download('a.txt');
        assert.equal((await collect(get.stream)).toString(), 'hello');
        await get.done;
        await assert.rejects(ftp.open(request(srv.port)), (e: FtpFailure) => e.reason === 'already-connected');
        await ftp.close();
      },
    );
  });

  it('runs one operation at a time: another one meanwhile is refused as busy', async () => {
    await withSetup(
      () => startFtpServer({ tls: { cert: pki.server.cert, key: pki.server.key }, files: { 'a.txt': 'hello' } }),
      pki.ca.cert,
      async (h, srv) => {
        const ftp = h.module.services.ftp;
        const opening = ftp.open(request(srv.port));
        await assert.rejects(ftp.open(request(srv.port)), (e: FtpFailure) => e.reason === 'busy');
        await opening;
        const put = await ftp.upload('b.txt');
        await assert.rejects(ftp.download('a.txt'), (e: FtpFailure) => e.reason === 'busy');
        await assert.rejects(ftp.close(), (e: FtpFailure) => e.reason === 'busy');
        put.stream.end('bytes');
        await put.done;
        assert.equal(srv.read('b.txt').toString(), 'bytes');
        const get = await ftp.download('a.txt');
        assert.equal((await collect(get.stream)).toString(), 'hello');
        await get.done;
        await ftp.close();
      },
    );
  });

  it('never keeps a session whose opening a power-off interrupted', async () => {
    await withSetup(
      () => startFtpServer({ tls: { cert: pki.server.cert, key: pki.server.key } }),
      pki.ca.cert,
      async (h, srv) => {
        const ftp = h.module.services.ftp;
        const opening = ftp.open(request(srv.port));
        ftp.powerOff();
        await assert.rejects(opening, (e: FtpFailure) => e.reason === 'closed');
        assert.equal(ftp.connected, false);
        await sessionsFreed(h);
      },
    );
  });

  it('refuses bad credentials with a login failure and stays closed', async () => {
    await withSetup(
      () => startFtpServer({ tls: { cert: pki.server.cert, key: pki.server.key } }),
      pki.ca.cert,
      async (h, srv) => {
        const ftp = h.module.services.ftp;
        await assert.rejects(ftp.open(request(srv.port, { password: 'wrong' })), (e: FtpFailure) => e.reason === 'login' && e.replyCode === 530);
        assert.equal(ftp.connected, false);
        await sessionsFreed(h);
        await ftp.open(request(srv.port));
        await ftp.close();
      },
    );
  });

  it('fails when the server refuses AUTH TLS, and never sends the credentials in clear', async () => {
    await withSetup(
      () => startFtpServer({}),
      pki.ca.cert,
      async (h, srv) => {
        const ftp = h.module.services.ftp;
        await assert.rejects(ftp.open(request(srv.port)), (e: FtpFailure) => e.reason === 'auth-tls-refused' && e.replyCode === 502);
        assert.equal(ftp.connected, false);
        assert.deepEqual(srv.logins, []);
        // Plain FTP still works with the same server.
        const { secure: _secure, ...plain } = request(srv.port);
        await ftp.open(plain);
        assert.equal(ftp.secure, false);
        await ftp.close();
      },
    );
  });

  it('fails the handshake checks when the server does not chain to the trusted CA', async () => {
    await withSetup(
      () => startFtpServer({ tls: { cert: pki.server.cert, key: pki.server.key } }),
      pki.otherCa.cert,
      async (h, srv) => {
        const ftp = h.module.services.ftp;
        await assert.rejects(ftp.open(request(srv.port)), (e: FtpFailure) => e.reason === 'tls' && e.tls === 'unknown-ca');
        assert.equal(ftp.connected, false);
        assert.deepEqual(srv.logins, []);
        await sessionsFreed(h);
      },
    );
  });

  it('gives up on a silent server after the timeout of the module clock', async () => {
    const silent = await silentServer();
    const h = await ublox();
    try {
      const ftp = h.module.services.ftp;
      const opening = ftp.open(request(silent.port, { timeoutMs: 5000 }));
      const outcome = assert.rejects(opening, (e: FtpFailure) => e.reason === 'timeout');
      await new Promise((r) => setTimeout(r, 50));
      await h.advance(4000);
      assert.equal(ftp.connected, false);
      await h.advance(2000);
      await outcome;
    } finally {
      await h.close();
      await silent.close();
    }
  });

  it('refuses to open without a data path, and names a server that does not exist', async () => {
    const h = await ublox({ registered: false });
    try {
      await assert.rejects(h.module.services.ftp.open(request(21)), (e: FtpFailure) => e.reason === 'no-data-path');
    } finally {
      await h.close();
    }
    const r = await ublox();
    try {
      await assert.rejects(r.module.services.ftp.open(request(21, { host: 'nowhere.invalid' })), (e: FtpFailure) => e.reason === 'dns');
    } finally {
      await r.close();
    }
  });
});

describe('FTP service helpers', () => {
  it('parses PASV answers and knows private addresses', () => {
    assert.deepEqual(parsePasv('227 Entering Passive Mode (127,0,0,1,78,52)'), { host: '127.0.0.1', port: 78 * 256 + 52 });
    assert.equal(parsePasv('227 nonsense'), undefined);
    assert.equal(parsePasv('227 (300,0,0,1,1,1)'), undefined);
    assert.equal(isPrivateIpv4('10.1.2.3'), true);
    assert.equal(isPrivateIpv4('172.20.0.1'), true);
    assert.equal(isPrivateIpv4('192.168.1.1'), true);
    assert.equal(isPrivateIpv4('127.0.0.1'), false);
    assert.equal(isPrivateIpv4('172.32.0.1'), false);
  });
});
