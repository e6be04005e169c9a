import { z } from 'zod';
import { CloudError } from '../errors.js';
import { defineRoute } from '../route-def.js';
import { deviceProfileUid, FEATURE_NAMES, featuresResponse, text, type Features } from '../schemas.js';
import { effectiveFeatures, moduleDevice, sealDevice, type DeviceRow } from '../services/devices.js';
import { ztpEnrolmentPending } from '../services/key-ztp-provisioning.js';
import type { SqlQueryable } from '../store/sql.js';

/** How often a module should send its periodic heartbeat. */
export const HEARTBEAT_INTERVAL_SECONDS = 86_400;

const moduleStatus = z.object({
  State: z.enum(['BOOTSTRAPPED', 'ALLOCATED', 'ACTIVE', 'SUSPENDED']),
  /** `+USECDEVINFO?`: module registered, device registered (sealed), device activated. */
  DeviceInfo: z.string(),
  Cloned: z.boolean(),
  Features: featuresResponse,
  KeyEpoch: z.number(),
  Revocations: z.array(z.string()),
  HeartbeatIntervalSeconds: z.number(),
  /** Heartbeat only: a ZTP certificate waits to be (re)issued; the module enrols again. */
  ZtpReissue: z.boolean().optional(),
});

function status(d: DeviceRow, revocations: string[] = []) {
  return {
    State: d.state,
    DeviceInfo: d.account_id === null ? '1,0,1' : '1,1,1',
    Cloned: d.cloned === 1,
    Features: effectiveFeatures(d),
    KeyEpoch: Number(d.key_epoch),
    Revocations: revocations,
    HeartbeatIntervalSeconds: HEARTBEAT_INTERVAL_SECONDS,
  };
}

async function requireDevice(db: SqlQueryable, rotUid: string): Promise<DeviceRow> {
  const d = await moduleDevice(db, rotUid);
  if (!d) throw new CloudError(409, 'Device not bootstrapped');
  return d;
}

/**
 * The module-facing side, authenticated by the module's root of trust (auth: 'module').
 * Every answer carries the device's status, which the module caches (its +USECDEVINFO?
 * triple and the feature authorizations every +USEC* service command checks).
 */
export const routes = [
  defineRoute({
    method: 'POST',
    url: '/v1/module/bootstrap',
    auth: 'module',
    summary: "First contact: the root of trust becomes a BOOTSTRAPPED device (idempotent)",
    body: z.strictObject({ Model: text(64).optional(), FirmwareVersion: text(64).optional() }),
    response: moduleStatus,
    async handler({ module, cloud }) {
      await cloud.db.query(
        `INSERT INTO devices (rot_uid, state, bootstrapped_at) VALUES ($1, 'BOOTSTRAPPED', $2) ON CONFLICT (rot_uid) DO NOTHING`,
        [module.rotUid, cloud.clock.now()],
      );
      return status(await requireDevice(cloud.db, module.rotUid));
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/module/seal',
    auth: 'module',
    summary: 'AT+USECDEVINFO="<DeviceProfileUID>","<serial>": seal into a profile (once only)',
    body: z.strictObject({ DeviceProfileUID: deviceProfileUid, DeviceSerialNumber: text(16) }),
    response: moduleStatus,
    async handler({ body, module, cloud }) {
      return cloud.db.transaction(async (tx) => {
        await sealDevice(tx, { rotUid: module.rotUid, profileUid: body.DeviceProfileUID, serial: body.DeviceSerialNumber, now: cloud.clock.now() });
        return status(await requireDevice(tx, module.rotUid));
      });
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/module/heartbeat',
    auth: 'module',
    summary: 'Security heartbeat: feature authorizations, key epoch, revocations (what was granted and is withdrawn now)',
    body: z.strictObject({ KeyEpoch: z.number().int().min(0).optional() }),
    response: moduleStatus,
    async handler({ module, cloud }) {
      return cloud.db.transaction(async (tx) => {
        const d = await requireDevice(tx, module.rotUid);
        const now = effectiveFeatures(d);
        const before = JSON.parse(d.last_features) as Partial<Features>;
        const revocations = FEATURE_NAMES.filter((f) => before[f] === true && !now[f]);
        await tx.query(`UPDATE devices SET last_heartbeat = $1, last_features = $2 WHERE rot_uid = $3`, [cloud.clock.now(), JSON.stringify(now), d.rot_uid]);
        return { ...status({ ...d, last_heartbeat: cloud.clock.now() }, revocations), ZtpReissue: await ztpEnrolmentPending(tx, d) };
      });
    },
  }),
];
