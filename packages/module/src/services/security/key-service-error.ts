import type { SecurityFeature, SecurityState } from './security-state.js';

/**
 * Why a RoT key service refused (local data, PSK, E2E, ZTP):
 * - not-sealed       the device is not sealed (seed 001: the services follow sealing)
 * - not-authorized   the security service has not authorized the feature (or withdrew it)
 * - bad-data         the data is not a blob of this module (another RoT, tampered, cut short)
 * - not-provisioned  ZTP credentials have not been delivered yet
 * - too-large        more data than the product takes
 */
export type KeyServiceFailure = 'not-sealed' | 'not-authorized' | 'bad-data' | 'not-provisioned' | 'too-large';

export class KeyServiceError extends Error {
  constructor(
    readonly failure: KeyServiceFailure,
    message: string,
  ) {
    super(message);
    this.name = 'KeyServiceError';
  }
}

/**
 * Feature gating (notes §4): every key service checks the module's cached authorizations,
 * never the cloud. Throws before anything changes.
 */
export function requireFeature(security: SecurityState, feature: SecurityFeature): void {
  const r = security.record;
  if (!r.sealed) throw new KeyServiceError('not-sealed', `${feature}: the device is not sealed`);
  if (!r.features.includes(feature)) throw new KeyServiceError('not-authorized', `${feature}: feature not authorized for this device`);
}
