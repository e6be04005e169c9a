import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findPostgresBinDir, startPostgres, type PostgresServer } from '../testing/postgres.js';
import { loadMigrations, migrate } from './migrate.js';
import { PostgresDb } from './postgres.js';
import type { SqlDb } from './sql.js';
import { SqliteDb } from './sqlite.js';

const pgSkip = (() => {
  try {
    findPostgresBinDir();
    return false;
  } catch {
    return 'PostgreSQL binaries not installed';
  }
})();

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`SqlDb [${dialect}]`, { skip: dialect === 'postgres' ? pgSkip : false }, () => {
    let pg: PostgresServer | undefined;
    let dir = '';
    let n = 0;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'modemlab-store-'));
      if (dialect === 'postgres') pg = await startPostgres();
    });
    after(async () => {
      await pg?.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const open = async (): Promise<SqlDb> => (dialect === 'postgres' ? new PostgresDb(await pg!.createDatabase(`store_${++n}`)) : new SqliteDb(join(dir, `s${++n}.db`)));

    it('numbered parameters (repeated, out of order) bind the right values; text that looks like SQL stays data', async () => {
      const db = await open();
      try {
        await db.query('CREATE TABLE t (a TEXT, b BIGINT, c TEXT)');
        await db.query('INSERT INTO t (a, b, c) VALUES ($2, $1, $2)', [1_700_000_000_000, "x'); DROP TABLE t; --"]);
        const { rows } = await db.query<{ a: string; b: number; c: string }>('SELECT a, b, c FROM t WHERE b = $1 AND a = $2', [1_700_000_000_000, "x'); DROP TABLE t; --"]);
        assert.deepEqual(rows, [{ a: "x'); DROP TABLE t; --", b: 1_700_000_000_000, c: "x'); DROP TABLE t; --" }]);
        assert.equal(typeof rows[0]!.b, 'number');
        const upd = await db.query('UPDATE t SET c = $1', ['y']);
        assert.equal(upd.changes, 1);
        const ret = await db.query<{ b: number }>('INSERT INTO t (a, b, c) VALUES ($1, $2, $1) RETURNING b', ['z', 5]);
        assert.deepEqual(ret.rows, [{ b: 5 }]);
      } finally {
        await db.close();
      }
    });

    it('a transaction commits when its body resolves and rolls back when it throws', async () => {
      const db = await open();
      try {
        await db.query('CREATE TABLE t (a TEXT PRIMARY KEY)');
        await db.transaction(async (tx) => {
          await tx.query('INSERT INTO t (a) VALUES ($1)', ['kept']);
        });
        await assert.rejects(
          db.transaction(async (tx) => {
            await tx.query('INSERT INTO t (a) VALUES ($1)', ['dropped']);
            throw new Error('boom');
          }, { exclusive: true }),
          /boom/,
        );
        const { rows } = await db.query<{ a: string }>('SELECT a FROM t ORDER BY a');
        assert.deepEqual(rows, [{ a: 'kept' }]);
      } finally {
        await db.close();
      }
    });

    it('migrate applies every migration once and records it; a second run applies nothing', async () => {
      const db = await open();
      try {
        const first = await migrate(db);
        const all = (await loadMigrations()).map((m) => m.id);
        assert.deepEqual(first, all);
        assert.deepEqual(await migrate(db), []);
        const { rows } = await db.query<{ id: number }>('SELECT id FROM schema_migrations ORDER BY id');
        assert.deepEqual(rows.map((r) => Number(r.id)), all);
      } finally {
        await db.close();
      }
    });
  });
}

describe('migration files', () => {
  it('are found in number order; a file whose id differs from its name, or without `migration`, is an error', async () => {
    const found = await loadMigrations();
    assert.deepEqual(found.slice(0, 2).map((m) => [m.id, m.name]), [[1, 'core'], [2, 'devices']]);
    assert.ok(found.every((m) => m.id < 200));
    const dir = mkdtempSync(join(tmpdir(), 'modemlab-migr-'));
    try {
      writeFileSync(join(dir, '007-x.ts'), 'export const migration = { id: 8, name: "x", sql: [] };');
      await assert.rejects(loadMigrations(dir), /007-x\.ts has id 8/);
      rmSync(join(dir, '007-x.ts'));
      writeFileSync(join(dir, '009-y.ts'), 'export const nothing = 1;');
      await assert.rejects(loadMigrations(dir), /exports no `migration`/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SqliteDb concurrency', () => {
  it('a statement issued while transactions are open waits for them and is never rolled back with them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modemlab-sqlite-conc-'));
    const db = new SqliteDb(join(dir, 'c.db'));
    try {
      await db.query('CREATE TABLE t (a TEXT)');
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const first = db.transaction(async (tx) => {
        await tx.query('INSERT INTO t (a) VALUES ($1)', ['first']);
        await gate;
      });
      const second = db.transaction(async (tx) => {
        await tx.query('INSERT INTO t (a) VALUES ($1)', ['rolled back']);
        throw new Error('no');
      });
      const outside = db.query('INSERT INTO t (a) VALUES ($1)', ['outside']);
      release();
      await first;
      await assert.rejects(second, /no/);
      await outside;
      const { rows } = await db.query<{ a: string }>('SELECT a FROM t ORDER BY a');
      assert.deepEqual(rows.map((r) => r.a), ['first', 'outside']);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
