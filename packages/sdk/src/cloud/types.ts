/** Response shapes of the security cloud's REST API (see docs/openapi.json). */
export interface E2eUplinkParameters {
  Nonce: string;
  MACLength: number;
  CipherSuite: string;
  Key: string;
  ROTPublicUID: string;
}

export interface E2eDownlinkParameters {
  EncryptedHeader: string;
  Nonce: string;
  MACLength: number;
  CipherSuite: string;
  Key: string;
}

export interface PskResult {
  psk: Buffer;
  keyLength: 16 | 32;
  rotUid: string;
}

export type FeatureName = 'E2E' | 'PSK' | 'ZTP' | 'C2C' | 'LocalDataProtection' | 'LocalC2CKeyPairing';

export interface DeviceInfo {
  ROTPublicUID: string;
  DeviceProfileUID: string | null;
  DeviceSerialNumber: string | null;
  State: 'BOOTSTRAPPED' | 'ALLOCATED' | 'ACTIVE' | 'SUSPENDED';
  Blacklisted: boolean;
  Cloned: boolean;
  Features: Record<FeatureName, boolean>;
  KeyEpoch: number;
  LastHeartbeat: string | null;
}

export interface RootCa {
  RootCAUID: string;
  Certificate: string;
}

export interface ProvisioningStatus {
  Status: 'DISABLED' | 'PENDING' | 'PROVISIONED';
  DeviceCertificate?: string;
  CACertificates?: string;
}
