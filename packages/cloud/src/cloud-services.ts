import type { Clock } from '@modemlab/at';
import type { AtRest } from './at-rest.js';
import type { SqlDb } from './store/sql.js';
import type { TokenService } from './auth/tokens.js';

/**
 * Requests per minute per caller (account, root of trust, or client IP for unauthenticated
 * routes) and route. `perRoute` (keyed by URL, e.g. `/v1/psk/get`) overrides a route's own
 * default, which overrides `perMinute`.
 */
export interface RateLimits {
  perMinute: number;
  perRoute?: Record<string, number>;
}

/** What every handler can reach. No field holds state of its own: it all lives in `db`. */
export interface CloudServices {
  db: SqlDb;
  atRest: AtRest;
  clock: Clock;
  tokens: TokenService;
  limits: RateLimits;
}
