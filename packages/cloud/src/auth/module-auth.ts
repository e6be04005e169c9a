import { MODULE_REQUEST_HEADERS, moduleRequestKey, moduleRequestMacValid } from '@modemlab/at';
import type { FastifyRequest } from 'fastify';
import type { CloudServices } from '../cloud-services.js';
import { CloudError, unauthorized } from '../errors.js';
import { one } from '../store/sql.js';
import type { ModulePrincipal } from './principals.js';

/** How many accepted (counter, MAC) pairs are kept per root of trust to tell replays from clones. */
export const REQUEST_LOG_WINDOW = 1024;

export const rotSecretAad = (rotUid: string): string => `rot-secret:${rotUid}`;

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return typeof v === 'string' ? v : undefined;
}

/**
 * Authenticates a module-facing request by its root of trust (see
 * packages/at/src/security/module-request-mac.ts for the MAC):
 * - malformed or missing headers, unknown root of trust, wrong MAC → 401, no state change;
 * - counter above the last accepted one → accepted, recorded;
 * - the same counter with the same MAC → a replay → 401;
 * - a counter at or below the last accepted one with a VALID MAC that differs from what
 *   was accepted at that counter (or a counter never accepted) → only a second holder of
 *   the root secret can produce that: the device is flagged Cloned (features suspended)
 *   and the request is refused with 409;
 * - a counter older than the log window → 401 (cannot tell replay from clone).
 * Modules send their requests one at a time, so a legitimate counter never goes back.
 */
export async function authenticateModule(cloud: CloudServices, request: FastifyRequest, rawBody: Buffer): Promise<ModulePrincipal> {
  const rotUid = header(request, MODULE_REQUEST_HEADERS.rotUid)?.toUpperCase();
  const counterText = header(request, MODULE_REQUEST_HEADERS.counter);
  const nonce = header(request, MODULE_REQUEST_HEADERS.nonce);
  const mac = header(request, MODULE_REQUEST_HEADERS.mac)?.toLowerCase();
  if (!rotUid || !/^[0-9A-F]{16}$/.test(rotUid) || !counterText || !/^\d{1,15}$/.test(counterText) || !nonce || !/^[0-9a-fA-F]{32}$/.test(nonce) || !mac) {
    throw unauthorized('Missing or malformed module credentials');
  }
  const counter = Number(counterText);
  const rot = await one<{ secret_enc: string }>(cloud.db, `SELECT secret_enc FROM rots WHERE rot_uid = $1`, [rotUid]);
  if (!rot) throw unauthorized('Unknown root of trust');
  const key = moduleRequestKey(cloud.atRest.decrypt(rot.secret_enc, rotSecretAad(rotUid)));
  const parts = { method: request.method, path: request.url, rotUid, counter, nonce, body: rawBody };
  if (!moduleRequestMacValid(key, parts, mac)) throw unauthorized('Bad module request MAC');

  const now = cloud.clock.now();
  const verdict = await cloud.db.transaction(async (tx) => {
    const advanced = await tx.query(`UPDATE rots SET last_counter = $1 WHERE rot_uid = $2 AND last_counter < $1`, [counter, rotUid]);
    if (advanced.changes === 1) {
      await tx.query(`INSERT INTO module_requests (rot_uid, counter, mac, at) VALUES ($1, $2, $3, $4)`, [rotUid, counter, mac, now]);
      await tx.query(`DELETE FROM module_requests WHERE rot_uid = $1 AND counter < $2`, [rotUid, counter - REQUEST_LOG_WINDOW]);
      return 'accepted' as const;
    }
    const last = await one<{ last_counter: number }>(tx, `SELECT last_counter FROM rots WHERE rot_uid = $1`, [rotUid]);
    if (counter < Number(last?.last_counter ?? 0) - REQUEST_LOG_WINDOW) return 'stale' as const;
    const seen = await one<{ mac: string }>(tx, `SELECT mac FROM module_requests WHERE rot_uid = $1 AND counter = $2`, [rotUid, counter]);
    if (seen && seen.mac === mac) return 'replay' as const;
    await tx.query(`UPDATE devices SET cloned = 1 WHERE rot_uid = $1`, [rotUid]);
    return 'clone' as const;
  });
  if (verdict === 'replay') throw unauthorized('Replayed module request');
  if (verdict === 'stale') throw unauthorized('Stale module request counter');
  if (verdict === 'clone') {
    request.log.warn({ rotUid, counter }, 'root of trust used by two devices: device flagged as cloned');
    throw new CloudError(409, 'Root of trust used by two devices: device flagged as cloned');
  }
  return { rotUid, counter };
}
