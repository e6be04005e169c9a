import type { ServiceFailureReason } from '../../services/errors.js';
import { serviceErrors } from '../shared/service-errors.js';
import { QuectelCme } from './errors.js';

/** The 3GPP +CME ERROR for a service refusal: "no network service" when not registered, else "operation not allowed". */
const CME_BY_REASON: Record<ServiceFailureReason, number> = {
  'sim-missing': QuectelCme.notAllowed,
  'radio-off': QuectelCme.notAllowed,
  'not-registered': QuectelCme.noNetworkService,
  'undefined-context': QuectelCme.notAllowed,
  'context-active': QuectelCme.notAllowed,
  'too-many-active': QuectelCme.notAllowed,
  'ip-type-mismatch': QuectelCme.notAllowed,
  'apn-mismatch': QuectelCme.notAllowed,
  'apn-unknown': QuectelCme.notAllowed,
  'profile-active': QuectelCme.notAllowed,
  'profile-busy': QuectelCme.notAllowed,
  'profile-not-active': QuectelCme.notAllowed,
  'no-data-path': QuectelCme.notAllowed,
  'host-not-found': QuectelCme.notAllowed,
  'dns-failure': QuectelCme.notAllowed,
};

/** Runs a service call and turns its refusal into the BC66's error. */
export const service = serviceErrors(CME_BY_REASON).service;
