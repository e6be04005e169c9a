import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { at, ublox } from '../../dialects/ublox/ublox.testutil.js';
import type { ModuleHarness } from '../../testing/harness.js';
import { FTP_PASSWORD, FTP_USER, startFtpServer } from '../ftp/ftp.testutil.js';
import { startVsftpd, VSFTPD } from '../ftp/vsftpd.testutil.js';
import { makePki, type TestPki } from '../tls/tls.testutil.js';

/** +UGCNTRD's session counters of context `cid`: what the host sees. */
async function counters(h: ModuleHarness, cid: number): Promise<{ sent: number; received: number }> {
  const line = (await at(h, 'AT+UGCNTRD')).split('\r\n').find((l) => l.startsWith(`+UGCNTRD: ${cid},`));
  assert.ok(line, 'the active context is listed');
  const [, sent, received] = line.slice('+UGCNTRD: '.length).split(',').map(Number);
  return { sent: sent!, received: received! };
}

/** A server that remembers the wire bytes of each connection once it closed. */
function countingServer(server: Server): { wire: () => Promise<{ read: number; written: number }> } {
  const closed: Array<Promise<{ read: number; written: number }>> = [];
  server.on('connection', (s: Socket) => closed.push(once(s, 'close').then(() => ({ read: s.bytesRead, written: s.bytesWritten }))));
  return {
    wire: async () => {
      const all = await Promise.all(closed);
      return all.reduce((a, b) => ({ read: a.read + b.read, written: a.written + b.written }), { read: 0, written: 0 });
    },
  };
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Runs one GET of `/` through HTTP profile 0 and waits for its result. */
async function get(h: ModuleHarness, port: number, secure: boolean): Promise<void> {
  const http = h.module.services.http;
  http.profiles.setServerIp(0, '127.0.0.1');
  http.profiles.setPort(0, port);
  http.profiles.setSecure(0, secure, 0);
  const result = once(http, 'result');
  http.start(0, { method: 'get', path: '/', resultFile: 'page.html' });
  const [event] = (await result) as [{ ok: boolean }];
  assert.equal(event.ok, true, `the request succeeded (${http.lastError(0)})`);
}

const BODY = randomBytes(200_000);
const page = (_req: IncomingMessage, res: ServerResponse) => res.end(BODY);

/** Issue 8: every client dials through services/net, so its bytes count in the PDP context's counters. */
describe('PDP byte accounting of HTTP and FTP (one dialer)', () => {
  let pki: TestPki;
  before(() => {
    pki = makePki();
  });
  after(() => pki.dispose());

  it('HTTP: +UGCNTRD grows by exactly the bytes the server saw on the wire, each way', async () => {
    const server = createHttpServer(page);
    const count = countingServer(server);
    const port = await listen(server);
    const h = await ublox();
    try {
      const cid = h.module.services.pdp.activeList()[0]!.cid;
      const before = await counters(h, cid);
      await get(h, port, false);
      const wire = await count.wire();
      const now = await counters(h, cid);
      assert.ok(wire.written > BODY.length);
      assert.deepEqual({ sent: now.sent - before.sent, received: now.received - before.received }, { sent: wire.read, received: wire.written });
    } finally {
      await h.close();
      server.close();
    }
  });

  it('HTTPS: the TLS records count too (handshake and encrypted body)', async () => {
    const server = createHttpsServer({ key: pki.server.key, cert: pki.server.cert }, page);
    const count = countingServer(server);
    const port = await listen(server);
    const h = await ublox();
    try {
      h.module.services.certificates.import(0, 'lab-ca', Buffer.from(pki.ca.cert));
      for (const command of ['AT+USECPRF=0,0,1', 'AT+USECPRF=0,3,"lab-ca"']) await at(h, command);
      const cid = h.module.services.pdp.activeList()[0]!.cid;
      const before = await counters(h, cid);
      await get(h, port, true);
      const wire = await count.wire();
      const now = await counters(h, cid);
      // Both sides' close_notify alerts may cross a peer that already let go: a record's slack.
      const sent = now.sent - before.sent;
      assert.ok(sent >= wire.read && sent <= wire.read + 100, `sent ${sent}, server read ${wire.read}`);
      const received = now.received - before.received;
      assert.ok(received > BODY.length + 1000 && received <= wire.written && received >= wire.written - 100, `received ${received}, server wrote ${wire.written}`);
    } finally {
      await h.close();
      server.close();
    }
  });

  it('FTP: a download and an upload count on the control and the data connections', async () => {
    const file = randomBytes(150_000);
    const upload = randomBytes(80_000);
    const srv = await startFtpServer({ files: { 'in.bin': file } });
    const h = await ublox();
    try {
      const cid = h.module.services.pdp.activeList()[0]!.cid;
      const ftp = h.module.services.ftp;
      const before = await counters(h, cid);
      await ftp.open({ host: '127.0.0.1', port: srv.port, user: FTP_USER, password: FTP_PASSWORD, timeoutMs: 10_000 });
      const afterLogin = await counters(h, cid);
      assert.ok(afterLogin.sent > before.sent && afterLogin.received > before.received, 'the control connection counts (USER, PASS, the greeting)');

      const down = await ftp.download('in.bin');
      const chunks: Buffer[] = [];
      for await (const c of down.stream as Readable) chunks.push(c as Buffer);
      await down.done;
      assert.ok(Buffer.concat(chunks).equals(file));
      const put = await ftp.upload('out.bin');
      put.stream.end(upload);
      await put.done;
      await ftp.close();

      const now = await counters(h, cid);
      const sent = now.sent - before.sent;
      const received = now.received - before.received;
      // Payload plus the protocol's own bytes (commands, replies, TCP payload only).
      assert.ok(received >= file.length && received < file.length + 4096, `received ${received}`);
      assert.ok(sent >= upload.length && sent < upload.length + 4096, `sent ${sent}`);
    } finally {
      await h.close();
      await srv.close();
    }
  });

  it('FTP in active mode, plain and FTPS: the data connections the server opens to the module count too', { skip: VSFTPD ? false : 'vsftpd is not installed' }, async () => {
    const file = randomBytes(150_000);
    const upload = randomBytes(80_000);
    const pki = makePki();
    const plain = await startVsftpd({ 'in.bin': file });
    const tls = await startVsftpd({ 'in.bin': file }, { tls: { cert: pki.server.cert, key: pki.server.key } });
    const h = await ublox();
    try {
      assert.equal(await at(h, 'AT+USECPRF=1,0,0'), '\r\nOK\r\n');
      const cid = h.module.services.pdp.activeList()[0]!.cid;
      const ftp = h.module.services.ftp;
      for (const [srv, secure, overhead] of [[plain, undefined, 4096], [tls, { profileId: 1, reuseSession: true }, 16_384]] as const) {
        const before = await counters(h, cid);
        await ftp.open({ host: '127.0.0.1', port: srv.port, user: 'anonymous', password: '', timeoutMs: 10_000, active: true, ...(secure ? { secure } : {}) });
        const down = await ftp.download('in.bin');
        const chunks: Buffer[] = [];
        for await (const c of down.stream as Readable) chunks.push(c as Buffer);
        await down.done;
        assert.ok(Buffer.concat(chunks).equals(file));
        await ftp.cd('upload');
        const put = await ftp.upload('out.bin');
        put.stream.end(upload);
        await put.done;
        await ftp.close();
        assert.ok(srv.read('upload/out.bin').equals(upload));
        const now = await counters(h, cid);
        const sent = now.sent - before.sent;
        const received = now.received - before.received;
        assert.ok(received >= file.length && received < file.length + overhead, `${secure ? 'FTPS' : 'plain'}: received ${received}`);
        assert.ok(sent >= upload.length && sent < upload.length + overhead, `${secure ? 'FTPS' : 'plain'}: sent ${sent}`);
      }
    } finally {
      h.module.services.ftp.closeAll();
      await h.close();
      await plain.close();
      await tls.close();
      pki.dispose();
    }
  });
});
