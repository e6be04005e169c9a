/**
 * Typed errors of the host SDK. Every failure of a command, a wait or the link
 * is one of these, so callers can branch on `instanceof` instead of on text.
 */

/** A command ended with a failing final result (`ERROR`, `NO CARRIER`, ...). */
export class AtError extends Error {
  override name = 'AtError';
  /** The command line that was sent (without the line terminator). */
  readonly command: string;
  /** The lines the module answered, information lines first, then the final result. */
  readonly response: string[];
  /** The final result code line, when the module sent one. */
  readonly final: string | undefined;

  constructor(command: string, response: string[] = [], message?: string, options?: { cause?: unknown; final?: string }) {
    super(message ?? `${command}: ${options?.final ?? response.at(-1) ?? 'failed'}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.command = command;
    this.response = response;
    this.final = options?.final;
  }
}

/** `+CME ERROR: <n|text>` (mobile equipment) or `+CMS ERROR: <n|text>` (SMS). */
export class CmeError extends AtError {
  override name = 'CmeError';
  readonly kind: 'CME' | 'CMS';
  /** Numeric error code (`+CMEE=1`, or known from the text with `+CMEE=2`). */
  readonly code: number | undefined;
  /** Verbose error text (`+CMEE=2`, or known from the number with `+CMEE=1`). */
  readonly text: string | undefined;

  constructor(command: string, response: string[], kind: 'CME' | 'CMS', code: number | undefined, text: string | undefined) {
    const final = response.at(-1) ?? `+${kind} ERROR`;
    super(command, response, `${command}: ${final}`, { final });
    this.kind = kind;
    this.code = code;
    this.text = text;
  }
}

/** A command or a wait did not complete within its timeout. */
export class AtTimeoutError extends AtError {
  override name = 'AtTimeoutError';
  readonly timeoutMs: number;

  constructor(command: string, timeoutMs: number, response: string[] = [], detail?: string) {
    super(command, response, `${command}: no answer within ${timeoutMs} ms${detail ? ` (${detail})` : ''}`);
    this.timeoutMs = timeoutMs;
  }
}

/** An error reported asynchronously by the module in a URC (e.g. `+UUPINGER: 8`). */
export class UrcError extends AtError {
  override name = 'UrcError';
  /** The URC line that reported the error. */
  readonly urc: string;
  readonly code: number | undefined;

  constructor(command: string, urc: string, code: number | undefined) {
    super(command, [urc], `${command}: ${urc}`);
    this.urc = urc;
    this.code = code;
  }
}

/** The driver or module does not support what was asked. */
export class UnsupportedFeatureError extends Error {
  override name = 'UnsupportedFeatureError';
  readonly feature: string;

  constructor(feature: string, message?: string) {
    super(message ?? `unsupported feature: ${feature}`);
    this.feature = feature;
  }
}

/** The link to the module was closed (by `close()`, the peer, or a stream error). */
export class ConnectionClosedError extends Error {
  override name = 'ConnectionClosedError';
  /** The command that was pending when the link closed, if any. */
  readonly command: string | undefined;

  constructor(message = 'connection closed', options?: { cause?: unknown; command?: string }) {
    super(options?.command ? `${options.command}: ${message}` : message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.command = options?.command;
  }
}

/** `openModem({ vendor })` found a module of another vendor. */
export class VendorMismatchError extends UnsupportedFeatureError {
  override name = 'VendorMismatchError';
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super('vendor', `expected a ${expected} module, found ${actual}`);
  }
}

/**
 * The module (or the server in front of it) refused this client because another one holds
 * it: modemlab's TCP transport answers `modemlab: busy, another client is attached` and
 * closes. A ConnectionClosedError, with the module's own words in `reason`.
 */
export class ModuleBusyError extends ConnectionClosedError {
  override name = 'ModuleBusyError';
  constructor(
    /** The line the module sent before closing. */
    readonly reason: string,
    options?: { cause?: unknown; command?: string },
  ) {
    super(`module busy: ${reason}`, options);
  }
}

/** Where a network failure happened, as the module reported it. */
export interface NetworkFailure {
  /** What was asked: a connect, a name lookup, an HTTP request... */
  operation: 'connect' | 'resolve' | 'http';
  host?: string;
  port?: number;
  /**
   * The module's own report of the reason, as it gave it: `+USOER: 111`, `+UHTTPER: 0,3,73`,
   * `+CME ERROR: 839`, `+QSSLOPEN: 1,0,-3`...
   */
  moduleReport: string;
  /** The command that failed (its error is `cause`). */
  command: string;
  cause?: unknown;
}

/**
 * A network operation of the module failed, and the module said why (the subclasses).
 * An AtError, so code that caught the command's error keeps working; `cause` is it.
 */
export class ModemNetworkError extends AtError {
  override name = 'ModemNetworkError';
  readonly operation: NetworkFailure['operation'];
  readonly host: string | undefined;
  readonly port: number | undefined;
  readonly moduleReport: string;

  constructor(what: string, f: NetworkFailure) {
    const target = f.host === undefined ? '' : f.port === undefined ? ` ${f.host}` : ` ${f.host}:${f.port}`;
    super(f.command, [f.moduleReport], `${f.operation}${target}: ${what} (${f.moduleReport})`, f.cause === undefined ? undefined : { cause: f.cause });
    this.operation = f.operation;
    this.host = f.host;
    this.port = f.port;
    this.moduleReport = f.moduleReport;
  }
}

/** The module could not resolve the host name (u-blox ENSRNOTFOUND/ENSRSERVFAIL, a failed lookup). */
export class DnsError extends ModemNetworkError {
  override name = 'DnsError';
  constructor(f: NetworkFailure) {
    super('name not resolved', f);
  }
}

/** The peer refused the connection (ECONNREFUSED: nothing listens on the port). */
export class ConnectionRefusedError extends ModemNetworkError {
  override name = 'ConnectionRefusedError';
  constructor(f: NetworkFailure) {
    super('connection refused', f);
  }
}

/** The connection (or its handshake) did not complete in the module's time (ETIMEDOUT, Quectel -7). */
export class ConnectTimeoutError extends ModemNetworkError {
  override name = 'ConnectTimeoutError';
  constructor(f: NetworkFailure) {
    super('timed out', f);
  }
}

/**
 * The connection failed and the module gives no finer reason than that (Telit 832 "SSL
 * socket error", Quectel -2, u-blox errno values other than the ones above).
 */
export class ConnectionFailedError extends ModemNetworkError {
  override name = 'ConnectionFailedError';
  constructor(f: NetworkFailure) {
    super('connection failed', f);
  }
}

/**
 * Why a TLS handshake failed, as finely as the module says it:
 * - `certificate`: a certificate was refused — the server's (unknown CA, wrong host name,
 *   expired) or the module's by the server (Quectel -3);
 * - `security-data`: the CA, certificate or key the slot names is missing or unusable
 *   (Telit 837 "SSL certs and keys wrong or not stored");
 * - `client-key`: the client key is unusable (Quectel -4);
 * - `protocol`: no TLS version or cipher suite in common, or the peer does not speak TLS at
 *   all — a plain port (Quectel -5);
 * - `handshake`: the module says the handshake failed and nothing more (u-blox +USOER 71
 *   EPROTO, Telit 839 "SSL error during handshake").
 */
export type TlsFailureKind = 'certificate' | 'security-data' | 'client-key' | 'protocol' | 'handshake';

export class TlsHandshakeError extends ModemNetworkError {
  override name = 'TlsHandshakeError';
  constructor(
    readonly kind: TlsFailureKind,
    f: NetworkFailure,
  ) {
    super(`TLS handshake failed (${kind})`, f);
  }
}
