import type { CertificateTable } from '../../models/certificate-table.js';
import type { NvmStore } from '../../nvm/store.js';

/** The module's certificate and key database (+USECMNG). Placeholder until the store lands. */
export class CertificateStore {
  constructor(
    readonly nvm: NvmStore,
    readonly table: CertificateTable,
  ) {}
}
