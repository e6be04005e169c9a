/**
 * A command fails by throwing one of these; the terminal renders it per the session's
 * +CMEE setting and the dialect's error table. Handlers must validate before they change
 * state, so a thrown failure leaves the module as it was.
 */
export class CommandFailure extends Error {
  /** `code` undefined means the plain `ERROR` result whatever +CMEE says. */
  constructor(readonly code: number | undefined, message?: string) {
    super(message ?? (code === undefined ? 'ERROR' : `CME ${code}`));
  }
}

export const cme = (code: number, message?: string): CommandFailure => new CommandFailure(code, message);
export const plainError = (message?: string): CommandFailure => new CommandFailure(undefined, message);
