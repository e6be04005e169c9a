import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runTranscript, type TranscriptTransport } from '../packages/module/src/testing/transcript-runner.js';
import { createProfile, registerModuleRot, startSecurityLab, type SecurityLab } from './security-cloud.testutil.js';

/**
 * The seed 001 security-service examples as transcripts, each against a real cloud on
 * loopback: the module's root of trust is registered at the factory and {profile} is a
 * device profile of the lab's account before the host connects.
 */
const dir = new URL('./transcripts-security/', import.meta.url).pathname;
const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();
const transports: TranscriptTransport[] = ['in-process', 'tcp'];

/** A device profile with ZTP authorized and a device certificate from a new ZTP root CA of the account (seed 001 §7.1.4 step 5). */
async function ztpProfile(lab: SecurityLab): Promise<string> {
  const ca = await lab.account.call<{ RootCAUID: string }>('/v1/ztp/rootca/create', { Name: `ztp-${Math.random().toString(36).slice(2)}`, ValidityDays: 365 });
  if (ca.status !== 200) throw new Error(`ZTP root CA: ${ca.status}`);
  const profile = await createProfile(lab, ['ZTP']);
  const prov = await lab.account.call('/v1/deviceprofile/bootstrapprovisioning/set', { DeviceProfileUID: profile, DeviceCertificate: { Enabled: true, RootCAUID: ca.body.RootCAUID } });
  if (prov.status !== 200) throw new Error(`ZTP provisioning: ${prov.status}`);
  return profile;
}

describe('security-service transcripts against a real cloud', () => {
  let lab: SecurityLab;
  before(async () => {
    lab = await startSecurityLab();
  });
  after(async () => {
    await lab.close();
  });
  for (const transport of transports) {
    for (const file of files) {
      it(`${file} over ${transport}`, async () => {
        await runTranscript(readFileSync(join(dir, file), 'utf8'), {
          transport,
          name: file,
          prepare: async (module) => {
            await registerModuleRot(lab, module);
            module.services.securityService.configure(lab.endpoint);
            return {
              profile: await createProfile(lab, ['PSK', 'E2E']),
              profileKeys: await createProfile(lab, ['PSK', 'E2E', 'LocalDataProtection']),
              profileZtp: await ztpProfile(lab),
            };
          },
        });
      });
    }
  }
});
