import { z } from 'zod';
import { defineRoute } from '../route-def.js';
import { emptyResponse, hexString, rotUid, text } from '../schemas.js';
import { registerRot } from '../services/factory.js';

/** Secure production: register a module's root of trust (factory accounts only). */
export const routes = [
  defineRoute({
    method: 'POST',
    url: '/v1/factory/rot/register',
    auth: 'factory',
    summary: "Register a module's root of trust once: chip id, ROTPublicUID, 32-byte root secret",
    body: z.strictObject({ ChipID: text(64), ROTPublicUID: rotUid, RootSecret: hexString({ bytes: 32 }) }),
    response: emptyResponse,
    async handler({ body, cloud }) {
      await registerRot(cloud.db, cloud.atRest, { ChipID: body.ChipID, ROTPublicUID: body.ROTPublicUID, RootSecret: Buffer.from(body.RootSecret, 'hex') }, cloud.clock.now());
      return {};
    },
  }),
];
