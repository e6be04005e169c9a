import { derivePsk, parsePskIdentity, SecurityFormatError } from '@modemlab/at';
import type { CloudServices } from '../cloud-services.js';
import { badRequest } from '../errors.js';
import { keyedDeviceByDevIdx, requireFeature } from './key-devices.js';

/**
 * GetPSK: the PSK regenerated from its identity (the module is never asked). `keyLength` is
 * in bits as seed 001 says (128 | 256); 16 | 32 (bytes, the notes' design) mean the same
 * lengths. The answer echoes KeyLength as it was asked.
 */
export async function getPsk(cloud: CloudServices, accountId: string, keyIdHex: string, keyLength: 16 | 32 | 128 | 256) {
  const bytes = keyLength >= 128 ? ((keyLength / 8) as 16 | 32) : (keyLength as 16 | 32);
  let devIdx: Buffer;
  try {
    devIdx = parsePskIdentity(Buffer.from(keyIdHex, 'hex')).devIdx;
  } catch (e) {
    if (e instanceof SecurityFormatError) throw badRequest(`KeyID: ${e.message}`);
    throw e;
  }
  const { device, rootSecret } = await keyedDeviceByDevIdx(cloud, accountId, devIdx);
  requireFeature(device, 'PSK');
  return {
    PSK: derivePsk(rootSecret, Buffer.from(keyIdHex, 'hex'), bytes).toString('base64'),
    KeyLength: keyLength,
    ROTPublicUID: device.rot_uid,
  };
}
