import type { Migration } from '../migration.js';

/**
 * Key services (C2): the devIdx lookup, ZTP root CAs, bootstrap (per profile) and device
 * provisioning. PSK and E2E keys need no table: they are regenerated from the identity.
 */
export const migration: Migration = {
  id: 100,
  name: 'keys',
  sql: [
    // Key identities carry the low 6 bytes of the RoT UID (notes §5.1): the device is found
    // by them, so they are unique across the registry.
    `CREATE UNIQUE INDEX rots_dev_idx ON rots (substr(rot_uid, 5))`,
    `CREATE TABLE ztp_root_cas (
       uid TEXT PRIMARY KEY,
       account_id TEXT NOT NULL REFERENCES accounts(id),
       name TEXT NOT NULL,
       certificate TEXT NOT NULL,
       key_enc TEXT NOT NULL,
       device_validity_days BIGINT NOT NULL,
       created_at BIGINT NOT NULL)`,
    // Seed 001 names a CA by its name in later calls: unique per account.
    `CREATE UNIQUE INDEX ztp_root_cas_account_name ON ztp_root_cas(account_id, name)`,
    `CREATE TABLE ztp_profile_provisioning (
       profile_uid TEXT PRIMARY KEY REFERENCES profiles(uid),
       enabled INTEGER NOT NULL,
       root_ca_uid TEXT NOT NULL REFERENCES ztp_root_cas(uid),
       validity_days BIGINT)`,
    `CREATE TABLE ztp_device_provisioning (
       rot_uid TEXT PRIMARY KEY REFERENCES devices(rot_uid),
       enabled INTEGER,
       root_ca_uid TEXT REFERENCES ztp_root_cas(uid),
       validity_days BIGINT,
       certificate TEXT,
       ca_certificates TEXT,
       issued_at BIGINT)`,
  ],
};
