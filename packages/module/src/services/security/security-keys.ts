import type { SecurityKeysTable } from '../../models/security-keys-table.js';
import type { NvmStore } from '../../nvm/store.js';
import type { RootOfTrust } from '../rot/root-of-trust.js';
import { E2eService } from './e2e-service.js';
import { LocalDataService } from './local-data-service.js';
import { PskService } from './psk-service.js';
import type { SecurityState } from './security-state.js';
import { ZtpService } from './ztp-service.js';

/** A product without the key services: the services exist (TLS asks them) but the commands do not. */
const NO_KEYS: SecurityKeysTable = {
  maxData: 0,
  maxFile: 0,
  promptGuardMs: 20_000,
  e2eDefaultVersion: 1,
  e2eVersions: [1],
  devCert: { key: 0, certificate: 1, caChain: 2 },
};

/** The RoT key services of one module, all reading the same root of trust and security state. */
export class SecurityKeys {
  readonly table: SecurityKeysTable;
  readonly local: LocalDataService;
  readonly psk: PskService;
  readonly e2e: E2eService;
  readonly ztp: ZtpService;

  constructor(rot: RootOfTrust, security: SecurityState, nvm: NvmStore, table: SecurityKeysTable | undefined) {
    this.table = table ?? NO_KEYS;
    this.local = new LocalDataService(rot, security);
    this.psk = new PskService(rot, security);
    this.e2e = new E2eService(rot, security, nvm, this.table.e2eDefaultVersion, this.table.e2eVersions);
    this.ztp = new ZtpService(security);
  }
}
