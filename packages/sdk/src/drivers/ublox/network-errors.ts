/**
 * Why a u-blox socket operation failed, asked the documented way: a failed +USOCO answers
 * "+CME ERROR: operation not allowed" and leaves the reason in the socket's last error,
 * `AT+USOCTL=<s>,1` (the errno table of the "Internet suite error classes" appendix). The
 * per-socket query, not +USOER, so an earlier failure of another socket is never reported.
 */
import type { AtClient } from '../../at-client.js';
import {
  AtError,
  AtTimeoutError,
  CmeError,
  ConnectionFailedError,
  ConnectionRefusedError,
  ConnectTimeoutError,
  DnsError,
  TlsHandshakeError,
  type ModemNetworkError,
  type NetworkFailure,
} from '../../errors.js';
import { paramsOf } from '../../params.js';

export const UBLOX_ERRNO = { EPROTO: 71, ETIMEDOUT: 110, ECONNREFUSED: 111 } as const;

/** The resolver's errno values (160 ENSRNODATA .. 177 ENSRCNAMELOOP). */
export const isDnsErrno = (errno: number): boolean => errno >= 160 && errno <= 177;

/** The typed error an errno stands for; undefined for 0 (the module has no reason). */
export function errnoError(errno: number, f: NetworkFailure & { secure: boolean }): ModemNetworkError | undefined {
  if (errno === 0 || !Number.isInteger(errno)) return undefined;
  if (errno === UBLOX_ERRNO.ECONNREFUSED) return new ConnectionRefusedError(f);
  if (errno === UBLOX_ERRNO.ETIMEDOUT) return new ConnectTimeoutError(f);
  if (isDnsErrno(errno)) return new DnsError(f);
  // EPROTO on a secure socket is the handshake (or the module's checks of the server).
  if (errno === UBLOX_ERRNO.EPROTO && f.secure) return new TlsHandshakeError('handshake', f);
  return new ConnectionFailedError(f);
}

/**
 * The error to throw for a failed connect of socket `id`: the typed one when the module
 * reports a reason, else the command's own error. Timeouts of the command itself and closed
 * links are passed through (there is nobody to ask).
 */
export async function connectFailure(client: AtClient, id: number, error: unknown, f: Omit<NetworkFailure, 'moduleReport' | 'cause'> & { secure: boolean }): Promise<unknown> {
  if (!(error instanceof AtError) || error instanceof AtTimeoutError) return error;
  let errno: number;
  try {
    errno = Number(paramsOf((await client.send(`AT+USOCTL=${id},1`)).lines, '+USOCTL')?.[2]);
  } catch {
    return error;
  }
  return errnoError(errno, { ...f, moduleReport: `+USOCTL: ${id},1,${errno}`, cause: error }) ?? error;
}

/**
 * +UDNSRN answers a failed lookup with "+CME ERROR: GPRS generic operation error" (1550):
 * for a lookup that is the resolver's failure, a DnsError. Other refusals (not registered,
 * no context) stay the command's error.
 */
export const UBLOX_CME_GPRS_GENERIC = 1550;

export function resolveFailure(error: unknown, name: string, command: string): unknown {
  if (error instanceof CmeError && (error.code === UBLOX_CME_GPRS_GENERIC || /generic operation error/i.test(error.text ?? ''))) {
    return new DnsError({ operation: 'resolve', host: name, command, moduleReport: error.final ?? `+CME ERROR: ${UBLOX_CME_GPRS_GENERIC}`, cause: error });
  }
  return error;
}
