import { randomInt } from 'node:crypto';
import type { CloudServices } from '../cloud-services.js';
import { conflict, notFound } from '../errors.js';
import { one, type SqlQueryable } from '../store/sql.js';
import { createPopCertificate, createRootCa, type SubjectInput } from '../ztp/x509.js';

/**
 * ZTP root CAs: customer CAs whose keys never leave the store (encrypted at rest, decrypted
 * only inside a signing call), and the proof-of-possession certificate AWS IoT / Azure DPS
 * ask for when such a CA is registered with them.
 */
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const newRootCaUid = (): string => Array.from({ length: 22 }, () => BASE62[randomInt(62)]).join('');
const caKeyAad = (uid: string): string => `ztp-ca-key:${uid}`;

/** Validity of device certificates when neither the CA nor a provisioning setting gives one. */
export const DEFAULT_DEVICE_CERT_VALIDITY_DAYS = 3650;

export interface CaRow {
  uid: string;
  account_id: string;
  name: string;
  certificate: string;
  key_enc: string;
  device_validity_days: number;
  created_at: number;
}

/** Seed 001 names a CA by the name given at creation; RootCAUID works as well. */
export interface CaRef {
  RootCAUID?: string;
  RootCAName?: string;
}

export async function createZtpRootCa(cloud: CloudServices, accountId: string, p: { Name: string; ValidityDays: number; DeviceValidityDays?: number; Subject?: SubjectInput }) {
  const uid = newRootCaUid();
  const ca = await createRootCa(p.Subject ?? { CN: p.Name }, p.ValidityDays, cloud.clock.now());
  const res = await cloud.db.query(
    `INSERT INTO ztp_root_cas (uid, account_id, name, certificate, key_enc, device_validity_days, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT DO NOTHING`,
    [uid, accountId, p.Name, ca.certificatePem, cloud.atRest.encrypt(ca.privateKeyPkcs8, caKeyAad(uid)), p.DeviceValidityDays ?? DEFAULT_DEVICE_CERT_VALIDITY_DAYS, cloud.clock.now()],
  );
  if (res.changes === 0) throw conflict('A root CA with this name exists');
  return { RootCAUID: uid, Certificate: ca.certificatePem };
}

/** A CA of this account by name or UID; unknown and foreign are both 404. */
export async function ownedCa(db: SqlQueryable, accountId: string, ref: CaRef | string): Promise<CaRow> {
  const r = typeof ref === 'string' ? { RootCAUID: ref } : ref;
  const row = r.RootCAUID
    ? await one<CaRow>(db, `SELECT * FROM ztp_root_cas WHERE uid = $1 AND account_id = $2`, [r.RootCAUID, accountId])
    : await one<CaRow>(db, `SELECT * FROM ztp_root_cas WHERE name = $1 AND account_id = $2`, [r.RootCAName ?? '', accountId]);
  if (!row) throw notFound('Root CA');
  return row;
}

export function issuerOf(cloud: CloudServices, ca: CaRow) {
  return { certificatePem: ca.certificate, privateKeyPkcs8: cloud.atRest.decrypt(ca.key_enc, caKeyAad(ca.uid)) };
}

const caView = (ca: CaRow) => ({
  RootCAUID: ca.uid,
  Name: ca.name,
  DeviceValidityDays: Number(ca.device_validity_days),
  Certificate: ca.certificate,
  CreatedAt: new Date(Number(ca.created_at)).toISOString(),
});

export async function getZtpRootCa(cloud: CloudServices, accountId: string, ref: CaRef) {
  return caView(await ownedCa(cloud.db, accountId, ref));
}

export async function listZtpRootCas(cloud: CloudServices, accountId: string) {
  const { rows } = await cloud.db.query<CaRow>(`SELECT * FROM ztp_root_cas WHERE account_id = $1 ORDER BY created_at, uid`, [accountId]);
  return { RootCAs: rows.map(caView) };
}

export async function popCertificate(cloud: CloudServices, accountId: string, ref: CaRef, commonName: string) {
  const ca = await ownedCa(cloud.db, accountId, ref);
  return { Certificate: await createPopCertificate(issuerOf(cloud, ca), commonName, cloud.clock.now()) };
}
