import { z } from 'zod';
import { notFound } from '../errors.js';
import { defineRoute } from '../route-def.js';
import { deviceProfileUid, emptyBody, emptyResponse, featureName, featuresResponse, rotUid, text } from '../schemas.js';
import { featuresFromList, newProfileUid } from '../services/devices.js';
import { one, type SqlQueryable } from '../store/sql.js';

const profileView = z.object({
  DeviceProfileUID: z.string(),
  Name: z.string(),
  PricePlan: z.string(),
  Features: featuresResponse,
  Whitelist: z.boolean(),
  WhitelistedROTPublicUIDs: z.array(z.string()),
});

async function ownedProfile(db: SqlQueryable, accountId: string, uid: string) {
  const p = await one<{ uid: string; name: string; price_plan: string; whitelist: number; features: string }>(
    db,
    `SELECT uid, name, price_plan, whitelist, features FROM profiles WHERE uid = $1 AND account_id = $2`,
    [uid, accountId],
  );
  if (!p) throw notFound('Device profile');
  return p;
}

const whitelistBody = z.strictObject({ DeviceProfileUID: deviceProfileUid, ROTPublicUIDs: z.array(rotUid).min(1).max(1000) });

/** Device profiles: a feature set and price plan that devices are sealed into, and its whitelist. */
export const routes = [
  defineRoute({
    method: 'POST',
    url: '/v1/deviceprofile/create',
    auth: 'account',
    summary: 'Create a device profile; its whitelist is on unless Whitelist is false',
    body: z.strictObject({
      Name: text(200),
      PricePlan: text(100).default('Developer'),
      Features: z.array(featureName).max(6).default([]),
      Whitelist: z.boolean().default(true),
    }),
    response: z.object({ DeviceProfileUID: z.string() }),
    async handler({ body, account, cloud }) {
      const uid = newProfileUid();
      await cloud.db.query(
        `INSERT INTO profiles (uid, account_id, name, price_plan, whitelist, features, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [uid, account.accountId, body.Name, body.PricePlan, body.Whitelist ? 1 : 0, JSON.stringify([...new Set(body.Features)]), cloud.clock.now()],
      );
      return { DeviceProfileUID: uid };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/deviceprofile/get',
    auth: 'account',
    summary: 'A device profile of this account',
    body: z.strictObject({ DeviceProfileUID: deviceProfileUid }),
    response: profileView,
    async handler({ body, account, cloud }) {
      const p = await ownedProfile(cloud.db, account.accountId, body.DeviceProfileUID);
      const { rows } = await cloud.db.query<{ rot_uid: string }>(`SELECT rot_uid FROM whitelist WHERE profile_uid = $1 ORDER BY rot_uid`, [p.uid]);
      return {
        DeviceProfileUID: p.uid,
        Name: p.name,
        PricePlan: p.price_plan,
        Features: featuresFromList(JSON.parse(p.features) as string[]),
        Whitelist: p.whitelist === 1,
        WhitelistedROTPublicUIDs: rows.map((r) => r.rot_uid),
      };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/deviceprofile/list',
    auth: 'account',
    summary: "This account's device profiles",
    body: emptyBody,
    response: z.object({ DeviceProfiles: z.array(z.object({ DeviceProfileUID: z.string(), Name: z.string() })) }),
    async handler({ account, cloud }) {
      const { rows } = await cloud.db.query<{ uid: string; name: string }>(`SELECT uid, name FROM profiles WHERE account_id = $1 ORDER BY created_at, uid`, [account.accountId]);
      return { DeviceProfiles: rows.map((r) => ({ DeviceProfileUID: r.uid, Name: r.name })) };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/deviceprofile/features/set',
    auth: 'account',
    summary: "Replace a profile's features (devices get them at their next heartbeat)",
    body: z.strictObject({ DeviceProfileUID: deviceProfileUid, Features: z.array(featureName).max(6) }),
    response: emptyResponse,
    async handler({ body, account, cloud }) {
      await ownedProfile(cloud.db, account.accountId, body.DeviceProfileUID);
      await cloud.db.query(`UPDATE profiles SET features = $1 WHERE uid = $2`, [JSON.stringify([...new Set(body.Features)]), body.DeviceProfileUID]);
      return {};
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/deviceprofile/whitelist/add',
    auth: 'account',
    summary: "Whitelist roots of trust; devices of this profile held ALLOCATED/blacklisted become ACTIVE",
    body: whitelistBody,
    response: emptyResponse,
    async handler({ body, account, cloud }) {
      await ownedProfile(cloud.db, account.accountId, body.DeviceProfileUID);
      await cloud.db.transaction(async (tx) => {
        for (const uid of new Set(body.ROTPublicUIDs)) {
          await tx.query(`INSERT INTO whitelist (profile_uid, rot_uid) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [body.DeviceProfileUID, uid]);
          await tx.query(
            `UPDATE devices SET state = 'ACTIVE', blacklisted = 0 WHERE rot_uid = $1 AND profile_uid = $2 AND state = 'ALLOCATED' AND blacklisted = 1`,
            [uid, body.DeviceProfileUID],
          );
        }
      });
      return {};
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/deviceprofile/whitelist/remove',
    auth: 'account',
    summary: 'Remove roots of trust from the whitelist (devices already sealed keep their state)',
    body: whitelistBody,
    response: emptyResponse,
    async handler({ body, account, cloud }) {
      await ownedProfile(cloud.db, account.accountId, body.DeviceProfileUID);
      await cloud.db.transaction(async (tx) => {
        for (const uid of new Set(body.ROTPublicUIDs)) {
          await tx.query(`DELETE FROM whitelist WHERE profile_uid = $1 AND rot_uid = $2`, [body.DeviceProfileUID, uid]);
        }
      });
      return {};
    },
  }),
];
