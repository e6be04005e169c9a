import type { CommandContext } from '../../engine/context.js';
import { cme } from '../../engine/failure.js';
import { SocketError, type SocketErrno } from '../../services/sockets/errors.js';
import { UbloxCme } from './errors.js';
import { ubloxFailure } from './service-errors.js';

/**
 * u-blox socket error numbers (+USOER, +USOCTL=<s>,1, +UUSOCO): the errno values of the
 * "Internet suite error classes" table (shared/spec/notes/at-commands.md §E). Resolver
 * failures are ENSRNOTFOUND (163) and ENSRSERVFAIL (162). Where the notes leave the code
 * open we chose: all sockets in use 12 (ENOMEM), TX queue full 11, write after the peer
 * closed 32 (EPIPE), write before connect 107, no default peer 89, a second connect while
 * an asynchronous one runs 115, TLS handshake/verification failure 71 (EPROTO), TLS
 * session cap 12, connect or handshake timeout 110, context lost 100 (ENETDOWN).
 */
export const UBLOX_SOCKET_ERRNO: Record<SocketErrno, number> = {
  EPERM: 1,
  EIO: 5,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EINVAL: 22,
  EPIPE: 32,
  EPROTO: 71,
  EDESTADDRREQ: 89,
  ENOPROTOOPT: 92,
  EOPNOTSUPP: 95,
  EAFNOSUPPORT: 97,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ENETDOWN: 100,
  ENETUNREACH: 101,
  ECONNABORTED: 103,
  ECONNRESET: 104,
  ENOBUFS: 105,
  EISCONN: 106,
  ENOTCONN: 107,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EHOSTUNREACH: 113,
  EINPROGRESS: 115,
  DNS_FAILURE: 162,
  DNS_NOT_FOUND: 163,
};

export const socketErrno = (errno: SocketErrno | undefined): number => (errno ? UBLOX_SOCKET_ERRNO[errno] : 0);

/**
 * A failed socket operation answers "+CME ERROR: operation not allowed" (3); the reason
 * is left in +USOER / +USOCTL=<s>,1, as on the real modules. A missing data path answers
 * as +UDNSRN does (30 not registered, 3 no context).
 */
function ubloxSocketFailure(err: unknown): unknown {
  if (err instanceof SocketError) return cme(UbloxCme.notAllowed, `${err.errno}: ${err.message}`);
  return ubloxFailure(err);
}

export function socketCall<T>(call: () => T): T {
  try {
    return call();
  } catch (err) {
    throw ubloxSocketFailure(err);
  }
}

export async function socketCallAsync<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw ubloxSocketFailure(err);
  }
}

/** Socket ids run 0..count-1 on each product; anything else is a bad parameter. */
export function socketId(ctx: CommandContext, value: unknown): number {
  const id = value as number;
  if (id >= ctx.module.model.sockets.count) throw cme(UbloxCme.badParameter, 'socket id out of range');
  return id;
}

/** "(0-6)" for the product's socket ids. */
export const socketRange = (ctx: CommandContext): string => `(0-${ctx.module.model.sockets.count - 1})`;

/** Socket id parameter; the product's upper bound is checked by socketId(). */
export const SOCKET_PARAM = { name: 'socket', type: 'int', min: 0, max: 255 } as const;
