export { CloudClient, type CloudClientOptions } from './client.js';
export { decryptE2e } from './decrypt-e2e.js';
export { CloudRequestError, E2eDecryptError } from './errors.js';
export type { DeviceInfo, E2eDownlinkParameters, E2eUplinkParameters, FeatureName, ProvisioningStatus, PskResult, RootCa } from './types.js';
