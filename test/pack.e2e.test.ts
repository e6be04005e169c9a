/**
 * The packages as a user gets them: `npm run pack`'s tarballs of @modemlab/at, module, sdk and
 * cli installed into an empty folder outside the repository (npm's cache first, the
 * registry only for what it lacks), then `modemlab serve` started from that folder and an SDK
 * script, also run from there, talking to it through a real TCP socket to a real echo server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { pack } from '../scripts/pack.js';

const run = promisify(execFile);

/** The SDK script a user would write (plain JavaScript: no tsx, no TypeScript in the install). */
const SDK_SCRIPT = `
import { openModem } from '@modemlab/sdk';
const [port, echoPort] = process.argv.slice(2).map(Number);
const modem = await openModem({ url: 'tcp://127.0.0.1:' + port });
try {
  const id = await modem.identify();
  await modem.attach({ apn: 'internet' });
  const socket = await modem.connect({ host: '127.0.0.1', port: echoPort });
  socket.write('ping over the module');
  let echoed = '';
  for await (const chunk of socket) {
    echoed += chunk.toString();
    if (echoed.length >= 20) break;
  }
  socket.destroy();
  console.log(JSON.stringify({ model: id.model, echoed }));
} finally {
  await modem.close();
}
`;

/** The relative docs/ pages a README links to (anchors dropped). */
function readmeDocLinks(readme: string): string[] {
  return [...new Set([...fs.readFileSync(readme, 'utf8').matchAll(/\]\((docs\/[^)#]+)/g)].map((m) => m[1]!))];
}

test('tarballs install into an empty folder; modemlab serve and an SDK script run from there', { timeout: 600_000 }, async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-pack-'));
  const echo = net.createServer((s) => s.pipe(s));
  let serve: ReturnType<typeof spawn> | undefined;
  try {
    const tarballs = pack(path.join(work, 'tarballs'), ['at', 'module', 'sdk', 'cli']);
    assert.equal(tarballs.length, 4);
    const app = path.join(work, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'modemlab-user', private: true, type: 'module' }));
    await run('npm', ['install', ...tarballs, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app });

    // TCP users never need the native serial port build: it is an optional peer.
    assert.equal(fs.existsSync(path.join(app, 'node_modules/serialport')), false);
    // Nothing in the install is TypeScript: the packages run from their dist/ as plain JavaScript.
    for (const name of ['at', 'module', 'sdk', 'cli']) {
      const manifest = JSON.parse(fs.readFileSync(path.join(app, 'node_modules/@modemlab', name, 'package.json'), 'utf8'));
      assert.equal(manifest.exports['.'].default, './dist/index.js');
      assert.ok(fs.existsSync(path.join(app, 'node_modules/@modemlab', name, 'dist/index.d.ts')), `${name} ships declarations`);
      assert.equal(manifest.license, 'MIT');
      // The repository's README ships with the pages it links to, so its links work installed.
      for (const link of readmeDocLinks(path.join(app, 'node_modules/@modemlab', name, 'README.md')))
        assert.ok(fs.existsSync(path.join(app, 'node_modules/@modemlab', name, link)), `${name}: README links ${link}`);
    }

    // The bin is the bundle (scripts/bundle-cli.ts: start time), its chunks beside it.
    assert.equal(JSON.parse(fs.readFileSync(path.join(app, 'node_modules/@modemlab/cli/package.json'), 'utf8')).bin.modemlab, './dist/bin/main.js');
    const bin = path.join(app, 'node_modules/.bin/modemlab');
    const { stdout: version } = await run(bin, ['--version'], { cwd: app });
    assert.equal(version.trim(), JSON.parse(fs.readFileSync(new URL('../packages/cli/package.json', import.meta.url), 'utf8')).version);

    echo.listen(0, '127.0.0.1');
    await once(echo, 'listening');
    const echoPort = (echo.address() as net.AddressInfo).port;

    serve = spawn(bin, ['serve', '--tcp', '127.0.0.1:0', '--console', '127.0.0.1:0', '--state', path.join(work, 'state'), '--log-level', 'warn'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    let consoleUrl = '';
    let stderr = '';
    serve.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      serve!.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /modemlab: sara-r5 listening on tcp:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        const lab = /modemlab: lab console on (http:\/\/\S+)/.exec(out);
        if (m && lab) {
          consoleUrl = lab[1]!;
          resolve(Number(m[1]));
        }
      });
      serve!.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    });

    fs.writeFileSync(path.join(app, 'script.mjs'), SDK_SCRIPT);
    const { stdout } = await run(process.execPath, ['script.mjs', String(port), String(echoPort)], { cwd: app });
    assert.deepEqual(JSON.parse(stdout.trim()), { model: 'SARA-R510M8S', echoed: 'ping over the module' });
    // The lab console's page ships in the package (console-ui/) and is served from there.
    for (const file of ['', 'app.js', 'style.css']) assert.equal((await fetch(`${consoleUrl}${file}`)).status, 200, `console ${file}`);
    assert.deepEqual(await (await fetch(`${consoleUrl}api/modules`)).json(), [{ name: 'sara-r5-0', model: 'sara-r5' }]);

    const exited = once(serve, 'exit');
    serve.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0, stderr);
  } finally {
    if (serve && serve.exitCode === null) serve.kill('SIGKILL');
    echo.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
});
