import pg from 'pg';
import type { Row, SqlDb, SqlQueryable, SqlValue } from './sql.js';

/** BIGINT (20) and NUMERIC counts come back as JS numbers: our values stay below 2^53. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

/** The advisory-lock key every exclusive transaction takes (any fixed 64-bit number). */
const EXCLUSIVE_LOCK_KEY = 0x6d6f64656d6c6162n; // "modemlab"

/** PostgreSQL through a pg pool; several processes may share one database. */
export class PostgresDb implements SqlDb {
  readonly dialect = 'postgres' as const;
  private readonly pool: pg.Pool;

  constructor(url: string, opts: { max?: number } = {}) {
    this.pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, types });
    // An idle client losing its server must not crash the process.
    this.pool.on('error', () => undefined);
  }

  async query<R = Row>(sql: string, params: readonly SqlValue[] = []): Promise<{ rows: R[]; changes: number }> {
    const res = await this.pool.query(sql, params as SqlValue[]);
    return { rows: res.rows as R[], changes: res.rowCount ?? 0 };
  }

  async transaction<T>(fn: (tx: SqlQueryable) => Promise<T>, opts: { exclusive?: boolean } = {}): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      if (opts.exclusive) await client.query('SELECT pg_advisory_xact_lock($1)', [EXCLUSIVE_LOCK_KEY.toString()]);
      const tx: SqlQueryable = {
        query: async (sql, params = []) => {
          const res = await client.query(sql, params as SqlValue[]);
          return { rows: res.rows, changes: res.rowCount ?? 0 };
        },
      };
      const result = await fn(tx);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
