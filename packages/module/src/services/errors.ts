/**
 * Why a service refused a request, in vendor-neutral terms. Each dialect maps a reason to
 * its own error number, so the same refusal reads `+CME ERROR: 4001` on u-blox and a
 * different code elsewhere. Services check every precondition before they change state,
 * so a thrown ServiceError leaves the module as it was.
 */
export type ServiceFailureReason =
  | 'sim-missing'
  | 'radio-off'
  | 'not-registered'
  | 'undefined-context'
  | 'context-active'
  | 'too-many-active'
  | 'ip-type-mismatch'
  | 'apn-mismatch'
  /** The operator does not serve the APN (3GPP ESM cause 27, missing or unknown APN). */
  | 'apn-unknown'
  | 'profile-active'
  | 'profile-busy'
  | 'profile-not-active'
  | 'no-data-path'
  | 'host-not-found'
  | 'dns-failure';

export class ServiceError extends Error {
  constructor(
    readonly reason: ServiceFailureReason,
    message?: string,
  ) {
    super(message ?? reason);
  }
}

export const fail = (reason: ServiceFailureReason, message?: string): ServiceError => new ServiceError(reason, message);
