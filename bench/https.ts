/**
 * `npm run bench` (third part): an HTTPS GET of a 1 MB body through the virtual module
 * (AT over the in-process link: +UHTTPC, the module's TLS client, the response streamed to
 * its file system, then the file read back with +URDBLOCK) beside node:https GETting the
 * same page from the same loopback server, same run. The ratio is module / node:https.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectInProcess } from '../packages/module/src/transports/in-process.js';
import { VirtualModule } from '../packages/module/src/module.js';
import { startHttpServer } from '../packages/module/src/testing/http-server.js';
import { makeServerPki } from '../packages/module/src/testing/server-pki.js';
import { AtClient } from '../packages/sdk/src/at-client.js';
import { UbloxModem } from '../packages/sdk/src/drivers/ublox.js';

const BODY = 1024 * 1024;
const ROUNDS = 5;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-bench-https-'));
  const pki = makeServerPki({ serverName: 'bench.test' });
  const body = randomBytes(BODY);
  const server = await startHttpServer((_req, res) => res.end(body), { key: pki.serverKey, cert: pki.serverCert });

  const module = await VirtualModule.create({
    model: 'sara-r5',
    stateDir: join(dir, 'state'),
    hosts: { 'bench.test': '127.0.0.1' },
    network: { registrationDelayMs: 50 },
    log: () => {},
  });
  const modem = new UbloxModem(new AtClient(connectInProcess(module)));
  try {
    await modem.init();
    await modem.attach({ apn: 'internet', timeoutMs: 10_000 });
    await modem.certificates.import('ca', 'benchCA', pki.caPem);
    await modem.securityProfiles.configure(0, { validation: 1, rootCa: 'benchCA' });
    await modem.http.configure(0, { host: 'bench.test', port: server.port, secure: { profile: 0 } });

    const viaModule = async (): Promise<{ ms: number; requestMs: number }> => {
      const start = performance.now();
      const res = await modem.http.request({ method: 'GET', path: '/' });
      const requestMs = performance.now() - start;
      let got = 0;
      for await (const c of res.body) got += (c as Buffer).length;
      if (got !== BODY) throw new Error(`module: ${got} bytes`);
      return { ms: performance.now() - start, requestMs };
    };
    const direct = (): Promise<number> =>
      new Promise((resolve, reject) => {
        const start = performance.now();
        get({ host: '127.0.0.1', port: server.port, path: '/', ca: pki.caPem, servername: 'bench.test', agent: false }, (res) => {
          let got = 0;
          res.on('data', (c: Buffer) => (got += c.length));
          res.on('end', () => (got === BODY ? resolve(performance.now() - start) : reject(new Error(`node:https: ${got} bytes`))));
          res.on('error', reject);
        }).on('error', reject);
      });

    // Warm-up, then alternate which goes first.
    await viaModule();
    await direct();
    const moduleRuns: number[] = [];
    const requestRuns: number[] = [];
    const directRuns: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      if (i % 2 === 0) directRuns.push(await direct());
      const m = await viaModule();
      moduleRuns.push(m.ms);
      requestRuns.push(m.requestMs);
      if (i % 2 === 1) directRuns.push(await direct());
    }
    const moduleMs = median(moduleRuns);
    const directMs = median(directRuns);
    const mbps = (ms: number) => (BODY / (ms / 1000) / 1e6).toFixed(2);
    console.log('\nHTTPS GET of a 1 MB body (loopback server, in-process AT link, median of ' + ROUNDS + ')');
    console.log(`  module      ${moduleMs.toFixed(1)} ms (${mbps(moduleMs)} MB/s): +UHTTPC to the file ${median(requestRuns).toFixed(1)} ms, +URDBLOCK read-back the rest`);
    console.log(`  node:https  ${directMs.toFixed(1)} ms (${mbps(directMs)} MB/s)`);
    console.log(`  ratio (node:https time / module time) ${(directMs / moduleMs).toFixed(3)}`);
  } finally {
    await modem.close();
    await module.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
