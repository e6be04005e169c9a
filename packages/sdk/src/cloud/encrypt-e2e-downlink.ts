import { E2E_V1, e2eSeal } from '@modemlab/at';
import { CloudClient, type CloudClientOptions } from './client.js';

/**
 * The backend's side of E2E downlink (cloud app → device): asks the cloud for fresh
 * downlink parameters of the device (`/v1/e2e/downlink/protectionparameters/get`, a new key
 * identity with key set 0x02), then seals `EncryptedHeader ‖ ciphertext ‖ tag` with them.
 * The module opens it with +USECE2EDATADEC (`modem.security.e2eDecrypt`). Throws
 * CloudRequestError when the cloud refuses (unknown device, E2E not authorized).
 */
export async function encryptE2eDownlink(rotUid: string, data: Uint8Array | string, cloud: CloudClientOptions | CloudClient): Promise<Buffer> {
  const client = cloud instanceof CloudClient ? cloud : new CloudClient(cloud);
  try {
    const p = await client.e2eDownlinkParameters(rotUid);
    if (p.CipherSuite !== E2E_V1.cipherSuite) throw new Error(`unsupported downlink cipher suite ${p.CipherSuite}`);
    const params = { version: 1 as const, key: Buffer.from(p.Key, 'base64'), nonce: Buffer.from(p.Nonce, 'base64'), macLengthBits: p.MACLength, cipherSuite: p.CipherSuite };
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    return e2eSeal(params, Buffer.from(p.EncryptedHeader, 'hex'), bytes);
  } finally {
    if (client !== cloud) client.close();
  }
}
