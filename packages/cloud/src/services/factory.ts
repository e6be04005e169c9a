import { rotSecretAad } from '../auth/module-auth.js';
import type { AtRest } from '../at-rest.js';
import { conflict } from '../errors.js';
import type { SqlDb } from '../store/sql.js';

export interface RotRegistration {
  ChipID: string;
  /** 16 hex chars, uppercase. */
  ROTPublicUID: string;
  /** 32 bytes. */
  RootSecret: Buffer;
}

/**
 * "Secure production": a module's root of trust enters the registry once, at the factory.
 * The root secret is kept encrypted at rest; a second registration of the same UID or chip
 * id is a 409 (a root of trust is never overwritten).
 */
export async function registerRot(db: SqlDb, atRest: AtRest, r: RotRegistration, now: number): Promise<void> {
  const res = await db.query(
    `INSERT INTO rots (rot_uid, chip_id, secret_enc, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
    [r.ROTPublicUID, r.ChipID, atRest.encrypt(r.RootSecret, rotSecretAad(r.ROTPublicUID)), now],
  );
  if (res.changes === 0) throw conflict('Root of trust or chip id already registered');
}
