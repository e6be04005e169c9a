import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server } from 'node:tls';
import { createServer as createHttpsServer } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { echoRoundTrip } from './echo.testutil.js';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { createModule, serveTcp, type VirtualModule } from '@modemlab/module';
import { AtClient, UbloxModem, openTransport } from '@modemlab/sdk';

/** A CA and a server certificate for localhost / broker.lab, made with the openssl CLI. */
function makePki(dir: string): { ca: string; key: string; cert: string } {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=modemlab test CA');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=broker.lab');
  const ext = join(dir, 'ext.cnf');
  execFileSync('sh', ['-c', `printf 'subjectAltName=DNS:broker.lab,DNS:localhost,IP:127.0.0.1\\n' > ${ext}`]);
  run('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.pem', '-days', '30', '-extfile', 'ext.cnf');
  return { ca: readFileSync(join(dir, 'ca.pem'), 'utf8'), key: readFileSync(join(dir, 'srv.key'), 'utf8'), cert: readFileSync(join(dir, 'srv.pem'), 'utf8') };
}

const listen = (server: { listen(port: number, host: string, cb: () => void): unknown; address(): unknown }) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

describe('SDK sockets through a virtual SARA-R5 over TCP', { timeout: 60_000 }, () => {
  let dir: string;
  let module: VirtualModule;
  let modem: UbloxModem;
  let closeListener: () => Promise<void>;
  let pki: { ca: string; key: string; cert: string };
  let echo: Server;
  let echoPort: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'modemlab-sdk-tls-'));
    pki = makePki(dir);
    module = await createModule({
      model: 'sara-r5',
      stateDir: join(dir, 'state'),
      hosts: { 'broker.lab': '127.0.0.1' },
      network: { registrationDelayMs: 100 },
      log: () => {},
    });
    const l = await serveTcp(module, { host: '127.0.0.1', port: 0 });
    closeListener = () => l.close();
    modem = new UbloxModem(new AtClient(await openTransport({ url: `tcp://127.0.0.1:${l.address.port}` })));
    await modem.init();
    await modem.attach({ apn: 'internet', timeoutMs: 10_000 });
    echo = createTlsServer({ key: pki.key, cert: pki.cert }, (s) => {
      s.on('error', () => {});
      s.pipe(s);
    });
    echoPort = await listen(echo);
  });

  after(async () => {
    echo.close();
    await modem.close();
    await closeListener();
    await module.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports a CA, configures a profile and lists the store', async () => {
    const md5 = await modem.certificates.import('ca', 'labCA', pki.ca);
    assert.match(md5, /^[0-9a-f]{32}$/);
    const entries = await modem.certificates.list('ca');
    assert.ok(entries.some((e) => e.name === 'labCA' && e.commonName === 'modemlab test CA'));
    await modem.securityProfiles.reset(1);
    await modem.securityProfiles.configure(1, { validation: 2, rootCa: 'labCA', hostname: 'broker.lab', sni: 'broker.lab' });
    const p = await modem.securityProfiles.read(1);
    assert.deepEqual(p.validation, ['2']);
    assert.deepEqual(p.rootCa, ['labCA']);
  });

  it('securityProfiles.configure({ hostname }) sends the name as SNI, as tls.configure does', async () => {
    const names: Array<string | false> = [];
    const server = createTlsServer({ key: pki.key, cert: pki.cert }, (s) => {
      names.push((s as unknown as { servername: string | false }).servername);
      s.on('error', () => {});
      s.end('hi');
    });
    const port = await listen(server);
    try {
      await modem.securityProfiles.reset(3);
      await modem.securityProfiles.configure(3, { validation: 2, rootCa: 'labCA', hostname: 'broker.lab' });
      assert.deepEqual((await modem.securityProfiles.read(3)).sni, ['broker.lab']);
      const socket = await modem.connect({ host: 'broker.lab', port, tls: { profile: 3 } });
      for await (const _ of socket) void _;
      assert.deepEqual(names, ['broker.lab']);
    } finally {
      server.close();
    }
  });

  it('sends and receives 1 MB of binary data over a TLS ModemSocket with pipeline()', async () => {
    const socket = await modem.connect({ host: 'broker.lab', port: echoPort, tls: { profile: 1 } });
    const payload = randomBytes(1024 * 1024);
    assert.equal(Buffer.compare(await echoRoundTrip(socket, payload), payload), 0);
  });

  it('carries 1 MB both ways over a TLS ModemSocket in direct link mode, then takes commands again', async () => {
    // A short escape guard time (S12 in fiftieths of a second) keeps the +++ close quick.
    await modem.client.send('ATS12=5');
    const socket = await modem.connect({ host: 'broker.lab', port: echoPort, tls: { profile: 1 }, directLink: true });
    const payload = randomBytes(1024 * 1024);
    const echoed = await echoRoundTrip(socket, payload);
    const firstDiff = echoed.findIndex((b, i) => b !== payload[i]);
    assert.equal(Buffer.compare(echoed, payload), 0, `${echoed.length} bytes back, first difference at ${firstDiff}`);
    // +++ brought the link back to command mode and the socket was closed.
    const r = await modem.client.send('AT+USOCTL=0,0').catch((e: Error) => e);
    assert.ok(r instanceof Error, 'socket 0 is gone');
    assert.equal((await modem.client.send('AT')).final, 'OK');
    await modem.client.send('ATS12=50');
  });

  it('ends a direct link ModemSocket when the peer closes (NO CARRIER)', async () => {
    const server = createNetServer((s) => s.end('bye\r\n'));
    const port = await listen(server);
    try {
      const socket = await modem.connect({ host: '127.0.0.1', port, directLink: true });
      let text = '';
      for await (const chunk of socket) text += (chunk as Buffer).toString();
      assert.equal(text, 'bye\r\n');
      assert.equal((await modem.client.send('AT')).final, 'OK');
    } finally {
      server.close();
    }
  });

  it('rejects a server the profile does not trust', async () => {
    await modem.securityProfiles.configure(2, { validation: 1, rootCa: 'ubx_digicert_global_root_ca' });
    await assert.rejects(modem.connect({ host: 'broker.lab', port: echoPort, tls: { profile: 2 } }));
  });

  it('runs https.request over a ModemSocket (inline TLS material)', async () => {
    const server = createHttpsServer({ key: pki.key, cert: pki.cert }, (req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(`hello ${req.url}`);
    });
    const port = await listen(server);
    try {
      const socket = await modem.connect({ host: 'broker.lab', port, tls: { ca: pki.ca, servername: 'broker.lab', validation: 2 } });
      const body = await new Promise<string>((resolve, reject) => {
        const req = request({ host: 'broker.lab', port, path: '/modem', createConnection: () => socket as unknown as import('node:net').Socket }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(body, 'hello /modem');
    } finally {
      server.close();
    }
  });

  it('mqtt.js publishes over a TLS ModemSocket to a broker on loopback', async () => {
    const broker = await Aedes.createBroker();
    const server = createTlsServer({ key: pki.key, cert: pki.cert }, broker.handle as never);
    const port = await listen(server);
    const subscriber = mqtt.connect(`mqtts://127.0.0.1:${port}`, { ca: pki.ca, servername: 'broker.lab' });
    try {
      await new Promise<void>((r) => subscriber.on('connect', () => r()));
      await subscriber.subscribeAsync('lab/modem');
      const got = new Promise<string>((resolve) => subscriber.on('message', (_t, m) => resolve(m.toString())));
      const socket = await modem.connect({ host: 'broker.lab', port, tls: { profile: 1 } });
      // mqtt.js takes any Duplex through its stream builder: the module's socket is one.
      const publisher = new mqtt.MqttClient(() => socket as never, { reconnectPeriod: 0, protocolVersion: 4 });
      await new Promise<void>((r, j) => {
        publisher.on('connect', () => r());
        publisher.on('error', j);
      });
      await publisher.publishAsync('lab/modem', 'published through a cellular module');
      assert.equal(await got, 'published through a cellular module');
      await publisher.endAsync();
    } finally {
      await subscriber.endAsync();
      server.close();
      broker.close();
    }
  });

  it('exchanges UDP datagrams', async () => {
    const peer = createSocket('udp4');
    await new Promise<void>((r) => peer.bind(0, '127.0.0.1', r));
    peer.on('message', (m, rinfo) => peer.send(Buffer.concat([Buffer.from('echo:'), m]), rinfo.port, rinfo.address));
    const udp = await modem.udp();
    try {
      const reply = new Promise<Buffer>((resolve) => udp.once('message', (m) => resolve(m)));
      await udp.send(Buffer.from([0, 1, 2, 255, 34, 44]), peer.address().port, '127.0.0.1');
      assert.deepEqual(await reply, Buffer.concat([Buffer.from('echo:'), Buffer.from([0, 1, 2, 255, 34, 44])]));
    } finally {
      await udp.close();
      peer.close();
    }
  });

  it('sees the remote close as the end of the stream', async () => {
    const server = createNetServer((s) => s.end('bye'));
    const port = await listen(server);
    try {
      const socket = await modem.connect({ host: '127.0.0.1', port });
      let text = '';
      for await (const chunk of socket) text += (chunk as Buffer).toString();
      assert.equal(text, 'bye');
    } finally {
      server.close();
    }
  });
});
