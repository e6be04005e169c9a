import { z } from 'zod';
import { badRequest, notFound } from '../errors.js';
import { one } from '../store/sql.js';
import { defineRoute } from '../route-def.js';
import { deviceProfileUid, emptyResponse, featureFlags, featuresResponse, rotUid, text } from '../schemas.js';
import { DEVICE_SELECT, deviceView, ownedDevice, sealDevice, type DeviceRow } from '../services/devices.js';

const deviceResponse = z.object({
  ROTPublicUID: z.string(),
  DeviceProfileUID: z.string().nullable(),
  DeviceSerialNumber: z.string().nullable(),
  State: z.enum(['BOOTSTRAPPED', 'ALLOCATED', 'ACTIVE', 'SUSPENDED']),
  Blacklisted: z.boolean(),
  Cloned: z.boolean(),
  Features: featuresResponse,
  KeyEpoch: z.number(),
  LastHeartbeat: z.string().nullable(),
});

export const MAX_PAGE_SIZE = 100;

/** Page tokens are the base64url of the last ROTPublicUID of the page (keyset paging). */
function decodePageToken(token: string): string {
  const uid = Buffer.from(token, 'base64url').toString('utf8');
  if (!/^[0-9A-F]{16}$/.test(uid) || Buffer.from(uid, 'utf8').toString('base64url') !== token) throw badRequest('PageToken: invalid');
  return uid;
}

/** Devices of the caller's account: claim (web-API seal), read, list, features, state. */
export const routes = [
  defineRoute({
    method: 'POST',
    url: '/v1/device/claim',
    auth: 'account',
    summary: 'Seal a bootstrapped device into one of your device profiles by its ROTPublicUID (web-API sealing)',
    body: z.strictObject({ ROTPublicUID: rotUid, DeviceProfileUID: deviceProfileUid, DeviceSerialNumber: text(16) }),
    response: z.object({ State: z.enum(['ALLOCATED', 'ACTIVE']) }),
    async handler({ body, account, cloud }) {
      const State = await cloud.db.transaction((tx) =>
        sealDevice(tx, { rotUid: body.ROTPublicUID, profileUid: body.DeviceProfileUID, serial: body.DeviceSerialNumber, now: cloud.clock.now(), claimant: account.accountId }),
      );
      return { State };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/device/get',
    auth: 'account',
    summary: 'One device of this account',
    body: z.strictObject({ ROTPublicUID: rotUid }),
    response: deviceResponse,
    async handler({ body, account, cloud }) {
      return deviceView(await ownedDevice(cloud.db, account.accountId, body.ROTPublicUID));
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/device/list',
    auth: 'account',
    summary: "This account's devices by ROTPublicUID, a page at a time (optionally one profile's)",
    body: z.strictObject({
      DeviceProfileUID: deviceProfileUid.optional(),
      PageSize: z.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
      PageToken: z.string().max(64).optional(),
    }),
    response: z.object({ Devices: z.array(deviceResponse), NextPageToken: z.string().optional() }),
    async handler({ body, account, cloud }) {
      const after = body.PageToken ? decodePageToken(body.PageToken) : '';
      if (body.DeviceProfileUID) {
        const owned = await one(cloud.db, `SELECT 1 AS x FROM profiles WHERE uid = $1 AND account_id = $2`, [body.DeviceProfileUID, account.accountId]);
        if (!owned) throw notFound('Device profile');
      }
      const params: (string | number)[] = [account.accountId, after, body.PageSize + 1];
      let where = `d.account_id = $1 AND d.rot_uid > $2`;
      if (body.DeviceProfileUID) {
        params.push(body.DeviceProfileUID);
        where += ` AND d.profile_uid = $4`;
      }
      const { rows } = await cloud.db.query<DeviceRow>(`${DEVICE_SELECT} WHERE ${where} ORDER BY d.rot_uid LIMIT $3`, params);
      const page = rows.slice(0, body.PageSize);
      const more = rows.length > body.PageSize;
      return {
        Devices: page.map(deviceView),
        ...(more ? { NextPageToken: Buffer.from(page[page.length - 1]!.rot_uid, 'utf8').toString('base64url') } : {}),
      };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/device/features/set',
    auth: 'account',
    summary: "Override a device's features (merged over its profile's; delivered at the next heartbeat)",
    body: z.strictObject({ ROTPublicUID: rotUid, Features: featureFlags }),
    response: emptyResponse,
    async handler({ body, account, cloud }) {
      await cloud.db.transaction(async (tx) => {
        const d = await ownedDevice(tx, account.accountId, body.ROTPublicUID);
        const merged = { ...(JSON.parse(d.feature_overrides) as Record<string, boolean>), ...body.Features };
        await tx.query(`UPDATE devices SET feature_overrides = $1 WHERE rot_uid = $2`, [JSON.stringify(merged), d.rot_uid]);
      });
      return {};
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/device/state/set',
    auth: 'account',
    summary: 'Suspend a sealed device, or make it ACTIVE again (also unblocks an ALLOCATED/blacklisted one)',
    body: z.strictObject({ ROTPublicUID: rotUid, State: z.enum(['ACTIVE', 'SUSPENDED']) }),
    response: z.object({ State: z.enum(['ACTIVE', 'SUSPENDED']) }),
    async handler({ body, account, cloud }) {
      await cloud.db.transaction(async (tx) => {
        const d = await ownedDevice(tx, account.accountId, body.ROTPublicUID);
        await tx.query(`UPDATE devices SET state = $1, blacklisted = $2 WHERE rot_uid = $3`, [body.State, body.State === 'ACTIVE' ? 0 : d.blacklisted, d.rot_uid]);
      });
      return { State: body.State };
    },
  }),
];
