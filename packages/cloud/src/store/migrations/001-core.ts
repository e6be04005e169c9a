import type { Migration } from '../migration.js';

/** Accounts, API keys, sessions, JWT signing keys, rate-limit counters. */
export const migration: Migration = {
  id: 1,
  name: 'core',
  sql: [
    `CREATE TABLE accounts (
       id TEXT PRIMARY KEY,
       name TEXT NOT NULL,
       role TEXT NOT NULL,
       created_at BIGINT NOT NULL)`,
    `CREATE TABLE api_keys (
       key_id TEXT PRIMARY KEY,
       account_id TEXT NOT NULL REFERENCES accounts(id),
       secret_hash TEXT NOT NULL,
       created_at BIGINT NOT NULL,
       revoked INTEGER NOT NULL DEFAULT 0)`,
    `CREATE INDEX api_keys_account ON api_keys(account_id)`,
    `CREATE TABLE sessions (
       id TEXT PRIMARY KEY,
       refresh_hash TEXT NOT NULL UNIQUE,
       account_id TEXT NOT NULL REFERENCES accounts(id),
       key_id TEXT NOT NULL REFERENCES api_keys(key_id),
       created_at BIGINT NOT NULL,
       expires_at BIGINT NOT NULL,
       revoked INTEGER NOT NULL DEFAULT 0)`,
    `CREATE TABLE signing_keys (
       id TEXT PRIMARY KEY,
       alg TEXT NOT NULL,
       public_jwk TEXT NOT NULL,
       private_enc TEXT NOT NULL,
       created_at BIGINT NOT NULL)`,
    `CREATE TABLE rate_counters (
       bucket TEXT NOT NULL,
       window_start BIGINT NOT NULL,
       hits BIGINT NOT NULL,
       PRIMARY KEY (bucket, window_start))`,
  ],
};
