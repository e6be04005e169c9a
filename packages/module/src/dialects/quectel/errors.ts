/**
 * Quectel BC66 +CME ERROR numbers and their +CMEE=2 texts: the 3GPP 27.007 §9.2 values a
 * BC66 host meets (shared/spec/notes/at-commands.md §E). The SSL commands of seed 004 answer
 * plain `ERROR` and report their outcome as `<err>` in URCs (QsslErr).
 */
export const QUECTEL_CME_TEXT: Record<number, string> = {
  0: 'phone failure',
  1: 'no connection to phone',
  3: 'operation not allowed',
  4: 'operation not supported',
  10: 'SIM not inserted',
  13: 'SIM failure',
  14: 'SIM busy',
  23: 'memory failure',
  30: 'no network service',
  31: 'network timeout',
  50: 'Incorrect parameters',
  100: 'unknown',
  143: 'Unknown PDP context',
  148: 'Unspecified GPRS error',
};

export const QuectelCme = {
  notAllowed: 3,
  notSupported: 4,
  noNetworkService: 30,
  badParameter: 50,
  unknown: 100,
} as const;

export function quectelErrorText(code: number): string {
  return QUECTEL_CME_TEXT[code] ?? 'unknown';
}

/** Seed 004 chapter 4: <err> of +QSSLOPEN, +QSSLSEND and +QSSLCLOSE. */
export const QsslErr = {
  ok: 0,
  exception: -1,
  connection: -2,
  cert: -3,
  key: -4,
  cipher: -5,
  state: -6,
  timeout: -7,
  other: -9,
} as const;
export type QsslErrCode = (typeof QsslErr)[keyof typeof QsslErr];
