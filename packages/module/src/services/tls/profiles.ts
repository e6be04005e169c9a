import type { TlsTable } from '../../models/tls-table.js';
import type { NvmStore } from '../../nvm/store.js';

/** Security profiles (+USECPRF). Placeholder until the profile store lands. */
export class SecurityProfiles {
  constructor(
    readonly nvm: NvmStore,
    readonly table: TlsTable,
  ) {}
}
