import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(root, 'packages/cli/bin/modemlab.js');
const run = promisify(execFile);

function post(url: string, ca: string, p: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(new URL(p, url), { method: data ? 'POST' : 'GET', ca, headers: data ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

test('modemlab cloud: prints its line, serves /health over HTTPS trusted by <state>/ca.pem, takes accounts from `cloud account add`, exits 0 on SIGTERM', { timeout: 120_000 }, async () => {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-cloud-e2e-'));
  try {
    const migrated = await run(process.execPath, [bin, 'cloud', 'migrate', '--state', state], { cwd: root });
    assert.match(migrated.stdout, /^modemlab: cloud store migrated \(1, 2(, \d+)*\)\n$/);
    assert.equal((await run(process.execPath, [bin, 'cloud', 'migrate', '--state', state], { cwd: root })).stdout, 'modemlab: cloud store up to date\n');

    const child = spawn(process.execPath, [bin, 'cloud', '--listen', '127.0.0.1:0', '--state', state], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = once(child, 'exit');
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) resolve(out);
        });
        child.once('exit', (code) => reject(new Error(`cloud exited ${code}: ${stderr}`)));
      });
      const m = /^modemlab: cloud listening on (https:\/\/127\.0\.0\.1:(\d+))\n$/.exec(url);
      assert.ok(m, JSON.stringify(url));
      const base = m[1]!;
      const ca = fs.readFileSync(path.join(state, 'ca.pem'), 'utf8');
      assert.deepEqual(await post(base, ca, '/health', undefined), { status: 200, body: { Status: 'OK' } });
      assert.equal(fs.statSync(path.join(state, 'cloud.key')).mode & 0o777, 0o600);
      assert.equal(fs.statSync(path.join(state, 'ca-key.pem')).mode & 0o777, 0o600);

      const added = await run(process.execPath, [bin, 'cloud', 'account', 'add', 'acme', '--state', state], { cwd: root });
      assert.match(added.stdout, /^\{"APIKey":"[0-9a-f-]{36}","APISecret":"[A-Za-z0-9_-]{32}"\}\n$/);
      const auth = await post(base, ca, '/v1/authenticate', JSON.parse(added.stdout));
      assert.equal(auth.status, 200);
      assert.equal(typeof auth.body.AuthToken, 'string');

      const rot = await run(process.execPath, [bin, 'cloud', 'factory', 'add', '--rot-uid', '0a04f008003c9623', '--chip-id', 'C1', '--state', state], { cwd: root });
      const reg = JSON.parse(rot.stdout) as { ChipID: string; ROTPublicUID: string; RootSecret: string };
      assert.equal(reg.ROTPublicUID, '0A04F008003C9623');
      assert.match(reg.RootSecret, /^[0-9a-f]{64}$/);
      const again = await run(process.execPath, [bin, 'cloud', 'factory', 'add', '--rot-uid', '0A04F008003C9623', '--state', state], { cwd: root }).then(() => 0, (e: { code: number; stderr: string }) => (assert.match(e.stderr, /already registered/), e.code));
      assert.equal(again, 1);

      child.kill('SIGTERM');
      const [code] = await exited;
      assert.equal(code, 0, stderr);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  } finally {
    fs.rmSync(state, { recursive: true, force: true });
  }
});

test('modemlab cloud openapi prints the document committed at docs/cloud-openapi.json', { timeout: 60_000 }, async () => {
  const { stdout } = await run(process.execPath, [bin, 'cloud', 'openapi'], { cwd: root });
  const doc = JSON.parse(stdout) as { openapi: string; paths: Record<string, unknown> };
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(doc.paths['/v1/authenticate']);
  assert.equal(stdout, fs.readFileSync(path.join(root, 'docs/cloud-openapi.json'), 'utf8'));
});
