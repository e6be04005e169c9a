import { z } from 'zod';
import { defineRoute } from '../route-def.js';
import { hexString, rotUid } from '../schemas.js';
import { downlinkParameters, rotateE2eKey, uplinkParameters } from '../services/key-e2e.js';
import { getPsk } from '../services/key-psk.js';

/** Key services for backends: GetPSK, E2E parameters (uplink, downlink), key rotation. */
export const routes = [
  defineRoute({
    method: 'POST',
    url: '/v1/psk/get',
    auth: 'account',
    summary: 'GetPSK: regenerate a module-generated PSK from its identity (PSK feature required)',
    body: z.strictObject({
      KeyID: hexString({ maxBytes: 32 }),
      /** Seed 001: optional, in bits (128 | 256, default 256); 16 | 32 are taken as bytes (notes §3). */
      KeyLength: z.union([z.literal(128), z.literal(256), z.literal(16), z.literal(32)]).default(256),
    }),
    response: z.object({ PSK: z.string(), KeyLength: z.number(), ROTPublicUID: z.string() }),
    handler: ({ body, account, cloud }) => getPsk(cloud, account.accountId, body.KeyID, body.KeyLength),
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/e2e/uplink/protectionparameters/get',
    auth: 'account',
    summary: 'GetE2EDecryptionParameters: key and nonce for an uplink blob, from its key identity (first 32 hex chars for V1, 22 for V2)',
    body: z.strictObject({ EncryptedHeader: hexString({ minBytes: 11, maxBytes: 16 }) }),
    response: z.object({ Nonce: z.string(), MACLength: z.number(), CipherSuite: z.string(), Key: z.string(), ROTPublicUID: z.string() }),
    handler: ({ body, account, cloud }) => uplinkParameters(cloud, account.accountId, body.EncryptedHeader),
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/e2e/downlink/protectionparameters/get',
    auth: 'account',
    summary: 'A fresh key identity, key and nonce to encrypt data for a device (EncryptedHeader ‖ ciphertext ‖ tag)',
    body: z.strictObject({ ROTPublicUID: rotUid }),
    response: z.object({ EncryptedHeader: z.string(), Nonce: z.string(), MACLength: z.number(), CipherSuite: z.string(), Key: z.string() }),
    handler: ({ body, account, cloud }) => downlinkParameters(cloud, account.accountId, body.ROTPublicUID),
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/e2e/keyrotation/set',
    auth: 'account',
    summary: "Start the device's next E2E key epoch (delivered by its next heartbeat)",
    body: z.strictObject({ ROTPublicUID: rotUid }),
    response: z.object({ KeyEpoch: z.number() }),
    handler: ({ body, account, cloud }) => rotateE2eKey(cloud, account.accountId, body.ROTPublicUID),
  }),
];
