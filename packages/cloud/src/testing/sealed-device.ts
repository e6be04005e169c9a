import type { FeatureName } from '../schemas.js';
import type { TestCloud } from './cloud.js';
import { newModule, type TestAccount, type TestModule } from './fixtures.js';

export interface SealedDevice {
  module: TestModule;
  profileUid: string;
}

/**
 * A module registered at the factory, bootstrapped, and sealed (by the module, as
 * AT+USECDEVINFO does) into a new whitelist-free profile of `account` with `features`:
 * an ACTIVE device whose key services can be called.
 */
export async function sealedDevice(t: TestCloud, account: TestAccount, features: FeatureName[], serial = '356726100000001'): Promise<SealedDevice> {
  const module = await newModule(t);
  const boot = await module.send('/v1/module/bootstrap', {});
  if (boot.status !== 200) throw new Error(`bootstrap: ${boot.status} ${JSON.stringify(boot.body)}`);
  const profile = await account.call<{ DeviceProfileUID: string }>('/v1/deviceprofile/create', { Name: 'keys', Features: features, Whitelist: false });
  if (profile.status !== 200) throw new Error(`profile: ${profile.status} ${JSON.stringify(profile.body)}`);
  const seal = await module.send<{ State: string }>('/v1/module/seal', { DeviceProfileUID: profile.body.DeviceProfileUID, DeviceSerialNumber: serial });
  if (seal.status !== 200 || seal.body.State !== 'ACTIVE') throw new Error(`seal: ${seal.status} ${JSON.stringify(seal.body)}`);
  return { module, profileUid: profile.body.DeviceProfileUID };
}
