import type { CloudServices } from '../cloud-services.js';
import { badRequest, CloudError, notFound } from '../errors.js';
import { one, type SqlQueryable } from '../store/sql.js';
import { issueDeviceCertificate, parseP256Spki } from '../ztp/x509.js';
import { effectiveFeatures, moduleDevice, ownedDevice, type DeviceRow } from './devices.js';
import { issuerOf, ownedCa, type CaRef } from './key-ztp-ca.js';

/**
 * ZTP provisioning: which CA issues a device's certificate — per profile ("bootstrap
 * provisioning"), overridable per device — and the module's enrolment, which is when the
 * certificate is issued.
 */
export interface DeviceCertificateConfig extends CaRef {
  Enabled: boolean;
  ValidityDays?: number;
}

/** What every device sealed into the profile receives at enrolment. */
export async function setBootstrapProvisioning(cloud: CloudServices, accountId: string, profileUid: string, cfg: DeviceCertificateConfig) {
  await cloud.db.transaction(async (tx) => {
    const profile = await one(tx, `SELECT 1 AS x FROM profiles WHERE uid = $1 AND account_id = $2`, [profileUid, accountId]);
    if (!profile) throw notFound('Device profile');
    const ca = await ownedCa(tx, accountId, cfg);
    await tx.query(
      `INSERT INTO ztp_profile_provisioning (profile_uid, enabled, root_ca_uid, validity_days) VALUES ($1, $2, $3, $4)
       ON CONFLICT (profile_uid) DO UPDATE SET enabled = $2, root_ca_uid = $3, validity_days = $4`,
      [profileUid, cfg.Enabled ? 1 : 0, ca.uid, cfg.ValidityDays ?? null],
    );
  });
  return {};
}

export async function getBootstrapProvisioning(cloud: CloudServices, accountId: string, profileUid: string) {
  const profile = await one(cloud.db, `SELECT 1 AS x FROM profiles WHERE uid = $1 AND account_id = $2`, [profileUid, accountId]);
  if (!profile) throw notFound('Device profile');
  const row = await one<{ enabled: number; root_ca_uid: string; name: string; validity_days: number | null; device_validity_days: number }>(
    cloud.db,
    `SELECT p.enabled, p.root_ca_uid, p.validity_days, c.name, c.device_validity_days FROM ztp_profile_provisioning p JOIN ztp_root_cas c ON c.uid = p.root_ca_uid WHERE p.profile_uid = $1`,
    [profileUid],
  );
  return {
    DeviceProfileUID: profileUid,
    DeviceCertificate: row
      ? { Enabled: row.enabled === 1, RootCAUID: row.root_ca_uid, RootCAName: row.name, KeyType: 'EC_P256' as const, ValidityDays: Number(row.validity_days ?? row.device_validity_days) }
      : { Enabled: false },
  };
}

/**
 * A per-device setting over its profile's (Enabled false turns ZTP off for this device alone).
 * A certificate issued under the old setting is dropped: the device is PENDING until it enrols again.
 */
export async function setDeviceProvisioning(cloud: CloudServices, accountId: string, rotUid: string, cfg: DeviceCertificateConfig) {
  await cloud.db.transaction(async (tx) => {
    await ownedDevice(tx, accountId, rotUid);
    const ca = cfg.RootCAUID || cfg.RootCAName ? await ownedCa(tx, accountId, cfg) : undefined;
    await tx.query(
      `INSERT INTO ztp_device_provisioning (rot_uid, enabled, root_ca_uid, validity_days) VALUES ($1, $2, $3, $4)
       ON CONFLICT (rot_uid) DO UPDATE SET enabled = $2, root_ca_uid = $3, validity_days = $4,
         certificate = NULL, ca_certificates = NULL, issued_at = NULL`,
      [rotUid, cfg.Enabled ? 1 : 0, ca?.uid ?? null, cfg.ValidityDays ?? null],
    );
  });
  return {};
}

interface Effective {
  enabled: boolean;
  rootCaUid: string | null;
  /** Device setting, else profile setting; null: the CA's DeviceValidityDays. */
  validityDays: number | null;
  certificate: string | null;
  caCertificates: string | null;
}

