import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { Migration } from './migration.js';
import type { SqlDb } from './sql.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** Every `migrations/NNN-name.(ts|js)` in number order; two files with one number are an error. */
export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = readdirSync(dir).filter((f) => /^\d{3}-[\w-]+\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'));
  const list: Migration[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { migration?: Migration };
    if (!mod.migration) throw new Error(`migration file ${f} exports no \`migration\``);
    if (mod.migration.id !== Number(f.slice(0, 3))) throw new Error(`migration file ${f} has id ${mod.migration.id}`);
    list.push(mod.migration);
  }
  list.sort((a, b) => a.id - b.id);
  for (let i = 1; i < list.length; i++) {
    if (list[i]!.id === list[i - 1]!.id) throw new Error(`two migrations numbered ${list[i]!.id}`);
  }
  return list;
}

/**
 * Applies the migrations not yet recorded, each in its own exclusive transaction, so two
 * processes starting together on one PostgreSQL apply each step exactly once.
 * Returns the ids applied now.
 */
export async function migrate(db: SqlDb, now: () => number = Date.now): Promise<number[]> {
  const migrations = await loadMigrations();
  await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`).catch(async (err) => {
    // Two PostgreSQL processes racing on CREATE TABLE IF NOT EXISTS can collide on the catalog.
    const exists = await db.query(`SELECT 1 FROM schema_migrations WHERE 1 = 0`).then(() => true, () => false);
    if (!exists) throw err;
  });
  const applied: number[] = [];
  for (const m of migrations) {
    const statements = Array.isArray(m.sql) ? m.sql : m.sql[db.dialect];
    const did = await db.transaction(async (tx) => {
      const done = await tx.query(`SELECT id FROM schema_migrations WHERE id = $1`, [m.id]);
      if (done.rows.length > 0) return false;
      for (const s of statements) await tx.query(s);
      await tx.query(`INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, $3)`, [m.id, m.name, now()]);
      return true;
    }, { exclusive: true });
    if (did) applied.push(m.id);
  }
  return applied;
}
