import type { TlsProblem } from '../tls/tls-problem.js';

/**
 * Why a socket operation failed, as a BSD errno name (plus the resolver's own failures).
 * Vendor-neutral: each dialect maps a name to its number (u-blox +USOER, Telit, Quectel).
 */
export type SocketErrno =
  | 'EPERM'
  | 'EIO'
  | 'EBADF'
  | 'EAGAIN'
  | 'ENOMEM'
  | 'EINVAL'
  | 'EPIPE'
  | 'EPROTO'
  | 'EDESTADDRREQ'
  | 'ENOPROTOOPT'
  | 'EOPNOTSUPP'
  | 'EAFNOSUPPORT'
  | 'EADDRINUSE'
  | 'EADDRNOTAVAIL'
  | 'ENETDOWN'
  | 'ENETUNREACH'
  | 'ECONNABORTED'
  | 'ECONNRESET'
  | 'ENOBUFS'
  | 'EISCONN'
  | 'ENOTCONN'
  | 'ETIMEDOUT'
  | 'ECONNREFUSED'
  | 'EHOSTUNREACH'
  | 'EINPROGRESS'
  /** Name resolution: the name does not exist / the resolver failed. */
  | 'DNS_NOT_FOUND'
  | 'DNS_FAILURE';

export class SocketError extends Error {
  constructor(
    readonly errno: SocketErrno,
    message?: string,
    /** Set when a secure connect failed in TLS: what went wrong, for the dialects' tables. */
    readonly tls?: TlsProblem,
  ) {
    super(message ?? errno);
  }
}

const FROM_NODE: Record<string, SocketErrno> = {
  ECONNREFUSED: 'ECONNREFUSED',
  ECONNRESET: 'ECONNRESET',
  ECONNABORTED: 'ECONNABORTED',
  ETIMEDOUT: 'ETIMEDOUT',
  EHOSTUNREACH: 'EHOSTUNREACH',
  EHOSTDOWN: 'EHOSTUNREACH',
  ENETUNREACH: 'ENETUNREACH',
  ENETDOWN: 'ENETDOWN',
  EADDRINUSE: 'EADDRINUSE',
  EADDRNOTAVAIL: 'EADDRNOTAVAIL',
  EACCES: 'EPERM',
  EPERM: 'EPERM',
  EPIPE: 'EPIPE',
  ERR_STREAM_WRITE_AFTER_END: 'EPIPE',
  ERR_STREAM_DESTROYED: 'EPIPE',
  EMSGSIZE: 'EINVAL',
  EINVAL: 'EINVAL',
  ENOBUFS: 'ENOBUFS',
  EAFNOSUPPORT: 'EAFNOSUPPORT',
};

/** The errno a node:net / node:dgram error stands for (EIO when node gives nothing better). */
export function errnoOf(err: unknown): SocketErrno {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return (code && FROM_NODE[code]) || 'EIO';
}

/**
 * TLS problems as errno: what a BSD-style socket layer reports for each (u-blox +USOER).
 * Every problem not listed is a protocol error.
 */
const TLS_ERRNO: Partial<Record<TlsProblem, SocketErrno>> = {
  'session-cap': 'ENOMEM',
  timeout: 'ETIMEDOUT',
  'peer-closed': 'ECONNRESET',
};

/** The socket error a failed secure connect is. */
export function tlsSocketError(problem: TlsProblem, message: string): SocketError {
  return new SocketError(TLS_ERRNO[problem] ?? 'EPROTO', message, problem);
}
