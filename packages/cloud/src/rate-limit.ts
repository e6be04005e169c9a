import type { Clock } from '@modemlab/at';
import { tooManyRequests } from './errors.js';
import type { SqlDb } from './store/sql.js';

const WINDOW_MS = 60_000;

/**
 * Fixed one-minute windows counted in the store (one atomic upsert per request), so every
 * process on a shared database enforces one limit. `bucket` names caller and route.
 */
export async function takeRateToken(db: SqlDb, clock: Clock, bucket: string, perMinute: number): Promise<void> {
  const window = Math.floor(clock.now() / WINDOW_MS) * WINDOW_MS;
  const { rows } = await db.query<{ hits: number }>(
    `INSERT INTO rate_counters (bucket, window_start, hits) VALUES ($1, $2, 1)
     ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_counters.hits + 1
     RETURNING hits`,
    [bucket, window],
  );
  const hits = Number(rows[0]?.hits ?? 1);
  if (hits === 1) {
    // First hit of a new window: drop this bucket's old windows (keeps the table small).
    await db.query(`DELETE FROM rate_counters WHERE bucket = $1 AND window_start < $2`, [bucket, window]);
  }
  if (hits > perMinute) throw tooManyRequests(`Rate limit of ${perMinute} requests per minute exceeded`);
}
