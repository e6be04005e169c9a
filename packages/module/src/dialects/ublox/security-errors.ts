import { cme, type CommandFailure } from '../../engine/failure.js';
import { securityRefusal, type SecurityRefusal } from '../../services/security/security-service.js';
import { UbloxCme } from './errors.js';

/**
 * The +CME ERROR u-blox gives for each security-service refusal. The seed says only "an
 * error result code" (rate limit, bootstrap in progress); our choices, recorded in
 * docs/architecture.md ("Security service: errors"): operation not allowed (3) for what the
 * module refuses by its own state or the service refused, no network service (30) when the
 * service cannot be reached, operation not supported (4) on a product without the service,
 * "SEC busy" (1950, the text notes §1.1 found; the number is ours) while the subsystem starts.
 */
const CME_BY_REFUSAL: Record<SecurityRefusal, number> = {
  'not-supported': UbloxCme.notSupported,
  'not-bootstrapped': UbloxCme.notAllowed,
  'rate-limited': UbloxCme.notAllowed,
  'no-connectivity': UbloxCme.noNetworkService,
  'cloud-refused': UbloxCme.notAllowed,
  starting: UbloxCme.secBusy,
};

export function securityFailure(err: unknown): CommandFailure {
  const refusal = securityRefusal(err);
  return cme(CME_BY_REFUSAL[refusal.reason], refusal.message);
}

/** Runs a security-service call and turns its refusal into the u-blox error. */
export async function securityCall<T>(call: () => Promise<T> | T): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw securityFailure(err);
  }
}
