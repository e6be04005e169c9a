import { randomInt } from 'node:crypto';
import { conflict, notFound } from '../errors.js';
import { FEATURE_NAMES, noFeatures, type FeatureName, type Features } from '../schemas.js';
import { one, type SqlQueryable } from '../store/sql.js';

export type DeviceState = 'BOOTSTRAPPED' | 'ALLOCATED' | 'ACTIVE' | 'SUSPENDED';

export interface DeviceRow {
  rot_uid: string;
  account_id: string | null;
  profile_uid: string | null;
  serial: string | null;
  state: DeviceState;
  blacklisted: number;
  cloned: number;
  feature_overrides: string;
  last_features: string;
  key_epoch: number;
  last_heartbeat: number | null;
  profile_features: string | null;
}

/** Device columns plus its profile's feature list. */
export const DEVICE_SELECT = `SELECT d.rot_uid, d.account_id, d.profile_uid, d.serial, d.state, d.blacklisted, d.cloned,
  d.feature_overrides, d.last_features, d.key_epoch, d.last_heartbeat, p.features AS profile_features
  FROM devices d LEFT JOIN profiles p ON p.uid = d.profile_uid`;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const newProfileUid = (): string => Array.from({ length: 22 }, () => BASE62[randomInt(62)]).join('');

export function featuresFromList(list: readonly string[]): Features {
  const f = noFeatures();
  for (const name of list) if ((FEATURE_NAMES as readonly string[]).includes(name)) f[name as FeatureName] = true;
  return f;
}

/**
 * What a device may use now: its profile's features with the per-device overrides on top,
 * and nothing at all unless it is ACTIVE, not blacklisted and not flagged Cloned.
 */
export function effectiveFeatures(d: DeviceRow): Features {
  if (d.state !== 'ACTIVE' || d.blacklisted || d.cloned) return noFeatures();
  const base = featuresFromList(d.profile_features ? (JSON.parse(d.profile_features) as string[]) : []);
  return { ...base, ...(JSON.parse(d.feature_overrides) as Partial<Features>) };
}

export function deviceView(d: DeviceRow) {
  return {
    ROTPublicUID: d.rot_uid,
    DeviceProfileUID: d.profile_uid,
    DeviceSerialNumber: d.serial,
    State: d.state,
    Blacklisted: d.blacklisted === 1,
    Cloned: d.cloned === 1,
    Features: effectiveFeatures(d),
    KeyEpoch: Number(d.key_epoch),
    LastHeartbeat: d.last_heartbeat === null ? null : new Date(Number(d.last_heartbeat)).toISOString(),
  };
}

/** A device the account owns, or 404 (unknown and foreign look the same). */
export async function ownedDevice(db: SqlQueryable, accountId: string, rotUid: string): Promise<DeviceRow> {
  const d = await one<DeviceRow>(db, `${DEVICE_SELECT} WHERE d.rot_uid = $1 AND d.account_id = $2`, [rotUid, accountId]);
  if (!d) throw notFound('Device');
  return d;
}

export async function moduleDevice(db: SqlQueryable, rotUid: string): Promise<DeviceRow | undefined> {
  return one<DeviceRow>(db, `${DEVICE_SELECT} WHERE d.rot_uid = $1`, [rotUid]);
}

/**
 * Seals a bootstrapped device into a profile (module seal or API claim): whitelisted (or
 * the profile has no whitelist) → ACTIVE with the profile's features; otherwise ALLOCATED
 * and blacklisted, no features (u-blox's rule). Sealing is once-only.
 * `claimant` set: an API claim by that account — a device sealed elsewhere is 404 for it.
 */
export async function sealDevice(
  tx: SqlQueryable,
  s: { rotUid: string; profileUid: string; serial: string; now: number; claimant?: string },
): Promise<DeviceState> {
  const profile = await one<{ account_id: string; whitelist: number }>(tx, `SELECT account_id, whitelist FROM profiles WHERE uid = $1`, [s.profileUid]);
  if (!profile || (s.claimant !== undefined && profile.account_id !== s.claimant)) throw notFound('Device profile');
  const device = await one<{ account_id: string | null; state: string }>(tx, `SELECT account_id, state FROM devices WHERE rot_uid = $1`, [s.rotUid]);
  if (!device) throw s.claimant !== undefined ? notFound('Device') : conflict('Device not bootstrapped');
  if (device.account_id !== null) {
    if (s.claimant !== undefined && device.account_id !== s.claimant) throw notFound('Device');
    throw conflict('Device already sealed');
  }
  const listed = await one(tx, `SELECT 1 AS x FROM whitelist WHERE profile_uid = $1 AND rot_uid = $2`, [s.profileUid, s.rotUid]);
  const allowed = profile.whitelist === 0 || listed !== undefined;
  const state: DeviceState = allowed ? 'ACTIVE' : 'ALLOCATED';
  const res = await tx.query(
    `UPDATE devices SET account_id = $1, profile_uid = $2, serial = $3, state = $4, blacklisted = $5, sealed_at = $6
     WHERE rot_uid = $7 AND account_id IS NULL`,
    [profile.account_id, s.profileUid, s.serial, state, allowed ? 0 : 1, s.now, s.rotUid],
  );
  if (res.changes !== 1) throw conflict('Device already sealed');
  return state;
}
