import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModuleOptions } from '../../module.js';
import type { SecurityFeature, SecurityRecord } from '../../services/security/security-state.js';
import type { ModuleHarness } from '../../testing/harness.js';
import { ublox } from './ublox.testutil.js';

/** A fixed root of trust ("secure production" done once), so derived values are reproducible. */
export interface FixedRot {
  uid: string;
  secret: string;
  chipId: string;
}

/** The RoT UID of ubxlib's example module (notes §1.5), with a fixed secret. */
export const FIXED_ROT: FixedRot = { uid: '0A04F008003C9623', secret: '5ec0'.repeat(16), chipId: 'C41F00000000AB01' };
/** Another module: another UID and another secret. */
export const OTHER_ROT: FixedRot = { uid: '0A04F0080099AA11', secret: '0be7'.repeat(16), chipId: 'C41F00000000AB02' };

export const ALL_KEY_FEATURES: SecurityFeature[] = ['LocalDataProtection', 'PSK', 'E2E', 'ZTP'];

export interface SecuredModule {
  h: ModuleHarness;
  stateDir: string;
  close(): Promise<void>;
}

/**
 * A u-blox module whose state folder holds `rot`, its security state seeded as the
 * bootstrap/heartbeat client would leave it (sealed with `features` unless told otherwise).
 */
export async function securedUblox(
  opts: { rot?: FixedRot; security?: Partial<SecurityRecord>; features?: SecurityFeature[] } & Partial<ModuleOptions> & { registered?: boolean } = {},
): Promise<SecuredModule> {
  const { rot = FIXED_ROT, security, features = ALL_KEY_FEATURES, ...rest } = opts;
  const stateDir = rest.stateDir ?? mkdtempSync(join(tmpdir(), 'modemlab-seckeys-'));
  writeFileSync(join(stateDir, 'root-of-trust.json'), JSON.stringify(rot));
  const h = await ublox({ ...rest, stateDir });
  h.module.services.security.update((r) => {
    Object.assign(r, { bootstrapped: true, sealed: true, features, ...security });
  });
  return {
    h,
    stateDir,
    async close() {
      await h.close();
      if (!rest.stateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
