import type { ServiceFailureReason } from '../../services/errors.js';
import { serviceErrors } from '../shared/service-errors.js';
import { TelitCme } from './errors.js';

/**
 * The +CME ERROR number Telit gives for each service refusal: the IP Easy codes (550-564)
 * for the data path, 3GPP codes for the rest.
 */
const CME_BY_REASON: Record<ServiceFailureReason, number> = {
  'sim-missing': TelitCme.simNotInserted,
  'radio-off': TelitCme.notAllowed,
  'not-registered': TelitCme.noNetworkService,
  'undefined-context': TelitCme.contextNotOpened,
  'context-active': TelitCme.contextAlreadyActive,
  'too-many-active': TelitCme.notAllowed,
  'ip-type-mismatch': TelitCme.activationFailed,
  'apn-mismatch': TelitCme.activationFailed,
  'apn-unknown': TelitCme.activationFailed,
  'profile-active': TelitCme.notAllowed,
  'profile-busy': TelitCme.notAllowed,
  'profile-not-active': TelitCme.notAllowed,
  'no-data-path': TelitCme.contextNotOpened,
  'host-not-found': TelitCme.cannotResolve,
  'dns-failure': TelitCme.cannotResolve,
};

const telit = serviceErrors(CME_BY_REASON);

/** The Telit failure for a service refusal; anything else is passed through unchanged. */
export const telitFailure = telit.failure;
/** Runs a service call and turns its refusal into the Telit error. */
export const service = telit.service;
