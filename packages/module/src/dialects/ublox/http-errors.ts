import type { HttpFailureReason } from '../../services/http/http-service.js';

/**
 * +UHTTPER <error_class>,<error_code> for each failure. The manuals' "HTTP class error
 * codes" appendix was not retrieved (notes §B); these follow the numbering of the older
 * u-blox manuals as far as we know it, under class 3 ("HTTP protocol error class"), and are
 * recorded in docs/architecture.md. Class 0 code 0 means no error: a request that got a
 * complete answer, whatever its HTTP status (the status is in the result file).
 */
export const HTTP_ERROR_CLASS = 3;

export const HTTP_ERROR_CODE: Record<HttpFailureReason, number> = {
  'no-server': 7, // server missing
  'file-system': 10, // internal error
  'no-space': 10, // internal error: the file system could not take the response
  refused: 11, // server connection error
  connect: 11,
  protocol: 12, // error occurred in the HTTP request
  'file-not-found': 17, // invalid FFS file (the file to send)
  'no-data-path': 22, // PSD or CSD connection not established
  dns: 23, // server hostname lookup failed
  timeout: 26, // connection timed out
  tls: 73, // secure socket connect error
};

export function httpErrorPair(reason: HttpFailureReason | undefined): [number, number] {
  return reason ? [HTTP_ERROR_CLASS, HTTP_ERROR_CODE[reason]] : [0, 0];
}
