import { rotUidSuffixOf } from '@modemlab/at';
import { rotSecretAad } from '../auth/module-auth.js';
import type { CloudServices } from '../cloud-services.js';
import { CloudError, notFound } from '../errors.js';
import type { FeatureName } from '../schemas.js';
import { one } from '../store/sql.js';
import { DEVICE_SELECT, effectiveFeatures, type DeviceRow } from './devices.js';

/** A device of the caller's account with its root secret, from which its keys are regenerated. */
export interface KeyedDevice {
  device: DeviceRow;
  rootSecret: Buffer;
}

const KEYED_SELECT = `${DEVICE_SELECT.replace(/^SELECT /, 'SELECT r.secret_enc, ')} JOIN rots r ON r.rot_uid = d.rot_uid`;

async function keyed(cloud: CloudServices, where: string, params: string[]): Promise<KeyedDevice> {
  const row = await one<DeviceRow & { secret_enc: string }>(cloud.db, `${KEYED_SELECT} WHERE ${where}`, params);
  if (!row) throw notFound('Device');
  const { secret_enc, ...device } = row;
  return { device, rootSecret: cloud.atRest.decrypt(secret_enc, rotSecretAad(device.rot_uid)) };
}

/** By the device part of a key identity (the RoT UID's low 6 bytes); unknown and foreign are both 404. */
export function keyedDeviceByDevIdx(cloud: CloudServices, accountId: string, devIdx: Uint8Array): Promise<KeyedDevice> {
  return keyed(cloud, `substr(r.rot_uid, 5) = $1 AND d.account_id = $2`, [rotUidSuffixOf(devIdx), accountId]);
}

export function keyedDeviceByRotUid(cloud: CloudServices, accountId: string, rotUid: string): Promise<KeyedDevice> {
  return keyed(cloud, `d.rot_uid = $1 AND d.account_id = $2`, [rotUid, accountId]);
}

/**
 * Keys are served only for a device that may use the feature now: ACTIVE, not blacklisted,
 * not flagged Cloned, feature on in its profile or overrides (403 otherwise; the caller owns
 * the device, so saying so leaks nothing).
 */
export function requireFeature(device: DeviceRow, feature: FeatureName): void {
  if (!effectiveFeatures(device)[feature]) throw new CloudError(403, `Feature ${feature} is not authorized for this device`);
}
