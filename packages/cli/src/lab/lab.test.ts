import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadModuleApi } from '../module-api.js';
import { LAB_PEERS, labRoutes, startLab } from './lab.js';

test('labRoutes: each started peer gets its name and its well-known port forwarded to where it listens', () => {
  assert.deepEqual(labRoutes({ 'tls-echo': 40001, https: 40002, coap: 40003 }), {
    hosts: { 'echo.lab': '127.0.77.1', 'www.lab': '127.0.77.2', 'coap.lab': '127.0.77.5' },
    // CoAP is UDP: the module's CoAP client takes the same forwards.
    forwards: { '127.0.77.1:4433': '127.0.0.1:40001', '127.0.77.2:443': '127.0.0.1:40002', '127.0.77.5:5683': '127.0.0.1:40003' },
  });
  assert.deepEqual(labRoutes({}), { hosts: {}, forwards: {} });
});

test('modemlab lab: prints the CA, every peer, the module and its console; the CA verifies the peers; close frees every port', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-lab-'));
  const lines: string[] = [];
  const lab = await startLab(await loadModuleApi(), { model: 'sara-r5', tcp: { host: '127.0.0.1', port: 0 }, count: 1, state: path.join(dir, 'state'), console: { host: '127.0.0.1', port: 0 } }, (l) => lines.push(l));
  let closed = false;
  try {
    assert.equal(lines[0], `modemlab: lab CA ${path.join(dir, 'state', 'lab', 'ca.pem')}`);
    assert.equal(fs.readFileSync(path.join(dir, 'state', 'lab', 'ca.pem'), 'utf8'), lab.pki.caPem);
    const started = LAB_PEERS.filter((p) => lab.ports[p.id] !== undefined);
    assert.ok(started.length >= 3, 'the echoes and HTTPS always start');
    assert.deepEqual(
      lines.slice(1, 1 + started.length),
      started.map((p) => `modemlab: lab ${p.what} at ${p.host}:${p.port} (${p.ip}, really 127.0.0.1:${lab.ports[p.id]})`),
    );
    assert.match(lines[1 + started.length]!, /^modemlab: sara-r5 listening on tcp:\/\/127\.0\.0\.1:\d+$/);
    // The console (on by default in `modemlab lab`) lists the lab's module.
    const consoleUrl = /^modemlab: lab console on (http:\/\/127\.0\.0\.1:(\d+))\/$/.exec(lines[2 + started.length]!);
    assert.ok(consoleUrl, `console line: ${lines[2 + started.length]}`);
    assert.deepEqual(await (await fetch(`${consoleUrl[1]}/api/modules`)).json(), [{ name: 'sara-r5-0', model: 'sara-r5' }]);
    // The TLS echo's certificate chains to the lab CA under its lab name.
    const { connect } = await import('node:tls');
    const echoed = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: lab.ports['tls-echo']!, servername: 'echo.lab', ca: lab.pki.caPem }, () => s.write('ping'));
      s.once('data', (d) => (resolve(d.toString()), s.destroy()));
      s.once('error', reject);
    });
    assert.equal(echoed, 'ping');
    await lab.close();
    closed = true;
    for (const [id, port] of [...Object.entries(lab.ports), ['console', Number(consoleUrl[2])] as const]) {
      if (id === 'coap') continue; // UDP: nothing to refuse
      const err = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
        const s = net.connect(port!, '127.0.0.1', () => (s.destroy(), resolve(undefined)));
        s.once('error', resolve);
      });
      assert.equal(err?.code, 'ECONNREFUSED', `port ${port} still open after close`);
    }
  } finally {
    if (!closed) await lab.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('modemlab lab: the FTPS peer takes AUTH TLS with the lab CA and the lab account', async () => {
  const { Client } = await import('basic-ftp');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-lab-ftp-'));
  const lab = await startLab(await loadModuleApi(), { model: 'sara-r5', tcp: { host: '127.0.0.1', port: 0 }, count: 1, state: path.join(dir, 'state'), skip: ['coap'] }, () => {});
  const client = new Client();
  try {
    assert.ok(lab.ports.ftps, 'ftp-srv is installed in this repository');
    fs.writeFileSync(path.join(dir, 'state', 'lab', 'ftp', 'hello.txt'), 'hello over FTPS\n');
    await client.access({ host: '127.0.0.1', port: lab.ports.ftps, user: 'lab', password: 'lab', secure: true, secureOptions: { ca: lab.pki.caPem, servername: 'ftp.lab' } });
    assert.deepEqual((await client.list()).map((f) => f.name), ['hello.txt']);
  } finally {
    client.close();
    await lab.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('modemlab lab: listed by --help, its usage errors exit 2 before anything starts', async () => {
  const { main } = await import('../program.js');
  let out = '';
  const sink = { out: (t: string) => void (out += t), err: () => {} };
  assert.equal(await main(['node', 'modemlab', '--help'], sink), 0);
  assert.match(out, /^\s+lab \[options\]\s+start a lab/m);
  assert.equal(await main(['node', 'modemlab', 'lab', '--tcp', 'nope'], sink), 2);
  assert.equal(await main(['node', 'modemlab', 'lab', '--count', '0'], sink), 2);
});
