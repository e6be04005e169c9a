import Database from 'better-sqlite3';
import type { Row, SqlDb, SqlQueryable, SqlValue } from './sql.js';

/** `$1..$n` → `?`, and for each `?` the index of the parameter it takes (a `$n` may repeat). */
function positional(sql: string): { sql: string; order: number[] } {
  const order: number[] = [];
  const text = sql.replace(/\$(\d+)/g, (_m, n: string) => {
    order.push(Number(n) - 1);
    return '?';
  });
  return { sql: text, order };
}

/** Prepared statements kept per SQL text (preparing dominates a small query's cost). */
const STATEMENT_CACHE_SIZE = 500;

/**
 * SQLite through better-sqlite3 (synchronous). One connection per process; transactions
 * are serialised by a promise chain so an async transaction body never interleaves with
 * another request's statements on the same connection.
 */
export class SqliteDb implements SqlDb {
  readonly dialect = 'sqlite' as const;
  private readonly db: Database.Database;
  private chain: Promise<unknown> = Promise.resolve();
  private inTransaction = false;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    this.db.defaultSafeIntegers(false);
  }

  private readonly statements = new Map<string, { stmt: Database.Statement; order: number[] }>();

  private run<R = Row>(sql: string, params: readonly SqlValue[]): { rows: R[]; changes: number } {
    let cached = this.statements.get(sql);
    if (!cached) {
      const p = positional(sql);
      cached = { stmt: this.db.prepare(p.sql), order: p.order };
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.clear();
      this.statements.set(sql, cached);
    }
    const args = cached.order.map((i) => {
      if (i < 0 || i >= params.length) throw new Error(`SQL parameter $${i + 1} has no value`);
      return params[i] as SqlValue;
    });
    if (cached.stmt.reader) return { rows: cached.stmt.all(...args) as R[], changes: 0 };
    const info = cached.stmt.run(...args);
    return { rows: [], changes: info.changes };
  }

  async query<R = Row>(sql: string, params: readonly SqlValue[] = []): Promise<{ rows: R[]; changes: number }> {
    // Outside a transaction a statement waits until none is open (the chain's tail is the
    // last one queued), so it never becomes part of another request's transaction.
    while (this.inTransaction) await this.chain.catch(() => undefined);
    return this.run<R>(sql, params);
  }

  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>, opts: { exclusive?: boolean } = {}): Promise<T> {
    const next = this.chain.catch(() => undefined).then(async () => {
      this.inTransaction = true;
      this.db.exec(opts.exclusive ? 'BEGIN IMMEDIATE' : 'BEGIN');
      const tx: SqlQueryable = { query: async (sql, params = []) => this.run(sql, params) };
      try {
        const result = await fn(tx);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        this.db.exec('ROLLBACK');
        throw err;
      } finally {
        this.inTransaction = false;
      }
    });
    this.chain = next;
    return next;
  }

  async close(): Promise<void> {
    await this.chain.catch(() => undefined);
    this.db.close();
  }
}
