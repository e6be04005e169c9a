import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { freePort, sleep } from '../../services/sockets/peers.testutil.js';
import { makePki, type TestPki } from '../../services/tls/tls.testutil.js';
import type { ModuleHarness } from '../../testing/harness.js';
import { startHttpServer, type TestHttpServer } from '../../testing/http-server.js';
import { socketHarnesses } from './socket-harness.testutil.js';
import { answer, at, atUntil, cmeError, OK, urc } from './ublox.testutil.js';

const ublox = socketHarnesses();
const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function server(...args: Parameters<typeof startHttpServer>): Promise<TestHttpServer> {
  const s = await startHttpServer(...args);
  servers.push(s);
  return s;
}

/** Sends a +UHTTPC and collects everything up to its +UUHTTPCR. */
async function request(h: ModuleHarness, command: string): Promise<string> {
  const m = /^AT\+UHTTPC=(\d+),(\d+)/.exec(command)!;
  const out = await atUntil(h, command, `+UUHTTPCR: ${m[1]},${m[2]},`);
  return out.endsWith('\r\n') ? out : out + (await h.waitFor('\r\n', 2000));
}

const fileText = (h: ModuleHarness, name: string): string => h.module.services.files.read(name).toString('latin1');

/** A profile pointing at 127.0.0.1:<port> under the name api.test. */
async function profile(h: ModuleHarness, port: number, id = 0): Promise<void> {
  assert.equal(await at(h, `AT+UHTTP=${id},1,"api.test"`), OK);
  assert.equal(await at(h, `AT+UHTTP=${id},5,${port}`), OK);
}

