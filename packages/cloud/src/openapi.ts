import { z } from 'zod';
import { MODULE_REQUEST_HEADERS } from '@modemlab/at';
import type { AnyRouteDef } from './route-def.js';

const errorBody = { type: 'object', properties: { Message: { type: 'string' } }, required: ['Message'] };
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: errorBody } } });

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): unknown {
  // 'input' describes what a client may send (defaults optional); unrepresentable parts become {}.
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return rest;
}

/** The OpenAPI 3.1 document, generated from the RouteDefs and their zod schemas. */
export function openApiDocument(routes: readonly AnyRouteDef[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of [...routes].sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method))) {
    const op: Record<string, unknown> = { summary: r.summary, operationId: `${r.method.toLowerCase()}${r.url.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}` };
    if (r.auth === 'account' || r.auth === 'factory') op.security = [{ AuthToken: [] }];
    if (r.auth === 'module') op.security = [{ ModuleRot: [], ModuleCounter: [], ModuleNonce: [], ModuleMac: [] }];
    if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } };
    const responses: Record<string, unknown> = {
      '200': { description: 'OK', content: { 'application/json': { schema: r.response ? jsonSchema(r.response, 'output') : { type: 'object' } } } },
    };
    if (r.body) responses['400'] = errorResponse('Malformed JSON, wrong types, unknown keys, bad hex/base64');
    if (r.auth !== 'none') responses['401'] = errorResponse('Missing, expired or invalid credentials');
    if (r.auth !== 'none') responses['404'] = errorResponse('Unknown, or owned by another account');
    if (r.body) responses['413'] = errorResponse('Body too large');
    if (r.rateLimit === undefined || Number.isFinite(r.rateLimit)) responses['429'] = errorResponse('Rate limit exceeded');
    op.responses = responses;
    (paths[r.url] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'modemlab security cloud', version: '1.0.0', description: 'The service half of u-blox IoT Security-as-a-Service, as modemlab emulates it.' },
    paths,
    components: {
      securitySchemes: {
        AuthToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'From POST /v1/authenticate; the raw token without "Bearer " is accepted too.' },
        ModuleRot: { type: 'apiKey', in: 'header', name: MODULE_REQUEST_HEADERS.rotUid },
        ModuleCounter: { type: 'apiKey', in: 'header', name: MODULE_REQUEST_HEADERS.counter },
        ModuleNonce: { type: 'apiKey', in: 'header', name: MODULE_REQUEST_HEADERS.nonce },
        ModuleMac: { type: 'apiKey', in: 'header', name: MODULE_REQUEST_HEADERS.mac },
      },
    },
  };
}