/** The device's setting where it has one, else its profile's. */
async function effectiveProvisioning(db: SqlQueryable, rotUid: string, profileUid: string | null): Promise<Effective> {
  const dev = await one<{ enabled: number | null; root_ca_uid: string | null; validity_days: number | null; certificate: string | null; ca_certificates: string | null }>(
    db, `SELECT * FROM ztp_device_provisioning WHERE rot_uid = $1`, [rotUid]);
  const prof = profileUid
    ? await one<{ enabled: number; root_ca_uid: string; validity_days: number | null }>(db, `SELECT * FROM ztp_profile_provisioning WHERE profile_uid = $1`, [profileUid])
    : undefined;
  const enabled = dev?.enabled !== null && dev?.enabled !== undefined ? dev.enabled === 1 : prof?.enabled === 1;
  return {
    enabled,
    rootCaUid: dev?.root_ca_uid ?? prof?.root_ca_uid ?? null,
    validityDays: dev?.validity_days ?? prof?.validity_days ?? null,
    certificate: dev?.certificate ?? null,
    caCertificates: dev?.ca_certificates ?? null,
  };
}

/** DISABLED (nothing configured or turned off), PENDING (until the module enrols), PROVISIONED. */
function statusOf(e: Effective): 'DISABLED' | 'PENDING' | 'PROVISIONED' {
  if (e.certificate) return 'PROVISIONED';
  return e.enabled && e.rootCaUid ? 'PENDING' : 'DISABLED';
}

export async function getDeviceProvisioning(cloud: CloudServices, accountId: string, rotUid: string) {
  const d = await ownedDevice(cloud.db, accountId, rotUid);
  const e = await effectiveProvisioning(cloud.db, d.rot_uid, d.profile_uid);
  return {
    Status: statusOf(e),
    ...(e.certificate ? { DeviceCertificate: e.certificate, CACertificates: e.caCertificates ?? '' } : {}),
  };
}

/**
 * Module enrolment (after sealing, and again with a new key generation): the module sends
 * the public half of its ZTP key (derived from its root secret, see @modemlab/at ztp.ts);
 * the cloud issues the certificate with the CA configured for it. Refused with 403 unless
 * the device is sealed, ZTP is authorized and provisioning is enabled.
 */
export async function enrolModule(cloud: CloudServices, rotUid: string, publicKeyB64: string) {
  const spki = await parseP256Spki(Buffer.from(publicKeyB64, 'base64'));
  if (!spki) throw badRequest('PublicKey: must be the SPKI DER of an EC P-256 key, base64');
  const d = await moduleDevice(cloud.db, rotUid);
  if (!d || d.account_id === null) throw new CloudError(409, 'Device not sealed');
  if (!effectiveFeatures(d).ZTP) throw new CloudError(403, 'Feature ZTP is not authorized for this device');
  const e = await effectiveProvisioning(cloud.db, rotUid, d.profile_uid);
  if (!e.enabled || !e.rootCaUid) throw new CloudError(403, 'No device certificate is provisioned for this device');
  const ca = await ownedCa(cloud.db, d.account_id, e.rootCaUid);
  const now = cloud.clock.now();
  const certificate = await issueDeviceCertificate(issuerOf(cloud, ca), { rotUid, serial: d.serial, publicKeySpki: spki, validityDays: Number(e.validityDays ?? ca.device_validity_days), now });
  await cloud.db.query(
    `INSERT INTO ztp_device_provisioning (rot_uid, certificate, ca_certificates, issued_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (rot_uid) DO UPDATE SET certificate = $2, ca_certificates = $3, issued_at = $4`,
    [rotUid, certificate, ca.certificate, now],
  );
  return { Status: 'PROVISIONED' as const, DeviceCertificate: certificate, CACertificates: ca.certificate };
}

/**
 * Certificate re-issue: the device keeps its provisioning setting, its certificate is
 * dropped (PENDING); the next heartbeat tells the module (`ZtpReissue`), which enrols again
 * and stores the new certificate. 403 when no certificate is provisioned for the device.
 */
export async function reissueDeviceCertificate(cloud: CloudServices, accountId: string, rotUid: string) {
  await cloud.db.transaction(async (tx) => {
    const d = await ownedDevice(tx, accountId, rotUid);
    const e = await effectiveProvisioning(tx, d.rot_uid, d.profile_uid);
    if (!e.enabled || !e.rootCaUid) throw new CloudError(403, 'No device certificate is provisioned for this device');
    await tx.query(
      `INSERT INTO ztp_device_provisioning (rot_uid) VALUES ($1)
       ON CONFLICT (rot_uid) DO UPDATE SET certificate = NULL, ca_certificates = NULL, issued_at = NULL`,
      [d.rot_uid],
    );
  });
  return {};
}

/** What a heartbeat tells the module: a certificate waits to be (re)issued at its next enrolment. */
export async function ztpEnrolmentPending(db: SqlQueryable, d: DeviceRow): Promise<boolean> {
  if (d.account_id === null || !effectiveFeatures(d).ZTP) return false;
  return statusOf(await effectiveProvisioning(db, d.rot_uid, d.profile_uid)) === 'PENDING';
}