describe('u-blox +UHTTP profiles', () => {
  it('sets, reads and resets every op code; 0 and 1 clear each other; secure sets the default port', async () => {
    const h = await ublox();
    assert.equal(await at(h, 'AT+CMEE=2'), OK);
    assert.equal(await at(h, 'AT+UHTTP=?'), answer('+UHTTP: (0-3),(0-7,9)'));
    assert.equal(await at(h, 'AT+UHTTP=0,0,"192.168.1.10"'), OK);
    assert.equal(await at(h, 'AT+UHTTP=0,0'), answer('+UHTTP: 0,0,"192.168.1.10"'));
    assert.equal(await at(h, 'AT+UHTTP=0,1,"example.com"'), OK);
    assert.equal(await at(h, 'AT+UHTTP=0,0'), answer('+UHTTP: 0,0,""'));
    assert.equal(await at(h, 'AT+UHTTP=0,1'), answer('+UHTTP: 0,1,"example.com"'));
    assert.equal(await at(h, 'AT+UHTTP=0,0,"10.0.0.1"'), OK);
    assert.equal(await at(h, 'AT+UHTTP=0,1'), answer('+UHTTP: 0,1,""'));
    assert.equal(await at(h, 'AT+UHTTP=0,2,"user"'), OK);
    assert.equal(await at(h, 'AT+UHTTP=0,2'), answer('+UHTTP: 0,2,"user"'));
    assert.equal(await at(h, 'AT+UHTTP=0,3,"secret"'), OK);
    assert.equal(await at(h, 'AT+UHTTP=0,3'), answer('+UHTTP: 0,3,""'));
    assert.equal(await at(h, 'AT+UHTTP=0,4,1'), OK);
    assert.equal(await at(h, 'AT+UHTTP=0,4'), answer('+UHTTP: 0,4,1'));
    assert.equal(await at(h, 'AT+UHTTP=0,5'), answer('+UHTTP: 0,5,80'));
    assert.equal(await at(h, 'AT+UHTTP=0,6,1,2'), OK);
    assert.equal(await at(h, 'AT+UHTTP=0,6'), answer('+UHTTP: 0,6,1,2'));
    assert.equal(await at(h, 'AT+UHTTP=0,5'), answer('+UHTTP: 0,5,443'));
    assert.equal(await at(h, 'AT+UHTTP=0,6,0'), OK);
    assert.equal(await at(h, 'AT+UHTTP=0,6'), answer('+UHTTP: 0,6,0'));
    assert.equal(await at(h, 'AT+UHTTP=0,5'), answer('+UHTTP: 0,5,80'));
    // A port given explicitly stays when security changes.
    assert.equal(await at(h, 'AT+UHTTP=0,5,8080'), OK);
    assert.equal(await at(h, 'AT+UHTTP=0,6,1'), OK);
    assert.equal(await at(h, 'AT+UHTTP=0,6'), answer('+UHTTP: 0,6,1,0'));
    assert.equal(await at(h, 'AT+UHTTP=0,5'), answer('+UHTTP: 0,5,8080'));
    assert.equal(await at(h, 'AT+UHTTP=0,7'), answer('+UHTTP: 0,7,180'));
    assert.equal(await at(h, 'AT+UHTTP=0,7,60'), OK);
    assert.equal(await at(h, 'AT+UHTTP=0,7'), answer('+UHTTP: 0,7,60'));
    assert.equal(await at(h, 'AT+UHTTP=0,9'), answer('+UHTTP: 0,9,""'));
    assert.equal(await at(h, 'AT+UHTTP=0,9,"0:X-Device:sara"'), OK);
    assert.equal(await at(h, 'AT+UHTTP=0,9,"3:Accept:text/plain"'), OK);
    assert.equal(await at(h, 'AT+UHTTP=0,9'), answer('+UHTTP: 0,9,"0:X-Device:sara"', '+UHTTP: 0,9,"3:Accept:text/plain"'));
    assert.equal(await at(h, 'AT+UHTTP=0,9,"0:"'), OK);
    assert.equal(await at(h, 'AT+UHTTP=0,9'), answer('+UHTTP: 0,9,"3:Accept:text/plain"'));
    // Profile 1 is untouched; a reset brings the defaults back.
    assert.equal(await at(h, 'AT+UHTTP=1,0'), answer('+UHTTP: 1,0,""'));
    assert.equal(await at(h, 'AT+UHTTP=0'), OK);
    assert.equal(await at(h, 'AT+UHTTP=0,0'), answer('+UHTTP: 0,0,""'));
    assert.equal(await at(h, 'AT+UHTTP=0,5'), answer('+UHTTP: 0,5,80'));
    assert.equal(await at(h, 'AT+UHTTP=0,6'), answer('+UHTTP: 0,6,0'));
    assert.equal(await at(h, 'AT+UHTTP=0,9'), answer('+UHTTP: 0,9,""'));
  });

  it('refuses bad input with "Incorrect parameters" and changes nothing', async () => {
    const h = await ublox();
    assert.equal(await at(h, 'AT+CMEE=2'), OK);
    assert.equal(await at(h, 'AT+UHTTP=0,1,"keep.example"'), OK);
    const bad = cmeError('Incorrect parameters');
    for (const cmd of [
      'AT+UHTTP=4,1,"x"',
      'AT+UHTTP=0,8,1',
      'AT+UHTTP=0,0,"not.an.ip"',
      'AT+UHTTP=0,1,""',
      `AT+UHTTP=0,2,"${'u'.repeat(31)}"`,
      'AT+UHTTP=0,4,2',
      'AT+UHTTP=0,5,0',
      'AT+UHTTP=0,5,65536',
      'AT+UHTTP=0,6,1,5',
      'AT+UHTTP=0,6,0,1',
      'AT+UHTTP=0,7,29',
      'AT+UHTTP=0,9,"5:X:y"',
      'AT+UHTTP=0,9,"0:Bad Name:y"',
      'AT+UHTTP=0,1,keep',
      'AT+UHTTP=0,,1',
    ]) {
      assert.equal(await at(h, cmd), bad, cmd);
    }
    assert.equal(await at(h, 'AT+UHTTP=0,1'), answer('+UHTTP: 0,1,"keep.example"'));
    assert.equal(await at(h, 'AT+UHTTP=0,5'), answer('+UHTTP: 0,5,80'));
    assert.equal(await at(h, 'AT+UHTTP=0,6'), answer('+UHTTP: 0,6,0'));
    for (const cmd of [
      'AT+UHTTPC=4,1,"/","r"',
      'AT+UHTTPC=0,6,"/","r"',
      'AT+UHTTPC=0,1,"/"',
      'AT+UHTTPC=0,1,"/","r","extra"',
      'AT+UHTTPC=0,4,"/","r","f"',
      'AT+UHTTPC=0,5,"/","r","data",7',
      'AT+UHTTPC=0,5,"/","r","data",6',
      'AT+UHTTPC=0,5,"/","r","data",1,"text/x"',
      `AT+UHTTPC=0,5,"/","r","${'d'.repeat(129)}",1`,
      `AT+UHTTPC=0,1,"/","${'n'.repeat(249)}"`,
      'AT+UHTTPC=0,1,"","r"',
      'AT+UHTTPC=0,1,"/",""',
      'AT+UHTTPC=0,3,"/","r",""',
      'AT+UHTTPER=4',
    ]) {
      assert.equal(await at(h, cmd), bad, cmd);
    }
    assert.equal(await at(h, 'AT+UHTTPER=0'), answer('+UHTTPER: 0,0,0'));
    assert.deepEqual(h.module.services.files.list(), []);
  });
});

