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
