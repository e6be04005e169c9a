import { cme } from '../../engine/failure.js';
import { ServiceError, type ServiceFailureReason } from '../../services/errors.js';

/** Runs a service call and turns its refusal into the dialect's +CME ERROR. */
export type ServiceCall = <T>(call: () => T) => T;

export interface ServiceErrorMapping {
  /** The dialect's failure for a service refusal; anything else is passed through unchanged. */
  failure(err: unknown): unknown;
  service: ServiceCall;
  serviceAsync<T>(call: () => Promise<T>): Promise<T>;
}

/**
 * The wrapper every dialect puts around service calls: a service refuses with a
 * vendor-neutral reason, the dialect's table says which +CME ERROR number that is.
 */
export function serviceErrors(cmeByReason: Record<ServiceFailureReason, number>): ServiceErrorMapping {
  const failure = (err: unknown): unknown => (err instanceof ServiceError ? cme(cmeByReason[err.reason], err.message) : err);
  return {
    failure,
    service<T>(call: () => T): T {
      try {
        return call();
      } catch (err) {
        throw failure(err);
      }
    },
    async serviceAsync<T>(call: () => Promise<T>): Promise<T> {
      try {
        return await call();
      } catch (err) {
        throw failure(err);
      }
    },
  };
}
