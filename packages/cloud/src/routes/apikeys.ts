import { z } from 'zod';
import { notFound } from '../errors.js';
import { defineRoute } from '../route-def.js';
import { emptyBody, emptyResponse, text } from '../schemas.js';
import { addApiKey } from '../services/accounts.js';

/** An account's API key pairs: at most 5 active; the secret is shown once. */
export const routes = [
  defineRoute({
    method: 'POST',
    url: '/v1/apikey/create',
    auth: 'account',
    summary: 'Create another API key pair (at most 5 active per account); the secret is shown only here',
    body: emptyBody,
    response: z.object({ APIKey: z.string(), APISecret: z.string() }),
    async handler({ account, cloud }) {
      return addApiKey(cloud.db, account.accountId, cloud.clock.now());
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/apikey/list',
    auth: 'account',
    summary: "The account's active API keys (never their secrets)",
    body: emptyBody,
    response: z.object({ APIKeys: z.array(z.object({ APIKey: z.string(), CreatedAt: z.string() })) }),
    async handler({ account, cloud }) {
      const { rows } = await cloud.db.query<{ key_id: string; created_at: number }>(
        `SELECT key_id, created_at FROM api_keys WHERE account_id = $1 AND revoked = 0 ORDER BY created_at, key_id`,
        [account.accountId],
      );
      return { APIKeys: rows.map((r) => ({ APIKey: r.key_id, CreatedAt: new Date(Number(r.created_at)).toISOString() })) };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/apikey/revoke',
    auth: 'account',
    summary: 'Revoke an API key: its sessions and AuthTokens stop working at once',
    body: z.strictObject({ APIKey: text(100) }),
    response: emptyResponse,
    async handler({ body, account, cloud }) {
      const res = await cloud.db.query(`UPDATE api_keys SET revoked = 1 WHERE key_id = $1 AND account_id = $2 AND revoked = 0`, [body.APIKey, account.accountId]);
      if (res.changes === 0) throw notFound('API key');
      return {};
    },
  }),
];
