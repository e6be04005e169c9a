/** The cloud answered with an HTTP error: `status` and its `{"Message": ...}` text. */
export class CloudRequestError extends Error {
  override name = 'CloudRequestError';
  constructor(
    readonly status: number,
    readonly path: string,
    readonly serverMessage: string,
  ) {
    super(`${path}: ${status} ${serverMessage}`);
  }
}

/** An E2E blob that is malformed, or does not authenticate under the parameters the cloud gave. */
export class E2eDecryptError extends Error {
  override name = 'E2eDecryptError';
}
