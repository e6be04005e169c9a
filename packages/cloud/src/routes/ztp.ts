import { z } from 'zod';
import { defineRoute } from '../route-def.js';
import { base64String, deviceProfileUid, emptyResponse, rotUid, text } from '../schemas.js';
import { createZtpRootCa, getZtpRootCa, listZtpRootCas, popCertificate } from '../services/key-ztp-ca.js';
import { enrolModule, getBootstrapProvisioning, getDeviceProvisioning, setBootstrapProvisioning, reissueDeviceCertificate, setDeviceProvisioning } from '../services/key-ztp-provisioning.js';

const rootCaUid = z.string().regex(/^[0-9A-Za-z]{22}$/, 'must be 22 base62 characters');
const validityDays = z.number().int().min(1).max(36_500);
const rootCaView = z.object({ RootCAUID: z.string(), Name: z.string(), DeviceValidityDays: z.number(), Certificate: z.string(), CreatedAt: z.string() });
/** Seed 001 names a CA by the name it was created with; its RootCAUID works too. */
const caRef = { RootCAUID: rootCaUid.optional(), RootCAName: text(128).optional() };
const refCount = (o: { RootCAUID?: string; RootCAName?: string }): number => (o.RootCAUID !== undefined ? 1 : 0) + (o.RootCAName !== undefined ? 1 : 0);
const exactlyOneCa = [(o: { RootCAUID?: string; RootCAName?: string }) => refCount(o) === 1, { message: 'give RootCAUID or RootCAName (one of them)' }] as const;
const atMostOneCa = [(o: { RootCAUID?: string; RootCAName?: string }) => refCount(o) <= 1, { message: 'give RootCAUID or RootCAName, not both' }] as const;
const provisioningStatus = z.object({ Status: z.enum(['DISABLED', 'PENDING', 'PROVISIONED']), DeviceCertificate: z.string().optional(), CACertificates: z.string().optional() });

/** Zero-touch provisioning: root CAs, proof of possession, bootstrap and device provisioning, module enrolment. */
export const routes = [
  defineRoute({
    method: 'POST',
    url: '/v1/ztp/rootca/create',
    auth: 'account',
    summary: 'Create a root CA (EC P-256); its private key never leaves the cloud',
    body: z.strictObject({
      Name: text(128),
      KeyType: z.literal('EC_P256').default('EC_P256'),
      ValidityDays: validityDays,
      /** Default validity of the device certificates it issues (seed 001: "validity time both for the CA certificate and the device"). */
      DeviceValidityDays: validityDays.optional(),
      /** Default: CN = Name. */
      Subject: z.strictObject({ CN: text(64), O: text(64).optional(), C: z.string().regex(/^[A-Z]{2}$/, 'must be a 2-letter country code').optional() }).optional(),
    }),
    response: z.object({ RootCAUID: z.string(), Certificate: z.string() }),
    handler: ({ body, account, cloud }) => createZtpRootCa(cloud, account.accountId, body),
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/ztp/rootca/get',
    auth: 'account',
    summary: 'One of your root CAs (certificate only)',
    body: z.strictObject(caRef).refine(...exactlyOneCa),
    response: rootCaView,
    handler: ({ body, account, cloud }) => getZtpRootCa(cloud, account.accountId, body),
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/ztp/rootca/list',
    auth: 'account',
    summary: 'Your root CAs',
    body: z.strictObject({}),
    response: z.object({ RootCAs: z.array(rootCaView) }),
    handler: ({ account, cloud }) => listZtpRootCas(cloud, account.accountId),
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/ztp/rootca/popcertificate/generate',
    auth: 'account',
    summary: 'Proof-of-possession (verification) certificate for AWS IoT / Azure DPS: CN = their code, signed by the CA key',
    body: z.strictObject({ ...caRef, CommonName: text(64) }).refine(...exactlyOneCa),
    response: z.object({ Certificate: z.string() }),
    handler: ({ body, account, cloud }) => popCertificate(cloud, account.accountId, body, body.CommonName),
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/deviceprofile/bootstrapprovisioning/set',
    auth: 'account',
    summary: 'The device certificate every device sealed into the profile gets at enrolment',
    body: z.strictObject({
      DeviceProfileUID: deviceProfileUid,
      DeviceCertificate: z.strictObject({ Enabled: z.boolean(), ...caRef, KeyType: z.literal('EC_P256').default('EC_P256'), ValidityDays: validityDays.optional() }).refine(...exactlyOneCa),
    }),
    response: emptyResponse,
    handler: ({ body, account, cloud }) => setBootstrapProvisioning(cloud, account.accountId, body.DeviceProfileUID, body.DeviceCertificate),
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/deviceprofile/bootstrapprovisioning/get',
    auth: 'account',
    summary: "A profile's bootstrap provisioning",
    body: z.strictObject({ DeviceProfileUID: deviceProfileUid }),
    response: z.object({ DeviceProfileUID: z.string(), DeviceCertificate: z.object({ Enabled: z.boolean(), RootCAUID: z.string().optional(), RootCAName: z.string().optional(), KeyType: z.string().optional(), ValidityDays: z.number().optional() }) }),
    handler: ({ body, account, cloud }) => getBootstrapProvisioning(cloud, account.accountId, body.DeviceProfileUID),
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/device/provisioning/set',
    auth: 'account',
    summary: "A device's own certificate provisioning, over its profile's (the device is PENDING until it enrols again)",
    body: z.strictObject({
      ROTPublicUID: rotUid,
      DeviceCertificate: z.strictObject({ Enabled: z.boolean(), ...caRef, ValidityDays: validityDays.optional() }).refine(...atMostOneCa),
    }),
    response: emptyResponse,
    handler: ({ body, account, cloud }) => setDeviceProvisioning(cloud, account.accountId, body.ROTPublicUID, body.DeviceCertificate),
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/device/provisioning/get',
    auth: 'account',
    summary: "A device's provisioning status and, once it enrolled, its certificate and CA",
    body: z.strictObject({ ROTPublicUID: rotUid }),
    response: provisioningStatus,
    handler: ({ body, account, cloud }) => getDeviceProvisioning(cloud, account.accountId, body.ROTPublicUID),
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/device/provisioning/reissue',
    auth: 'account',
    summary: "A new device certificate: the current one is dropped (PENDING) and the module enrols again after its next heartbeat",
    body: z.strictObject({ ROTPublicUID: rotUid }),
    response: emptyResponse,
    handler: ({ body, account, cloud }) => reissueDeviceCertificate(cloud, account.accountId, body.ROTPublicUID),
  }),
  defineRoute({
    method: 'POST',
    url: '/v1/module/ztp/enrol',
    auth: 'module',
    summary: "Module: the public half of its ZTP key in, its device certificate and CA out",
    body: z.strictObject({ PublicKey: base64String({ maxBytes: 512 }) }),
    response: provisioningStatus,
    handler: ({ body, module, cloud }) => enrolModule(cloud, module.rotUid, body.PublicKey),
  }),
];
