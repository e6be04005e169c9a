import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import pg from 'pg';
import { startPostgres } from './postgres.js';

async function queryOne(url: string, sql: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows[0];
  } finally {
    await client.end();
  }
}

async function refused(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.end();
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  }
}

describe('startPostgres', () => {
  it('serves a fresh cluster on loopback, creates databases, and stop() removes everything', async () => {
    const server = await startPostgres();
    try {
      assert.match(server.url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
      assert.ok(existsSync(`${server.dir}/sock/.s.PGSQL.${server.port}`), 'unix socket lives in the temp dir');
      assert.deepEqual(await queryOne(server.url, 'SELECT 1 AS one'), { one: 1 });
      const db = await server.createDatabase('suite_one');
      assert.deepEqual(await queryOne(db, 'SELECT current_database() AS name'), { name: 'suite_one' });
      await assert.rejects(server.createDatabase('bad name; DROP'), /invalid database name/);
    } finally {
      await server.stop();
    }
    assert.equal(existsSync(server.dir), false);
    assert.equal(await refused(server.url), true);
    await server.stop(); // idempotent
  });

  it('two servers run side by side on their own ports', async () => {
    const [a, b] = await Promise.all([startPostgres(), startPostgres()]);
    try {
      assert.notEqual(a.port, b.port);
      await queryOne(a.url, 'CREATE TABLE only_in_a (x int)');
      assert.deepEqual(await queryOne(b.url, "SELECT to_regclass('only_in_a') AS t"), { t: null });
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('stops the server and removes its dir when the owning process is killed', async () => {
    const script = `
      import { startPostgres } from ${JSON.stringify(new URL('./postgres.ts', import.meta.url).href)};
      const s = await startPostgres();
      process.stdout.write(JSON.stringify({ url: s.url, dir: s.dir }) + '\\n');
      setInterval(() => {}, 1 << 30); // stay alive until killed
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    const { url, dir } = JSON.parse(first) as { url: string; dir: string };
    assert.deepEqual(await queryOne(url, 'SELECT 2 AS two'), { two: 2 });
    // The supervisor holds the child's stdout until it has shut the server down and removed
    // the dir, so the end of that stream is the signal that cleanup finished.
    const closed = new Promise<void>((resolve) => child.stdout.once('close', () => resolve()));
    lines.on('line', () => {});
    child.kill('SIGKILL');
    await closed;
    assert.equal(existsSync(dir), false);
    assert.equal(await refused(url), true);
  });
});
