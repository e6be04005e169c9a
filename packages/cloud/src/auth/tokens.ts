import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, importJWK, jwtVerify, type CryptoKey, type JWK } from 'jose';
import type { Clock } from '@modemlab/at';
import type { AtRest } from '../at-rest.js';
import { unauthorized } from '../errors.js';
import { one, type SqlDb } from '../store/sql.js';
import type { AccountPrincipal } from './principals.js';

export const AUTH_TOKEN_SECONDS = 3600;
export const REFRESH_TOKEN_DAYS = 30;
const ISSUER = 'modemlab-cloud';
const AUDIENCE = 'modemlab-cloud-api';
const SIGNING_KEY_ID = 'jwt-rs256-1';

interface SigningKey {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

export const hashRefreshToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * AuthTokens are RS256 JWTs (as the real service issues), 1 h, `sid` naming the session
 * row that the refresh token opened. The signing key lives in the store (private half
 * encrypted at rest): the first process creates it, every other one reads the same key,
 * so a token from one process is accepted by any other on the same database. Verification
 * also checks the session and its API key are not revoked.
 */
export class TokenService {
  private key: Promise<SigningKey> | undefined;

  constructor(
    private readonly db: SqlDb,
    private readonly atRest: AtRest,
    private readonly clock: Clock,
  ) {}

  private signingKey(): Promise<SigningKey> {
    // Caching the immutable key is not state: every process derives the same value from the store.
    this.key ??= this.loadOrCreateKey().catch((err) => {
      this.key = undefined;
      throw err;
    });
    return this.key;
  }

  private async loadOrCreateKey(): Promise<SigningKey> {
    let row = await one<{ public_jwk: string; private_enc: string }>(this.db, `SELECT public_jwk, private_enc FROM signing_keys WHERE id = $1`, [SIGNING_KEY_ID]);
    if (!row) {
      const pair = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
      const pub = JSON.stringify(await exportJWK(pair.publicKey));
      const priv = this.atRest.encrypt(JSON.stringify(await exportJWK(pair.privateKey)), `signing-key:${SIGNING_KEY_ID}`);
      // Two processes may race here; the first insert wins and both read it back.
      await this.db.query(
        `INSERT INTO signing_keys (id, alg, public_jwk, private_enc, created_at) VALUES ($1, 'RS256', $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
        [SIGNING_KEY_ID, pub, priv, this.clock.now()],
      );
      row = await one(this.db, `SELECT public_jwk, private_enc FROM signing_keys WHERE id = $1`, [SIGNING_KEY_ID]);
      if (!row) throw new Error('signing key vanished');
    }
    const privateJwk = JSON.parse(this.atRest.decrypt(row.private_enc, `signing-key:${SIGNING_KEY_ID}`).toString('utf8')) as JWK;
    return {
      privateKey: (await importJWK(privateJwk, 'RS256')) as CryptoKey,
      publicKey: (await importJWK(JSON.parse(row.public_jwk) as JWK, 'RS256')) as CryptoKey,
    };
  }

  async issueAuthToken(p: AccountPrincipal): Promise<string> {
    const { privateKey } = await this.signingKey();
    const iat = Math.floor(this.clock.now() / 1000);
    return new SignJWT({ token_use: 'id', sid: p.sessionId, kid_api: p.keyId, role: p.role })
      .setProtectedHeader({ alg: 'RS256', kid: SIGNING_KEY_ID, typ: 'JWT' })
      .setSubject(p.accountId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setJti(randomUUID())
      .setIssuedAt(iat)
      .setExpirationTime(iat + AUTH_TOKEN_SECONDS)
      .sign(privateKey);
  }

  /** Opens a session for an API key: returns the refresh token (shown once, stored hashed). */
  async openSession(accountId: string, keyId: string): Promise<{ sessionId: string; refreshToken: string }> {
    const sessionId = randomUUID();
    const refreshToken = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    await this.db.query(
      `INSERT INTO sessions (id, refresh_hash, account_id, key_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [sessionId, hashRefreshToken(refreshToken), accountId, keyId, now, now + REFRESH_TOKEN_DAYS * 86_400_000],
    );
    return { sessionId, refreshToken };
  }

  /** The principal a token stands for, or a 401 for anything not valid right now. */
  async verify(token: string): Promise<AccountPrincipal> {
    const { publicKey } = await this.signingKey();
    let payload;
    try {
      // algorithms pins RS256: `alg: none` and HS256-with-the-public-key tokens are refused.
      ({ payload } = await jwtVerify(token, publicKey, {
        algorithms: ['RS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        currentDate: new Date(this.clock.now()),
        requiredClaims: ['exp', 'iat', 'sub'],
      }));
    } catch {
      throw unauthorized();
    }
    const sid = typeof payload.sid === 'string' ? payload.sid : '';
    const row = await one<{ account_id: string; key_id: string; role: string }>(
      this.db,
      `SELECT s.account_id, s.key_id, a.role FROM sessions s
         JOIN api_keys k ON k.key_id = s.key_id
         JOIN accounts a ON a.id = s.account_id
       WHERE s.id = $1 AND s.revoked = 0 AND k.revoked = 0`,
      [sid],
    );
    if (!row || row.account_id !== payload.sub) throw unauthorized();
    return { accountId: row.account_id, keyId: row.key_id, sessionId: sid, role: row.role === 'factory' ? 'factory' : 'customer' };
  }
}

/** `Authorization: <jwt>` (as the official Python client sends it) or `Bearer <jwt>`. */
export function tokenFromHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (m) return m[1];
  return /^\S+$/.test(header.trim()) ? header.trim() : undefined;
}