describe('u-blox +UHTTPC against real servers on loopback', () => {
  let pki: TestPki;
  before(() => {
    pki = makePki();
  });
  after(() => pki.dispose());

  it('GET writes the status line, headers and body to the result file', async () => {
    const srv = await server((_req, res) => {
      res.sendDate = false;
      res.setHeader('Content-Type', 'text/plain');
      res.end('hello world\n');
    });
    const h = await ublox({ hosts: { 'api.test': '127.0.0.1' } });
    await profile(h, srv.port);
    assert.equal(await at(h, 'AT+UHTTP=0,9,"0:X-Device:sara"'), OK);
    assert.equal(await request(h, 'AT+UHTTPC=0,1,"/index.html","get.resp"'), OK + urc('+UUHTTPCR: 0,1,1'));
    assert.equal(fileText(h, 'get.resp'), 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 12\r\n\r\nhello world\n');
    const got = srv.requests[0]!;
    assert.equal(got.method, 'GET');
    assert.equal(got.url, '/index.html');
    assert.equal(got.headers.host, `api.test:${srv.port}`);
    assert.equal(got.headers['x-device'], 'sara');
    assert.equal(await at(h, 'AT+UHTTPER=0'), answer('+UHTTPER: 0,0,0'));
  });

  it('HEAD, DELETE, PUT a file, POST a file (plain and multipart) and POST data with each content type', async () => {
    const srv = await server((req, res) => {
      res.setHeader('X-Method', req.method);
      res.end(req.method === 'HEAD' ? undefined : `got ${req.body.length}`);
    });
    const h = await ublox({ hosts: { 'api.test': '127.0.0.1' } });
    await profile(h, srv.port);
    const files = h.module.services.files;
    files.write('data.bin', Buffer.from([0, 1, 2, 0xff, 0x22, 0x0d, 0x0a]));

    assert.equal(await request(h, 'AT+UHTTPC=0,0,"/h","r"'), OK + urc('+UUHTTPCR: 0,0,1'));
    assert.match(fileText(h, 'r'), /^HTTP\/1\.0 200 OK\r\n.*X-Method: HEAD\r\n.*\r\n\r\n$/s);
    assert.equal(await request(h, 'AT+UHTTPC=0,2,"/d","r"'), OK + urc('+UUHTTPCR: 0,2,1'));
    assert.match(fileText(h, 'r'), /X-Method: DELETE\r\n.*\r\n\r\ngot 0$/s);

    assert.equal(await request(h, 'AT+UHTTPC=0,3,"/p","r","data.bin"'), OK + urc('+UUHTTPCR: 0,3,1'));
    let got = srv.requests.at(-1)!;
    assert.equal(got.method, 'PUT');
    assert.equal(got.headers['content-type'], 'application/octet-stream');
    assert.deepEqual(got.body, files.read('data.bin'));

    assert.equal(await request(h, 'AT+UHTTPC=0,4,"/f","r","data.bin",4'), OK + urc('+UUHTTPCR: 0,4,1'));
    got = srv.requests.at(-1)!;
    assert.equal(got.method, 'POST');
    assert.equal(got.headers['content-type'], 'application/json');
    assert.deepEqual(got.body, files.read('data.bin'));

    assert.equal(await request(h, 'AT+UHTTPC=0,4,"/m","r","data.bin",3'), OK + urc('+UUHTTPCR: 0,4,1'));
    got = srv.requests.at(-1)!;
    const boundary = 'U1Blox2Http3Unique4Boundary5';
    assert.equal(got.headers['content-type'], `multipart/form-data; boundary=${boundary}`);
    assert.deepEqual(
      got.body,
      Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file_post"; filename="data.bin"\r\nContent-Length: 7\r\nContent-Type: application/octet-stream\r\n\r\n`),
        files.read('data.bin'),
        Buffer.from(`\r\n--${boundary}--\r\n\r\n`),
      ]),
    );

    const types = ['application/x-www-form-urlencoded', 'text/plain', 'application/octet-stream', 'multipart/form-data', 'application/json', 'application/xml'];
    for (const [i, type] of types.entries()) {
      assert.equal(await request(h, `AT+UHTTPC=0,5,"/post","r","a=1&b=${i}",${i}`), OK + urc('+UUHTTPCR: 0,5,1'));
      got = srv.requests.at(-1)!;
      assert.equal(got.headers['content-type'], type);
      assert.equal(got.body.toString(), `a=1&b=${i}`);
    }
    assert.equal(await request(h, 'AT+UHTTPC=0,5,"/post","r","{}",6,"application/vnd.lab+json"'), OK + urc('+UUHTTPCR: 0,5,1'));
    assert.equal(srv.requests.at(-1)!.headers['content-type'], 'application/vnd.lab+json');
    assert.equal(fileText(h, 'r').split('\r\n\r\n')[1], 'got 2');
  });

  it('sends basic credentials and decodes a chunked body', async () => {
    const srv = await server((_req, res) => {
      res.sendDate = false;
      res.write('first,');
      setTimeout(() => res.end('second'), 20);
    });
    const h = await ublox({ hosts: { 'api.test': '127.0.0.1' } });
    await profile(h, srv.port);
    assert.equal(await at(h, 'AT+UHTTP=0,2,"alice"'), OK);
    assert.equal(await at(h, 'AT+UHTTP=0,3,"s3cret"'), OK);
    assert.equal(await at(h, 'AT+UHTTP=0,4,1'), OK);
    assert.equal(await request(h, 'AT+UHTTPC=0,1,"/c","chunked"'), OK + urc('+UUHTTPCR: 0,1,1'));
    assert.equal(srv.requests[0]!.headers.authorization, `Basic ${Buffer.from('alice:s3cret').toString('base64')}`);
    assert.equal(fileText(h, 'chunked'), 'HTTP/1.0 200 OK\r\nConnection: close\r\n\r\nfirst,second');
  });

  it('404 and 500 complete the request (result 1): the status is in the file', async () => {
    const srv = await server((req, res) => {
      res.sendDate = false;
      res.statusCode = req.url === '/missing' ? 404 : 500;
      res.end('oops');
    });
    const h = await ublox({ hosts: { 'api.test': '127.0.0.1' } });
    await profile(h, srv.port);
    assert.equal(await request(h, 'AT+UHTTPC=0,1,"/missing","r"'), OK + urc('+UUHTTPCR: 0,1,1'));
    assert.match(fileText(h, 'r'), /^HTTP\/1\.0 404 Not Found\r\n.*\r\n\r\noops$/s);
    assert.equal(await request(h, 'AT+UHTTPC=0,1,"/broken","r"'), OK + urc('+UUHTTPCR: 0,1,1'));
    assert.match(fileText(h, 'r'), /^HTTP\/1\.0 500 Internal Server Error\r\n/);
    assert.equal(await at(h, 'AT+UHTTPER=0'), answer('+UHTTPER: 0,0,0'));
  });

  it('connection refused, unknown host, no server and no data path fail with result 0 and their error codes', async () => {
    const h = await ublox({ hosts: { 'api.test': '127.0.0.1' } });
    await profile(h, await freePort());
    h.module.services.files.write('r', Buffer.from('old'));
    assert.equal(await request(h, 'AT+UHTTPC=0,1,"/","r"'), OK + urc('+UUHTTPCR: 0,1,0'));
    assert.equal(await at(h, 'AT+UHTTPER=0'), answer('+UHTTPER: 0,3,11'));
    assert.equal(fileText(h, 'r'), 'old');
    assert.equal(await at(h, 'AT+UHTTP=1,1,"nothing.invalid"'), OK);
    assert.equal(await request(h, 'AT+UHTTPC=1,1,"/","r"'), OK + urc('+UUHTTPCR: 1,1,0'));
    assert.equal(await at(h, 'AT+UHTTPER=1'), answer('+UHTTPER: 1,3,23'));
    assert.equal(await request(h, 'AT+UHTTPC=2,0,"/","r"'), OK + urc('+UUHTTPCR: 2,0,0'));
    assert.equal(await at(h, 'AT+UHTTPER=2'), answer('+UHTTPER: 2,3,7'));
    assert.equal(await request(h, 'AT+UHTTPC=0,3,"/","r","absent"'), OK + urc('+UUHTTPCR: 0,3,0'));
    assert.equal(await at(h, 'AT+UHTTPER=0'), answer('+UHTTPER: 0,3,17'));
    assert.equal(fileText(h, 'r'), 'old');
    // A path node:http cannot send (a space) fails the request, never the module.
    const srv = await server((_req, res) => res.end('never'));
    await profile(h, srv.port, 3);
    assert.equal(await request(h, 'AT+UHTTPC=3,1,"/a b","r"'), OK + urc('+UUHTTPCR: 3,1,0'));
    assert.equal(await at(h, 'AT+UHTTPER=3'), answer('+UHTTPER: 3,3,12'));
    assert.equal(srv.requests.length, 0);

    const off = await ublox({ registered: false, hosts: { 'api.test': '127.0.0.1' } });
    await profile(off, 80);
    assert.equal(await request(off, 'AT+UHTTPC=0,1,"/","r"'), OK + urc('+UUHTTPCR: 0,1,0'));
    assert.equal(await at(off, 'AT+UHTTPER=0'), answer('+UHTTPER: 0,3,22'));
  });

  it('HTTPS through the security profile; an untrusted server fails the TLS check (level 1)', async () => {
    const good = await server((_req, res) => res.end('secure'), { key: pki.server.key, cert: pki.server.cert });
    const bad = await server((_req, res) => res.end('never'), { key: pki.unknown.key, cert: pki.unknown.cert });
    const h = await ublox({ hosts: { 'api.test': '127.0.0.1' } });
    assert.equal(await at(h, `AT+USECMNG=0,0,"labCA",${Buffer.byteLength(pki.ca.cert)}`), '\r\n>');
    assert.match(await h.send(pki.ca.cert), /\r\nOK\r\n$/);
    assert.equal(await at(h, 'AT+USECPRF=1,0,1'), OK);
    assert.equal(await at(h, 'AT+USECPRF=1,3,"labCA"'), OK);
    await profile(h, good.port);
    assert.equal(await at(h, 'AT+UHTTP=0,6,1,1'), OK);
    assert.equal(await request(h, 'AT+UHTTPC=0,1,"/","s"'), OK + urc('+UUHTTPCR: 0,1,1'));
    assert.match(fileText(h, 's'), /\r\n\r\nsecure$/);
    // The connection counted against the TLS cap until it closed.
    for (let i = 0; i < 500 && h.module.services.tls.activeSessions > 0; i++) await sleep(10);
    assert.equal(h.module.services.tls.activeSessions, 0);

    await profile(h, bad.port, 1);
    assert.equal(await at(h, 'AT+UHTTP=1,6,1,1'), OK);
    assert.equal(await request(h, 'AT+UHTTPC=1,1,"/","s"'), OK + urc('+UUHTTPCR: 1,1,0'));
    assert.equal(await at(h, 'AT+UHTTPER=1'), answer('+UHTTPER: 1,3,73'));
    assert.match(fileText(h, 's'), /secure$/);
    assert.equal(bad.requests.length, 0);
  });

  it('an HTTPS request holds one of the concurrent TLS sessions; with none free it fails like a TLS failure', async () => {
    const held: Array<import('node:http').ServerResponse> = [];
    const srv = await server((_req, res) => held.push(res), { key: pki.server.key, cert: pki.server.cert });
    const h = await ublox({ hosts: { 'api.test': '127.0.0.1' } });
    assert.equal(await at(h, `AT+USECMNG=0,0,"labCA",${Buffer.byteLength(pki.ca.cert)}`), '\r\n>');
    assert.match(await h.send(pki.ca.cert), /\r\nOK\r\n$/);
    assert.equal(await at(h, 'AT+USECPRF=0,0,1'), OK);
    assert.equal(await at(h, 'AT+USECPRF=0,3,"labCA"'), OK);
    const tls = h.module.services.tls;
    const max = h.module.model.tls.maxConcurrentSessions;
    for (let p = 0; p < 4; p++) {
      await profile(h, srv.port, p);
      assert.equal(await at(h, `AT+UHTTP=${p},6,1,0`), OK);
    }
    // Three requests wait for their answers, a secure socket takes the fourth session.
    for (let p = 0; p < 3; p++) assert.equal(await at(h, `AT+UHTTPC=${p},1,"/","r${p}"`), OK);
    for (let i = 0; i < 1000 && held.length < 3; i++) await sleep(10);
    assert.equal(tls.activeSessions, 3);
    assert.equal(max, 4);
    assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 0'));
    assert.equal(await at(h, 'AT+USOSEC=0,1,0'), OK);
    assert.equal(await atUntil(h, `AT+USOCO=0,"api.test",${srv.port}`, OK), OK);
    assert.equal(tls.activeSessions, 4);
    assert.equal(await request(h, 'AT+UHTTPC=3,1,"/","r3"'), OK + urc('+UUHTTPCR: 3,1,0'));
    assert.equal(await at(h, 'AT+UHTTPER=3'), answer('+UHTTPER: 3,3,73'));
    for (const res of held) res.end('done');
    let out = '';
    for (let i = 0; i < 1000 && (out.match(/\+UUHTTPCR: [0-2],1,1/g) ?? []).length < 3; i++) {
      await sleep(10);
      out += h.take();
    }
    assert.equal((out.match(/\+UUHTTPCR: [0-2],1,1/g) ?? []).length, 3, out);
    assert.equal(await at(h, 'AT+USOCL=0'), OK);
    for (let i = 0; i < 500 && tls.activeSessions > 0; i++) await sleep(10);
    assert.equal(tls.activeSessions, 0);
  });

  it('a silent server times out after 180 s of module time; the profile is busy until then', async () => {
    const accepted: Socket[] = [];
    const silent = createServer((s) => {
      accepted.push(s);
      s.on('error', () => {});
    });
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    servers.push({ close: () => new Promise<void>((r) => { silent.close(() => r()); for (const s of accepted) s.destroy(); }) });
    const requestSeen = new Promise<void>((resolve) => silent.once('connection', (s: Socket) => s.once('data', () => resolve())));
    const h = await ublox({ hosts: { 'api.test': '127.0.0.1' } });
    await profile(h, (silent.address() as { port: number }).port);
    assert.equal(await at(h, 'AT+CMEE=2'), OK);
    assert.equal(await at(h, 'AT+UHTTPC=0,1,"/","slow"'), OK);
    await requestSeen;
    await sleep(20);
    assert.equal(await at(h, 'AT+UHTTPC=0,1,"/","slow"'), cmeError('operation not allowed'));
    assert.equal(await h.advance(179_000), '');
    assert.equal(await h.advance(2_000), urc('+UUHTTPCR: 0,1,0'));
    assert.equal(await at(h, 'AT+UHTTPER=0'), answer('+UHTTPER: 0,3,26'));
    assert.equal(h.module.services.files.exists('slow'), false);
  });

  it('a body larger than the free space fails cleanly and leaves the file system as it was', async () => {
    const body = randomBytes(64 * 1024);
    const srv = await server((_req, res) => res.end(body));
    const h = await ublox({ hosts: { 'api.test': '127.0.0.1' } });
    const files = h.module.services.files;
    files.write('r', Buffer.from('previous'));
    files.write('filler', Buffer.alloc(files.freeBytes() - 10_000));
    const before = { list: files.list(), free: files.freeBytes() };
    await profile(h, srv.port);
    assert.equal(await request(h, 'AT+UHTTPC=0,1,"/big","r"'), OK + urc('+UUHTTPCR: 0,1,0'));
    assert.equal(await at(h, 'AT+UHTTPER=0'), answer('+UHTTPER: 0,3,10'));
    assert.deepEqual(files.list(), before.list);
    assert.equal(files.freeBytes(), before.free);
    assert.equal(fileText(h, 'r'), 'previous');
    // Room made, the same request succeeds.
    files.delete('filler');
    assert.equal(await request(h, 'AT+UHTTPC=0,1,"/big","r"'), OK + urc('+UUHTTPCR: 0,1,1'));
    assert.deepEqual(files.read('r').subarray(-body.length), body);
  });

  it('a 1 MB body arrives whole', async () => {
    const body = randomBytes(1024 * 1024);
    const srv = await server((_req, res) => res.end(body));
    const h = await ublox({ hosts: { 'api.test': '127.0.0.1' } });
    await profile(h, srv.port);
    assert.equal(await request(h, 'AT+UHTTPC=0,1,"/1mb","big"'), OK + urc('+UUHTTPCR: 0,1,1'));
    const file = h.module.services.files.read('big');
    const split = file.indexOf('\r\n\r\n');
    assert.match(file.subarray(0, split).toString(), /Content-Length: 1048576/);
    assert.ok(file.subarray(split + 4).equals(body));
  });

  it('lab forwards: the default port 80 reaches a server on an ephemeral port, for HTTP and sockets alike', async () => {
    const srv = await server((req, res) => res.end(`host ${req.headers.host}`));
    const h = await ublox({ hosts: { 'api.test': '127.0.0.1' }, forwards: { '127.0.0.1:80': `127.0.0.1:${srv.port}` } });
    assert.equal(await at(h, 'AT+UHTTP=0,1,"api.test"'), OK);
    assert.equal(await request(h, 'AT+UHTTPC=0,1,"/","r"'), OK + urc('+UUHTTPCR: 0,1,1'));
    assert.match(fileText(h, 'r'), /\r\n\r\nhost api\.test$/);
    assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 0'));
    assert.equal(await atUntil(h, 'AT+USOCO=0,"api.test",80', OK), OK);
    assert.equal(await at(h, 'AT+USOCTL=0,4'), answer('+USOCTL: 0,4,"127.0.0.1",80'));
  });

  it('a reboot stops requests silently and forgets profiles and errors', async () => {
    const h = await ublox({ hosts: { 'api.test': '127.0.0.1' } });
    await profile(h, await freePort());
    assert.equal(await request(h, 'AT+UHTTPC=0,1,"/","r"'), OK + urc('+UUHTTPCR: 0,1,0'));
    assert.equal(await at(h, 'AT+CFUN=16'), OK);
    await h.advance(3000);
    await at(h, 'ATE0');
    assert.equal(await at(h, 'AT+UHTTP=0,1'), answer('+UHTTP: 0,1,""'));
    assert.equal(await at(h, 'AT+UHTTPER=0'), answer('+UHTTPER: 0,0,0'));
  });
});
