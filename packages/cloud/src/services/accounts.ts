import { randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { conflict } from '../errors.js';
import { one, type SqlDb } from '../store/sql.js';

const scryptAsync = promisify(scrypt) as (pw: string, salt: Buffer, len: number, opts: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

export const MAX_API_KEYS = 5;
const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export type AccountRole = 'customer' | 'factory';

/** `scrypt$N$r$p$<salt b64>$<hash b64>`: the only form an API secret is kept in. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function secretMatches(secret: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const got = await scryptAsync(secret, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return timingSafeEqual(expected, got);
}

export interface ApiKeyPair {
  APIKey: string;
  APISecret: string;
}

function newKeyPair(): ApiKeyPair {
  // 32 characters of base64url, like the real service's secrets.
  return { APIKey: randomUUID(), APISecret: randomBytes(24).toString('base64url') };
}

/** A new account with its first API key pair (the secret is returned once, never stored). */
export async function createAccount(db: SqlDb, name: string, role: AccountRole, now: number): Promise<ApiKeyPair & { AccountID: string }> {
  const id = randomUUID();
  // Hash outside the transaction: SQLite transactions are serialised.
  const { APIKey, APISecret } = newKeyPair();
  const hash = await hashSecret(APISecret);
  await db.transaction(async (tx) => {
    await tx.query(`INSERT INTO accounts (id, name, role, created_at) VALUES ($1, $2, $3, $4)`, [id, name, role, now]);
    await tx.query(`INSERT INTO api_keys (key_id, account_id, secret_hash, created_at) VALUES ($1, $2, $3, $4)`, [APIKey, id, hash, now]);
  });
  return { AccountID: id, APIKey, APISecret };
}

/** Another key pair for an account; 409 once it has MAX_API_KEYS active ones. */
export async function addApiKey(db: SqlDb, accountId: string, now: number): Promise<ApiKeyPair> {
  const pair = newKeyPair();
  const hash = await hashSecret(pair.APISecret);
  // Exclusive so two concurrent creates cannot both pass the count check.
  await db.transaction(async (tx) => {
    const row = await one<{ n: number }>(tx, `SELECT COUNT(*) AS n FROM api_keys WHERE account_id = $1 AND revoked = 0`, [accountId]);
    if (Number(row?.n ?? 0) >= MAX_API_KEYS) throw conflict(`An account has at most ${MAX_API_KEYS} API keys; revoke one first`);
    await tx.query(`INSERT INTO api_keys (key_id, account_id, secret_hash, created_at) VALUES ($1, $2, $3, $4)`, [pair.APIKey, accountId, hash, now]);
  }, { exclusive: true });
  return pair;
}
