import { EventEmitter } from 'node:events';
import type { NvmStore } from '../../nvm/store.js';

/** The features the security service authorizes per device (the cloud's FEATURE_NAMES). */
export type SecurityFeature = 'E2E' | 'PSK' | 'ZTP' | 'C2C' | 'LocalDataProtection' | 'LocalC2CKeyPairing';

/** Device key, certificate and CA chain delivered by zero-touch provisioning (PEM). */
export interface ZtpCredentials {
  key: string;
  certificate: string;
  caChain: string;
}

/** What the module remembers of its standing with the security service (NVM). */
export interface SecurityRecord {
  /** Bootstrapped: the RoT is known to the service (+USECDEVINFO first value). */
  bootstrapped: boolean;
  /** Set by +USECDEVINFO (sealing requested); `sealed` once the service confirmed it. */
  sealRequest?: { profileUid: string; serial: string };
  sealed: boolean;
  /** Features authorized by the last heartbeat (empty after a clone is detected). */
  features: SecurityFeature[];
  /** E2E key epoch announced by heartbeats. */
  keyEpoch: number;
  ztp?: ZtpCredentials;
  /** Module-clock time the last heartbeat was sent (+USECCONN rate limit, persistent across power cycles). */
  lastHeartbeatAt?: number;
  /** Heartbeat period the service asked for, ms (the product's default until it does). */
  heartbeatPeriodMs?: number;
  /** The service flagged this root of trust as used by two devices: features withdrawn. */
  cloned?: boolean;
}

const NAMESPACE = 'security-state';
const FRESH: SecurityRecord = { bootstrapped: false, sealed: false, features: [], keyEpoch: 0 };

/**
 * The module's cached view of the security service: every +USEC* service checks it
 * (feature gating, notes §4) without contacting the cloud. The bootstrap/heartbeat client
 * is the only writer; everything else reads and listens for 'change'.
 */
export class SecurityState extends EventEmitter<{ change: [SecurityRecord] }> {
  constructor(private readonly nvm: NvmStore) {
    super();
  }

  get record(): SecurityRecord {
    return this.nvm.read(NAMESPACE, FRESH);
  }

  has(feature: SecurityFeature): boolean {
    const r = this.record;
    return r.sealed && r.features.includes(feature);
  }

  update(change: (record: SecurityRecord) => void): void {
    const next = this.nvm.update(NAMESPACE, FRESH, change);
    this.emit('change', next);
  }
}
