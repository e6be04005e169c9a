import { derivePsk, parsePskIdentity, SecurityFormatError, type PskLength } from '@modemlab/at';
import type { CloudServices } from '../cloud-services.js';
import { badRequest } from '../errors.js';
import { keyedDeviceByDevIdx, requireFeature } from './key-devices.js';

/** GetPSK: the PSK regenerated from its identity (the module is never asked). */
export async function getPsk(cloud: CloudServices, accountId: string, keyIdHex: string, keyLength: PskLength) {
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
    PSK: derivePsk(rootSecret, Buffer.from(keyIdHex, 'hex'), keyLength).toString('base64'),
    KeyLength: keyLength,
    ROTPublicUID: device.rot_uid,
  };
}
