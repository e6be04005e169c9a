import { z } from 'zod';
import { hashRefreshToken } from '../auth/tokens.js';
import { unauthorized } from '../errors.js';
import { defineRoute } from '../route-def.js';
import { emptyResponse, text } from '../schemas.js';
import { secretMatches } from '../services/accounts.js';
import { one } from '../store/sql.js';

const refreshBody = z.strictObject({ RefreshToken: text(200) });

/** Authenticate (seed 001's "Authorize"), refresh, revoke. */
export const routes = [
  defineRoute({
    method: 'POST',
    url: '/v1/authenticate',
    auth: 'none',
    summary: 'Exchange an API key and secret for an AuthToken (JWT, 1 h) and a RefreshToken',
    body: z.strictObject({ APIKey: text(100), APISecret: text(200) }),
    response: z.object({ AuthToken: z.string(), RefreshToken: z.string() }),
    rateLimit: 60,
    async handler({ body, cloud }) {
      const key = await one<{ account_id: string; secret_hash: string; role: string }>(
        cloud.db,
        `SELECT k.account_id, k.secret_hash, a.role FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.key_id = $1 AND k.revoked = 0`,
        [body.APIKey],
      );
      // One answer for an unknown key and a wrong secret: neither tells which.
      if (!key || !(await secretMatches(body.APISecret, key.secret_hash))) throw unauthorized('Invalid API key or secret');
      const session = await cloud.tokens.openSession(key.account_id, body.APIKey);
      const AuthToken = await cloud.tokens.issueAuthToken({
        accountId: key.account_id,
        keyId: body.APIKey,
        sessionId: session.sessionId,
        role: key.role === 'factory' ? 'factory' : 'customer',
      });
      return { AuthToken, RefreshToken: session.refreshToken };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/authenticate/refresh',
    auth: 'none',
    summary: 'A new AuthToken for a RefreshToken that is neither expired nor revoked',
    body: refreshBody,
    response: z.object({ AuthToken: z.string() }),
    rateLimit: 60,
    async handler({ body, cloud }) {
      const s = await one<{ id: string; account_id: string; key_id: string; role: string }>(
        cloud.db,
        `SELECT s.id, s.account_id, s.key_id, a.role FROM sessions s
           JOIN api_keys k ON k.key_id = s.key_id JOIN accounts a ON a.id = s.account_id
         WHERE s.refresh_hash = $1 AND s.revoked = 0 AND k.revoked = 0 AND s.expires_at > $2`,
        [hashRefreshToken(body.RefreshToken), cloud.clock.now()],
      );
      if (!s) throw unauthorized('Invalid or expired refresh token');
      const AuthToken = await cloud.tokens.issueAuthToken({ accountId: s.account_id, keyId: s.key_id, sessionId: s.id, role: s.role === 'factory' ? 'factory' : 'customer' });
      return { AuthToken };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/authenticate/revoke',
    auth: 'none',
    summary: 'Revoke a RefreshToken and every AuthToken issued from it',
    body: refreshBody,
    response: emptyResponse,
    rateLimit: 60,
    async handler({ body, cloud }) {
      const res = await cloud.db.query(`UPDATE sessions SET revoked = 1 WHERE refresh_hash = $1`, [hashRefreshToken(body.RefreshToken)]);
      if (res.changes === 0) throw unauthorized('Invalid refresh token');
      return {};
    },
  }),
];
