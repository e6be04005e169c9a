import type { ServiceFailureReason } from '../../services/errors.js';
import { serviceErrors } from '../shared/service-errors.js';
import { UbloxCme } from './errors.js';

/**
 * The +CME ERROR number u-blox gives for each service refusal. Where the manuals are
 * silent we chose the closest documented code: "no network service" (30) when the module
 * is not registered, "operation not allowed" (3) for state conflicts, "GPRS generic
 * operation error" (1550) for failed name resolution.
 */
const CME_BY_REASON: Record<ServiceFailureReason, number> = {
  'sim-missing': UbloxCme.simNotInserted,
  'radio-off': UbloxCme.notAllowed,
  'not-registered': UbloxCme.noNetworkService,
  'undefined-context': UbloxCme.unknownPdpContext,
  'context-active': UbloxCme.notAllowed,
  'too-many-active': UbloxCme.notAllowed,
  'ip-type-mismatch': UbloxCme.ipTypeMismatch,
  'apn-mismatch': UbloxCme.apnMismatch,
  'apn-unknown': UbloxCme.gprsUnspecified,
  'profile-active': UbloxCme.notAllowed,
  'profile-busy': UbloxCme.notAllowed,
  'profile-not-active': UbloxCme.notAllowed,
  'no-data-path': UbloxCme.notAllowed,
  'host-not-found': UbloxCme.gprsGeneric,
  'dns-failure': UbloxCme.gprsGeneric,
};

const ublox = serviceErrors(CME_BY_REASON);

/** The u-blox failure for a service refusal; anything else is passed through unchanged. */
export const ubloxFailure = ublox.failure;
/** Runs a service call and turns its refusal into the u-blox error. */
export const service = ublox.service;
export const serviceAsync = ublox.serviceAsync;
