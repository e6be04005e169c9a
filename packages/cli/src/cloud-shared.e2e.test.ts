import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { findPostgresBinDir, startPostgres } from '../../cloud/src/testing/postgres.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(root, 'packages/cli/bin/modemlab.js');
const run = promisify(execFile);
const skip = (() => {
  try {
    findPostgresBinDir();
    return false;
  } catch {
    return 'PostgreSQL binaries not installed';
  }
})();

function call(url: string, ca: string, p: string, body: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = https.request(new URL(p, url), { method: 'POST', ca, headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function serve(args: string[]): Promise<{ child: ChildProcess; url: string; exited: Promise<unknown[]> }> {
  const child = spawn(process.execPath, [bin, 'cloud', '--listen', '127.0.0.1:0', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = once(child, 'exit');
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /^modemlab: cloud listening on (https:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`cloud exited ${code}: ${stderr}`)));
  });
  return { child, url, exited };
}

test('two `modemlab cloud` processes on one PostgreSQL: an account added once, a token from one accepted by the other', { skip, timeout: 180_000 }, async () => {
  const pg = await startPostgres();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-cloud-shared-'));
  const procs: ChildProcess[] = [];
  try {
    const db = await pg.createDatabase('cloud');
    const keyFile = path.join(dir, 'shared.key');
    // Both started at once: they race on the migrations and on the JWT signing key.
    const [a, b] = await Promise.all([
      serve(['--db', db, '--state', path.join(dir, 'a'), '--key-file', keyFile]),
      serve(['--db', db, '--state', path.join(dir, 'b'), '--key-file', keyFile]),
    ]);
    procs.push(a.child, b.child);
    const caA = fs.readFileSync(path.join(dir, 'a', 'ca.pem'), 'utf8');
    const caB = fs.readFileSync(path.join(dir, 'b', 'ca.pem'), 'utf8');
    const added = await run(process.execPath, [bin, 'cloud', 'account', 'add', 'acme', '--db', db], { cwd: root });
    const creds = JSON.parse(added.stdout) as { APIKey: string; APISecret: string };
    const auth = await call(a.url, caA, '/v1/authenticate', creds);
    assert.equal(auth.status, 200);
    const token = String(auth.body.AuthToken);
    const profile = await call(b.url, caB, '/v1/deviceprofile/create', { Name: 'fleet' }, token);
    assert.equal(profile.status, 200);
    const got = await call(a.url, caA, '/v1/deviceprofile/get', { DeviceProfileUID: profile.body.DeviceProfileUID }, token);
    assert.equal(got.body.Name, 'fleet');
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    assert.deepEqual((await Promise.all([a.exited, b.exited])).map(([code]) => code), [0, 0]);
  } finally {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    await pg.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
