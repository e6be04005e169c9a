import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { AccountPrincipal, ModulePrincipal } from './auth/principals.js';
import type { CloudServices } from './cloud-services.js';

/**
 * Who may call a route:
 * - `none`: anyone (health, authenticate);
 * - `account`: a customer's AuthToken (`Authorization: <jwt>` or `Bearer <jwt>`);
 * - `factory`: an AuthToken of an account with the factory role (secure production);
 * - `module`: a module, by its root of trust (HMAC headers, see auth/module-auth.ts).
 */
export type AuthKind = 'none' | 'account' | 'factory' | 'module';

export type { AccountPrincipal, ModulePrincipal };

type PrincipalOf<A extends AuthKind> = A extends 'account' | 'factory'
  ? { account: AccountPrincipal }
  : A extends 'module'
    ? { module: ModulePrincipal }
    : object;

export type RouteContext<A extends AuthKind, B> = {
  body: B;
  cloud: CloudServices;
  request: FastifyRequest;
  log: FastifyBaseLogger;
} & PrincipalOf<A>;

/**
 * One endpoint, as data. `routes/*.ts` export `routes: RouteDef[]`; the server registers
 * every file's array with one loop (validation, auth, rate limit, errors, OpenAPI).
 * The handler returns the 200 JSON body or throws a CloudError.
 */
export interface RouteDef<A extends AuthKind = AuthKind, S extends z.ZodType = z.ZodType> {
  method: 'GET' | 'POST';
  url: string;
  auth: A;
  /** One line for the OpenAPI document. */
  summary: string;
  /** Request body (POST). Use z.strictObject so unknown keys are a 400. */
  body?: S;
  /** 200 response body, for the OpenAPI document (not enforced at run time). */
  response?: z.ZodType;
  /** Requests per minute per caller on this route; default: the server's limit; Infinity: not counted. */
  rateLimit?: number;
  handler(ctx: RouteContext<A, z.output<S>>): Promise<unknown> | unknown;
}

/** A route with its types erased, as the server's loop sees it. */
export interface AnyRouteDef {
  method: 'GET' | 'POST';
  url: string;
  auth: AuthKind;
  summary: string;
  body?: z.ZodType;
  response?: z.ZodType;
  rateLimit?: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handler(ctx: any): Promise<unknown> | unknown;
}

/** Declares a route with its body type inferred from the zod schema. */
export function defineRoute<A extends AuthKind, S extends z.ZodType = z.ZodType<undefined>>(def: RouteDef<A, S>): AnyRouteDef {
  return def as AnyRouteDef;
}
