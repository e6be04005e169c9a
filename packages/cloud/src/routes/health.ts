import { z } from 'zod';
import { defineRoute } from '../route-def.js';

export const routes = [
  defineRoute({
    method: 'GET',
    url: '/health',
    auth: 'none',
    summary: 'Liveness and store reachability',
    response: z.object({ Status: z.literal('OK') }),
    rateLimit: Number.POSITIVE_INFINITY,
    async handler({ cloud }) {
      await cloud.db.query('SELECT 1');
      return { Status: 'OK' };
    },
  }),
];
