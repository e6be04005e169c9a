import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AtClient, CloudClient, CmeError, connectTcp, UbloxModem } from '@modemlab/sdk';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'packages/cli/bin/modemlab.js');
const run = promisify(execFile);

/** A `modemlab` process; resolves once its stdout has lines matching every pattern (in any order). */
async function startProcess(args: string[], patterns: RegExp[]): Promise<{ child: ChildProcess; out: () => string; matches: RegExpExecArray[] }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const matches = await new Promise<RegExpExecArray[]>((resolve, reject) => {
    const check = () => {
      const found = patterns.map((p) => p.exec(out));
      if (found.every((m) => m)) resolve(found as RegExpExecArray[]);
    };
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      check();
    });
    child.once('exit', (code) => reject(new Error(`modemlab ${args[0]} exited ${code}: ${out}${err}`)));
  });
  return { child, out: () => out, matches };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

async function modemAt(port: string): Promise<{ modem: UbloxModem; client: AtClient }> {
  const client = new AtClient(await connectTcp(`tcp://127.0.0.1:${port}`));
  const modem = new UbloxModem(client);
  await modem.init();
  await client.send('AT+CMEE=1');
  return { modem, client };
}

const features = (stateDir: string): string[] =>
  (JSON.parse(fs.readFileSync(path.join(stateDir, 'security-state.json'), 'utf8')) as { features: string[] }).features.sort();

