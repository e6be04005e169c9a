export { CloudClient, type CloudClientOptions } from './client.js';
export { decryptE2e } from './decrypt-e2e.js';
export { encryptE2eDownlink } from './encrypt-e2e-downlink.js';
export { CloudRequestError, E2eDecryptError } from './errors.js';
// Cloud-prefixed where the plain name would be ambiguous beside the modem API.
export type {
  DeviceInfo as CloudDevice,
  E2eDownlinkParameters,
  E2eUplinkParameters,
  FeatureName as CloudFeatureName,
  ProvisioningStatus,
  PskResult,
  RootCa,
} from './types.js';
