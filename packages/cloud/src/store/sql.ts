/**
 * The store seam: ONE SQL interface with two implementations (SQLite via better-sqlite3,
 * PostgreSQL via pg). Everything above it (accounts, devices, keys...) is written once
 * against this interface, with SQL both dialects accept:
 * - parameters are written `$1, $2...` (the SQLite driver rewrites them);
 * - integers that may exceed 2^31 (times in ms, counters) are BIGINT and come back as
 *   JS numbers from both drivers;
 * - booleans are INTEGER 0/1, binary values are base64/hex TEXT, JSON is TEXT;
 * - upserts use `INSERT ... ON CONFLICT (...) DO UPDATE/NOTHING`, and `RETURNING` works.
 */
export type SqlValue = string | number | null;
export type Row = Record<string, unknown>;

export interface SqlQueryable {
  /** Runs one statement; returns the rows (empty for statements without RETURNING) and the changed-row count. */
  query<R = Row>(sql: string, params?: readonly SqlValue[]): Promise<{ rows: R[]; changes: number }>;
}

export interface SqlDb extends SqlQueryable {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Runs fn in one transaction (committed when fn resolves, rolled back when it throws).
   * `exclusive` serialises it against every other exclusive transaction on the same
   * database, across processes (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock).
   */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>, opts?: { exclusive?: boolean }): Promise<T>;
  close(): Promise<void>;
}

/** First row or undefined. */
export async function one<R = Row>(db: SqlQueryable, sql: string, params?: readonly SqlValue[]): Promise<R | undefined> {
  return (await db.query<R>(sql, params)).rows[0];
}
