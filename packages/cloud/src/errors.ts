/**
 * The one error type a route handler throws. The server turns it into
 * `status` + `{"Message": message}`; anything else becomes a 500 with a generic message
 * (the detail goes to the log, never to the client).
 */
export class CloudError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'CloudError';
  }
}

export const badRequest = (message: string): CloudError => new CloudError(400, message);
export const unauthorized = (message = 'Unauthorized'): CloudError => new CloudError(401, message);
/** Unknown OR foreign: one account never learns whether another's resource exists. */
export const notFound = (what: string): CloudError => new CloudError(404, `${what} not found`);
export const conflict = (message: string): CloudError => new CloudError(409, message);
export const tooManyRequests = (message = 'Too many requests'): CloudError => new CloudError(429, message);
