/**
 * `npm run bench` (second part): a secure socket through the virtual module beside raw
 * node:tls on loopback, same run, same server: bytes/s echoed through one TLS ModemSocket
 * (binary +USOWR / +USORD, and direct link +USODL) and TLS handshakes/s. Ratios are module / raw.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { connect as tlsConnect, createServer } from 'node:tls';
import { connectInProcess } from '../packages/module/src/transports/in-process.js';
import { VirtualModule } from '../packages/module/src/module.js';
import { AtClient } from '../packages/sdk/src/at-client.js';
import { UbloxModem } from '../packages/sdk/src/drivers/ublox.js';

const PAYLOAD = 512 * 1024;
const HANDSHAKES = 20;

/** Writes `payload` and resolves once the echo came back whole; returns elapsed ms. */
async function echoTime(stream: Duplex, payload: Buffer): Promise<number> {
  const start = performance.now();
  let got = 0;
  const done = new Promise<void>((resolve, reject) => {
    stream.on('data', (c: Buffer) => {
      got += c.length;
      if (got >= payload.length) resolve();
    });
    stream.on('error', reject);
  });
  stream.write(payload);
  await done;
  return performance.now() - start;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-bench-tls-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '2', '-subj', '/CN=localhost');
  const cert = readFileSync(join(dir, 'c.pem'), 'utf8');
  const server = createServer({ key: readFileSync(join(dir, 'k.pem')), cert }, (s) => {
    s.on('error', () => {});
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  const module = await VirtualModule.create({ model: 'sara-r5', stateDir: join(dir, 'state'), network: { registrationDelayMs: 50 }, log: () => {} });
  const modem = new UbloxModem(new AtClient(connectInProcess(module)));
  await modem.init();
  await modem.attach({ apn: 'internet', timeoutMs: 10_000 });
  await modem.certificates.import('ca', 'benchCA', cert);
  await modem.securityProfiles.configure(0, { validation: 1, rootCa: 'benchCA' });

  const payload = randomBytes(PAYLOAD);
  const raw = tlsConnect({ port, host: '127.0.0.1', ca: cert, servername: 'localhost' });
  await new Promise((r) => raw.once('secureConnect', r));
  const rawMs = await echoTime(raw, payload);
  raw.destroy();
  const secure = await modem.connect({ host: '127.0.0.1', port, tls: { profile: 0 } });
  const moduleMs = await echoTime(secure, payload);
  secure.destroy();
  // Direct link (+USODL): the AT link carries the socket's bytes; closing needs the +++ guard times.
  await modem.client.send('ATS12=5');
  const direct = await modem.connect({ host: '127.0.0.1', port, tls: { profile: 0 }, directLink: true });
  const directMs = await echoTime(direct, payload);
  await new Promise<void>((r) => direct.end(r));

  let start = performance.now();
  for (let i = 0; i < HANDSHAKES; i++) {
    const s = tlsConnect({ port, host: '127.0.0.1', ca: cert, servername: 'localhost' });
    await new Promise((r) => s.once('secureConnect', r));
    s.destroy();
  }
  const rawHs = HANDSHAKES / ((performance.now() - start) / 1000);
  start = performance.now();
  for (let i = 0; i < HANDSHAKES; i++) {
    const s = await modem.connect({ host: '127.0.0.1', port, tls: { profile: 0 } });
    await new Promise<void>((r) => s.end(r));
  }
  const moduleHs = HANDSHAKES / ((performance.now() - start) / 1000);

  const mbps = (ms: number) => ((2 * PAYLOAD) / (ms / 1000) / 1e6).toFixed(2);
  console.log('\nsecure socket (TLS echo on loopback, in-process AT link)');
  console.log(`  binary mode (+USOWR/+USORD, 1 KiB per command)  module ${mbps(moduleMs)} MB/s   raw node:tls ${mbps(rawMs)} MB/s   ratio ${(rawMs / moduleMs).toFixed(3)}`);
  console.log(`  direct link (+USODL)                            module ${mbps(directMs)} MB/s   raw node:tls ${mbps(rawMs)} MB/s   ratio ${(rawMs / directMs).toFixed(3)}`);
  console.log(`  handshakes  module ${moduleHs.toFixed(1)}/s   raw node:tls ${rawHs.toFixed(1)}/s   ratio ${(moduleHs / rawHs).toFixed(3)}`);
  const verdict = (ms: number) => (rawMs / ms >= 0.5 ? 'holds' : 'not reached');
  console.log(`  aim, at least half of raw node:tls throughput: binary mode ${verdict(moduleMs)}, direct link ${verdict(directMs)}`);

  await modem.close();
  await module.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
