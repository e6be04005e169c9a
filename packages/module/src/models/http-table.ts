/** What a product's HTTP client (+UHTTP/+UHTTPC) offers. */
export interface HttpTable {
  /** HTTP profiles 0..count-1 (RAM only). */
  profiles: number;
  /** The request gives up after this much silence on its connection (manual: 180 s after the last read or send). */
  inactivityTimeoutMs: number;
  /** Range of the timeout +UHTTP op 7 sets, seconds. */
  timeoutRangeS: { min: number; max: number };
  /** The status line the module writes at the top of the result file ("HTTP/1.0" on SARA-R5). */
  statusLineVersion: string;
  /** Longest POST data string (+UHTTPC command 5). */
  maxPostData: number;
  /** Longest server name, user name, password, path and user-defined content type. */
  maxServerName: number;
  maxCredential: number;
  maxPath: number;
  maxUserContentType: number;
  /** Custom request headers (+UHTTP op 9), ids 0..count-1. */
  customHeaders: number;
  /** Boundary of the multipart/form-data body the module builds around a posted file. */
  multipartBoundary: string;
}

/**
 * SARA-R4/R5 values: 4 profiles, 180 s timeout, 128-byte POST data, 30-character user and
 * password, boundary `U1Blox2Http3Unique4Boundary5` (notes §B, R4 manual §21-22); the
 * other lengths and the five custom headers are the lab's choice.
 */
const SARA_HTTP = {
  profiles: 4,
  inactivityTimeoutMs: 180_000,
  timeoutRangeS: { min: 30, max: 180 },
  maxPostData: 128,
  maxServerName: 128,
  maxCredential: 30,
  maxPath: 128,
  maxUserContentType: 64,
  customHeaders: 5,
  multipartBoundary: 'U1Blox2Http3Unique4Boundary5',
} as const;

export const saraR5Http: HttpTable = { ...SARA_HTTP, statusLineVersion: 'HTTP/1.0' };
export const saraR4Http: HttpTable = { ...SARA_HTTP, statusLineVersion: 'HTTP/1.0' };

