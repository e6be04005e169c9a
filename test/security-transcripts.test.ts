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
            };
          },
        });
      });
    }
  }
});
