import { AtRest } from '../packages/cloud/src/at-rest.js';
import { registerRot } from '../packages/cloud/src/services/factory.js';
import { startTestCloud, type TestCloud, type TestCloudOptions } from '../packages/cloud/src/testing/cloud.js';
import { newAccount, type TestAccount } from '../packages/cloud/src/testing/fixtures.js';
import type { FeatureName } from '../packages/cloud/src/schemas.js';
import type { ModuleHarness } from '../packages/module/src/testing/harness.js';
import type { VirtualModule } from '../packages/module/src/module.js';

/** A real security cloud over HTTPS on loopback and an account that owns profiles. */
export interface SecurityLab {
  cloud: TestCloud;
  account: TestAccount;
  /** What a module is given as its security service (`--cloud`, `--cloud-ca`). */
  endpoint: { url: string; ca: string };
  close(): Promise<void>;
}

export async function startSecurityLab(opts: TestCloudOptions = {}): Promise<SecurityLab> {
  const cloud = await startTestCloud(opts);
  const account = await newAccount(cloud);
  return { cloud, account, endpoint: { url: cloud.url, ca: cloud.caPem }, close: () => cloud.close() };
}

/** Secure production: the module's root of trust enters the cloud's factory registry. */
export async function registerModuleRot(lab: SecurityLab, module: VirtualModule): Promise<void> {
  const rot = module.services.rot;
  await registerRot(lab.cloud.db, new AtRest(lab.cloud.atRestKey), { ChipID: rot.chipId, ROTPublicUID: rot.uid, RootSecret: rot.secret }, Date.now());
}

/** A whitelist-free profile of the lab's account with these features. */
export async function createProfile(lab: SecurityLab, features: FeatureName[]): Promise<string> {
  const res = await lab.account.call<{ DeviceProfileUID: string }>('/v1/deviceprofile/create', { Name: `p-${Math.random().toString(36).slice(2)}`, Features: features, Whitelist: false });
  if (res.status !== 200) throw new Error(`profile: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.DeviceProfileUID;
}

const FINAL = /\r\n(OK|ERROR|\+CME ERROR: [^\r\n]*)\r\n$/;

/** Sends one command line and waits (real I/O: the cloud) for its final result code. */
export async function ask(h: ModuleHarness, command: string, timeoutMs = 10_000): Promise<string> {
  h.take();
  h.terminal.input(Buffer.from(`${command}\r`, 'latin1'));
  let out = '';
  const deadline = Date.now() + timeoutMs;
  while (!FINAL.test(out)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`${command}: no final result; got ${JSON.stringify(out)}`);
    out += await h.waitFor('\r\n', left);
  }
  return out;
}
