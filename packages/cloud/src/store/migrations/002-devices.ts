import type { Migration } from '../migration.js';

/**
 * The factory registry (roots of trust), device profiles and their whitelists, devices,
 * and the log of accepted module requests (replay and clone detection).
 */
export const migration: Migration = {
  id: 2,
  name: 'devices',
  sql: [
    `CREATE TABLE rots (
       rot_uid TEXT PRIMARY KEY,
       chip_id TEXT NOT NULL UNIQUE,
       secret_enc TEXT NOT NULL,
       last_counter BIGINT NOT NULL DEFAULT -1,
       created_at BIGINT NOT NULL)`,
    `CREATE TABLE profiles (
       uid TEXT PRIMARY KEY,
       account_id TEXT NOT NULL REFERENCES accounts(id),
       name TEXT NOT NULL,
       price_plan TEXT NOT NULL,
       whitelist INTEGER NOT NULL,
       features TEXT NOT NULL,
       created_at BIGINT NOT NULL)`,
    `CREATE INDEX profiles_account ON profiles(account_id)`,
    `CREATE TABLE whitelist (
       profile_uid TEXT NOT NULL REFERENCES profiles(uid),
       rot_uid TEXT NOT NULL,
       PRIMARY KEY (profile_uid, rot_uid))`,
    `CREATE TABLE devices (
       rot_uid TEXT PRIMARY KEY REFERENCES rots(rot_uid),
       account_id TEXT REFERENCES accounts(id),
       profile_uid TEXT REFERENCES profiles(uid),
       serial TEXT,
       state TEXT NOT NULL,
       blacklisted INTEGER NOT NULL DEFAULT 0,
       cloned INTEGER NOT NULL DEFAULT 0,
       feature_overrides TEXT NOT NULL DEFAULT '{}',
       last_features TEXT NOT NULL DEFAULT '{}',
       key_epoch BIGINT NOT NULL DEFAULT 0,
       last_heartbeat BIGINT,
       bootstrapped_at BIGINT,
       sealed_at BIGINT)`,
    `CREATE INDEX devices_account ON devices(account_id, rot_uid)`,
    `CREATE TABLE module_requests (
       rot_uid TEXT NOT NULL REFERENCES rots(rot_uid),
       counter BIGINT NOT NULL,
       mac TEXT NOT NULL,
       at BIGINT NOT NULL,
       PRIMARY KEY (rot_uid, counter))`,
  ],
};