describe('end to end: modemlab cloud + modemlab serve --cloud + the SDK', { timeout: 180_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-sec-e2e-'));
  const cloudState = path.join(dir, 'cloud');
  const moduleState = path.join(dir, 'modules');
  const cloneState = path.join(dir, 'clone');
  const children: ChildProcess[] = [];
  const clients: AtClient[] = [];
  let url = '';
  let ca = '';
  let factoryKey = '';
  let backend: CloudClient;

  before(async () => {
    const cloud = await startProcess(['cloud', '--listen', '127.0.0.1:0', '--state', cloudState], [/^modemlab: cloud listening on (https:\/\/127\.0\.0\.1:\d+)$/m]);
    children.push(cloud.child);
    url = cloud.matches[0]![1]!;
    ca = fs.readFileSync(path.join(cloudState, 'ca.pem'), 'utf8');
    const factory = JSON.parse((await run(process.execPath, [bin, 'cloud', 'account', 'add', 'fab', '--factory', '--state', cloudState], { cwd: root })).stdout) as { APIKey: string; APISecret: string };
    factoryKey = `${factory.APIKey}:${factory.APISecret}`;
    const acme = JSON.parse((await run(process.execPath, [bin, 'cloud', 'account', 'add', 'acme', '--state', cloudState], { cwd: root })).stdout) as { APIKey: string; APISecret: string };
    backend = new CloudClient({ cloudUrl: url, apiKey: acme.APIKey, apiSecret: acme.APISecret, ca });
  });

  after(async () => {
    backend?.close();
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await Promise.all(children.map(stop));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serve registers the root of trust; the SDK sees bootstrap, seals, heartbeats, features arrive; a copied state folder (a clone) is refused', async () => {
    const serve = await startProcess(
      ['serve', '--tcp', '127.0.0.1:0', '--state', moduleState, '--cloud', url, '--cloud-ca', path.join(cloudState, 'ca.pem'), '--cloud-factory-key', factoryKey],
      [/^modemlab: root of trust ([0-9A-F]{16}) registered with https:/m, /^modemlab: sara-r5 listening on tcp:\/\/127\.0\.0\.1:(\d+)$/m],
    );
    children.push(serve.child);
    const rotUid = serve.matches[0]![1]!;
    const { modem, client } = await modemAt(serve.matches[1]![1]!);
    clients.push(client);

    assert.equal(await modem.security.rotUid(), rotUid);
    assert.match(await modem.security.chipId(), /^[0-9A-F]{16}$/);
    // Bootstrap happens at first connectivity, through the module's own data path.
    await modem.attach({ apn: 'internet' });
    assert.equal(await modem.security.isBootstrapped(), true);
    assert.equal(await modem.security.isSealed(), false);

    const profile = await backend.createDeviceProfile({ name: 'e2e', features: ['PSK', 'E2E'], whitelist: false });
    assert.equal(await modem.security.seal(profile, '356726100000001'), true);
    const stateDir = path.join(moduleState, 'sara-r5-0');
    assert.deepEqual(features(stateDir), ['E2E', 'PSK']);

    // Copy the sealed module before its first heartbeat: the same root of trust twice.
    fs.cpSync(stateDir, path.join(cloneState, 'sara-r5-0'), { recursive: true });

    await backend.setDeviceFeatures(rotUid, { LocalDataProtection: true });
    await modem.security.heartbeat();
    assert.deepEqual(features(stateDir), ['E2E', 'LocalDataProtection', 'PSK']);
    // SARA-R5: one heartbeat a day at most.
    await assert.rejects(modem.security.heartbeat(), (e: unknown) => e instanceof CmeError && e.code === 3);

    const clone = await startProcess(
      ['serve', '--tcp', '127.0.0.1:0', '--state', cloneState, '--cloud', url, '--cloud-ca', path.join(cloudState, 'ca.pem'), '--cloud-factory-key', factoryKey],
      [/^modemlab: root of trust ([0-9A-F]{16}) already registered with https:/m, /^modemlab: sara-r5 listening on tcp:\/\/127\.0\.0\.1:(\d+)$/m],
    );
    children.push(clone.child);
    assert.equal(clone.matches[0]![1], rotUid);
    const cloned = await modemAt(clone.matches[1]![1]!);
    clients.push(cloned.client);
    await cloned.modem.attach({ apn: 'internet' });
    assert.equal(await cloned.modem.security.isSealed(), true, 'what was copied');
    await assert.rejects(cloned.modem.security.heartbeat(), (e: unknown) => e instanceof CmeError && e.code === 3);
    assert.deepEqual(features(path.join(cloneState, 'sara-r5-0')), []);
    const device = await backend.call<{ Cloned: boolean; Features: Record<string, boolean> }>('/v1/device/get', { ROTPublicUID: rotUid });
    assert.equal(device.Cloned, true);
    assert.equal(Object.values(device.Features).some((v) => v), false);
  });

  it('rot export prints what cloud factory add takes; rot register registers a cloud started later', async () => {
    const later = path.join(dir, 'later');
    const exported = await run(process.execPath, [bin, 'rot', 'export', '--state', later, '-n', '2'], { cwd: root });
    const lines = exported.stdout.trim().split('\n').map((l) => JSON.parse(l) as { ChipID: string; ROTPublicUID: string; RootSecret: string });
    assert.equal(lines.length, 2);
    for (const l of lines) {
      assert.match(l.ROTPublicUID, /^[0-9A-F]{16}$/);
      assert.match(l.RootSecret, /^[0-9a-f]{64}$/);
    }
    // Stable: the root of trust was created once.
    assert.equal((await run(process.execPath, [bin, 'rot', 'export', '--state', later, '-n', '2'], { cwd: root })).stdout, exported.stdout);
    const first = lines[0]!;
    const added = await run(process.execPath, [bin, 'cloud', 'factory', 'add', '--state', cloudState, '--rot-uid', first.ROTPublicUID, '--chip-id', first.ChipID, '--secret', first.RootSecret], { cwd: root });
    assert.deepEqual(JSON.parse(added.stdout), first);
    const registered = await run(process.execPath, [bin, 'rot', 'register', '--state', later, '-n', '2', '--cloud', url, '--cloud-ca', path.join(cloudState, 'ca.pem'), '--cloud-factory-key', factoryKey], { cwd: root });
    assert.equal(
      registered.stdout,
      `modemlab: root of trust ${first.ROTPublicUID} already registered with ${url}\nmodemlab: root of trust ${lines[1]!.ROTPublicUID} registered with ${url}\n`,
    );
    // Without a factory account: refused.
    await assert.rejects(
      run(process.execPath, [bin, 'rot', 'register', '--state', later, '--cloud', url, '--cloud-ca', path.join(cloudState, 'ca.pem'), '--cloud-factory-key', 'nope:nope'], { cwd: root }),
      (e: { code: number; stderr: string }) => e.code === 1 && /registering root of trust/.test(e.stderr),
    );
  });
});
