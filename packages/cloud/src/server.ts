import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { systemClock, type Clock } from '@modemlab/at';
import { AtRest } from './at-rest.js';
import { authenticateModule } from './auth/module-auth.js';
import { TokenService, tokenFromHeader } from './auth/tokens.js';
import type { CloudServices, RateLimits } from './cloud-services.js';
import { CloudError, notFound, unauthorized } from './errors.js';
import { openApiDocument } from './openapi.js';
import { takeRateToken } from './rate-limit.js';
import type { AccountPrincipal, AnyRouteDef, ModulePrincipal } from './route-def.js';
import { loadRoutes } from './routes/load.js';
import type { SqlDb } from './store/sql.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request body exactly as received (module requests are MAC'd over it). */
    rawBody?: Buffer;
  }
}

/** Largest request body accepted; more is answered 413 (the largest legitimate body, a PEM chain, is a few KiB). */
export const DEFAULT_BODY_LIMIT = 64 * 1024;
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;

export interface BuildCloudOptions {
  /** A migrated database (see store/open.ts). */
  db: SqlDb;
  /** 32 bytes: the key that encrypts secrets at rest (see at-rest.ts). */
  atRestKey: Buffer;
  clock?: Clock;
  /** A pino logger, or false/undefined for none. */
  logger?: FastifyBaseLogger | false;
  limits?: Partial<RateLimits>;
  bodyLimit?: number;
  /** Serve HTTPS with this key pair (PEM); plain HTTP without. */
  https?: { key: string | Buffer; cert: string | Buffer };
  /** Routes added to those found in routes/ (tests, embedders). */
  extraRoutes?: AnyRouteDef[];
  /** Per-request socket timeout (ms). */
  requestTimeoutMs?: number;
  /**
   * Behind a load balancer: take the client address from X-Forwarded-For (true: trust any
   * hop; or the proxies' addresses/CIDRs), so per-address rate limits count clients, not
   * the balancer.
   */
  trustProxy?: boolean | string[];
}

export interface CloudApp {
  app: FastifyInstance;
  services: CloudServices;
  routes: AnyRouteDef[];
}

function zodMessage(err: z.ZodError): string {
  const issue = err.issues[0];
  if (!issue) return 'Invalid request body';
  const where = issue.path.length > 0 ? issue.path.join('.') : 'body';
  return `${where}: ${issue.message}`;
}

function sendError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).type('application/json').send({ Message: message });
}

/**
 * The security cloud as a Fastify instance (not listening). Every route comes from a
 * RouteDef and goes through the same steps: parse JSON (raw bytes kept) → authenticate by
 * the route's `auth` → rate limit (counter in the store) → validate the body with its zod
 * schema → handler → 200 JSON. Errors are `{"Message": ...}` with 400/401/404/409/413/415/429.
 */
export async function buildCloud(opts: BuildCloudOptions): Promise<CloudApp> {
  const clock = opts.clock ?? systemClock;
  const atRest = new AtRest(opts.atRestKey);
  const services: CloudServices = {
    db: opts.db,
    atRest,
    clock,
    tokens: new TokenService(opts.db, atRest, clock),
    limits: { perMinute: opts.limits?.perMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE, perRoute: opts.limits?.perRoute ?? {} },
  };
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    ...(opts.https ? { https: { key: opts.https.key, cert: opts.https.cert } } : {}),
    bodyLimit,
    requestTimeout: opts.requestTimeoutMs ?? 30_000,
    connectionTimeout: opts.requestTimeoutMs ?? 30_000,
    requestIdHeader: 'x-request-id',
    trustProxy: opts.trustProxy ?? false,
    genReqId: () => randomUUID(),
  }) as unknown as FastifyInstance;

  // JSON with the raw bytes kept: module requests are authenticated by a MAC over them.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    const raw = body as Buffer;
    request.rawBody = raw;
    if (raw.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(raw.toString('utf8')));
    } catch {
      done(new CloudError(400, 'Malformed JSON body'), undefined);
    }
  });

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (err instanceof CloudError) return sendError(reply, err.status, err.message);
    if (err instanceof z.ZodError) return sendError(reply, 400, zodMessage(err));
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, 413, `Request body larger than ${bodyLimit} bytes`);
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      return sendError(reply, err.statusCode, err.message);
    }
    request.log.error({ err }, 'request failed');
    return sendError(reply, 500, 'Internal error');
  });
  app.setNotFoundHandler((_request, reply) => sendError(reply, 404, 'Not found'));

  const routes = await cloudRoutes(opts.extraRoutes);
  for (const def of routes) registerRoute(app, services, def);
  return { app, services, routes };
}

/** Every route the cloud serves: those in routes/, the extra ones, and /openapi.json describing them all. */
export async function cloudRoutes(extra: AnyRouteDef[] = []): Promise<AnyRouteDef[]> {
  const routes = [...(await loadRoutes()), ...extra];
  const doc = { value: undefined as Record<string, unknown> | undefined };
  routes.push({
    method: 'GET',
    url: '/openapi.json',
    auth: 'none',
    summary: 'This API as an OpenAPI 3.1 document',
    rateLimit: Number.POSITIVE_INFINITY,
    handler: () => (doc.value ??= openApiDocument(routes)),
  });
  return routes;
}

async function principalFor(services: CloudServices, def: AnyRouteDef, request: FastifyRequest): Promise<{ account?: AccountPrincipal; module?: ModulePrincipal; bucket: string }> {
  switch (def.auth) {
    case 'none':
      return { bucket: `ip:${request.ip}` };
    case 'account':
    case 'factory': {
      const token = tokenFromHeader(request.headers.authorization);
      if (!token) throw unauthorized();
      const account = await services.tokens.verify(token);
      // A customer token on a factory route: the route does not exist for it.
      if (def.auth === 'factory' && account.role !== 'factory') throw notFound('Route');
      return { account, bucket: `account:${account.accountId}` };
    }
    case 'module': {
      const module = await authenticateModule(services, request, request.rawBody ?? Buffer.alloc(0));
      return { module, bucket: `rot:${module.rotUid}` };
    }
  }
}

function registerRoute(app: FastifyInstance, services: CloudServices, def: AnyRouteDef): void {
  app.route({
    method: def.method,
    url: def.url,
    handler: async (request, reply) => {
      const who = await principalFor(services, def, request);
      // The server's configuration wins over the route's own default, so deployments and benchmarks can tune any route.
      const limit = services.limits.perRoute?.[def.url] ?? def.rateLimit ?? services.limits.perMinute;
      if (Number.isFinite(limit)) await takeRateToken(services.db, services.clock, `${who.bucket}|${def.url}`, limit);
      let body: unknown = undefined;
      if (def.body) {
        const parsed = def.body.safeParse(request.body);
        if (!parsed.success) throw new CloudError(400, zodMessage(parsed.error));
        body = parsed.data;
      }
      const result = await def.handler({ body, cloud: services, request, log: request.log, account: who.account, module: who.module });
      return reply.code(200).type('application/json').send(result ?? {});
    },
  });
}
