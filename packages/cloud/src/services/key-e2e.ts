import { devIdxOf, e2eParameters, e2eV1Identity, parseE2eIdentity, randomEpochSalt, SecurityFormatError, type E2eIdentity } from '@modemlab/at';
import type { CloudServices } from '../cloud-services.js';
import { badRequest, notFound } from '../errors.js';
import { one } from '../store/sql.js';
import { keyedDeviceByDevIdx, keyedDeviceByRotUid, requireFeature } from './key-devices.js';

/**
 * GetE2EDecryptionParameters. The answer has EXACTLY these five keys, in this order: u-blox's
 * official decryption script builds a namedtuple from it and breaks on any other key set.
 */
export interface UplinkParameters {
  Nonce: string;
  MACLength: number;
  CipherSuite: string;
  Key: string;
  ROTPublicUID: string;
}

export async function uplinkParameters(cloud: CloudServices, accountId: string, headerHex: string): Promise<UplinkParameters> {
  let id: E2eIdentity;
  try {
    id = parseE2eIdentity(Buffer.from(headerHex, 'hex'), { exact: true });
  } catch (e) {
    if (e instanceof SecurityFormatError) throw badRequest(`EncryptedHeader: ${e.message}`);
    throw e;
  }
  // A downlink identity is the cloud's own: a backend never needs it decrypted here.
  if (id.direction !== 'uplink') throw badRequest('EncryptedHeader: not an uplink key identity');
  const { device, rootSecret } = await keyedDeviceByDevIdx(cloud, accountId, id.devIdx);
  requireFeature(device, 'E2E');
  const p = e2eParameters(rootSecret, id.bytes);
  return {
    Nonce: p.nonce.toString('base64'),
    MACLength: p.macLengthBits,
    CipherSuite: p.cipherSuite,
    Key: p.key.toString('base64'),
    ROTPublicUID: device.rot_uid,
  };
}

/**
 * Downlink (cloud app → device): a fresh V1 identity with the downlink key set and a random
 * epoch salt, and its key and nonce. The app sends `EncryptedHeader ‖ ct ‖ tag`; the module
 * regenerates the same key from its root secret (+USECE2EDATADEC).
 */
export async function downlinkParameters(cloud: CloudServices, accountId: string, rotUid: string) {
  const { device, rootSecret } = await keyedDeviceByRotUid(cloud, accountId, rotUid);
  requireFeature(device, 'E2E');
  const identity = e2eV1Identity({ devIdx: devIdxOf(device.rot_uid), epochSalt: randomEpochSalt(), counter: 0, direction: 'downlink' });
  const p = e2eParameters(rootSecret, identity);
  return {
    EncryptedHeader: identity.toString('hex'),
    Nonce: p.nonce.toString('base64'),
    MACLength: p.macLengthBits,
    CipherSuite: p.cipherSuite,
    Key: p.key.toString('base64'),
  };
}

/** Key rotation: the next key epoch, delivered to the module by its next heartbeat. */
export async function rotateE2eKey(cloud: CloudServices, accountId: string, rotUid: string): Promise<{ KeyEpoch: number }> {
  const row = await one<{ key_epoch: number }>(
    cloud.db,
    `UPDATE devices SET key_epoch = key_epoch + 1 WHERE rot_uid = $1 AND account_id = $2 RETURNING key_epoch`,
    [rotUid, accountId],
  );
  if (!row) throw notFound('Device');
  return { KeyEpoch: Number(row.key_epoch) };
}
