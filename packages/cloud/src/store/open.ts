import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from './migrate.js';
import { PostgresDb } from './postgres.js';
import type { SqlDb } from './sql.js';
import { SqliteDb } from './sqlite.js';

/**
 * `postgres://...` / `postgresql://...` → PostgreSQL; anything else (or nothing) → SQLite
 * at `<stateDir>/cloud.db`. Applies pending migrations unless told not to.
 */
export async function openStore(opts: { db?: string; stateDir: string; migrate?: boolean; now?: () => number }): Promise<SqlDb> {
  let db: SqlDb;
  if (opts.db && /^postgres(ql)?:\/\//.test(opts.db)) {
    db = new PostgresDb(opts.db);
  } else {
    mkdirSync(opts.stateDir, { recursive: true });
    db = new SqliteDb(opts.db ?? join(opts.stateDir, 'cloud.db'));
  }
  if (opts.migrate !== false) {
    try {
      await migrate(db, opts.now);
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
  }
  return db;
}
