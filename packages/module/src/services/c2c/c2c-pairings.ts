/**
 * The module's chip-to-chip pairings (seed 001 §5.1.2-5.1.5, notes/security-service.md
 * §1.7): up to `maxPairings` records keyed by TE secret and terminal device name, each with
 * a random slave secret from which the keys are derived, in NVM; and the grace-period
 * counters that let a module that has not bootstrapped yet pair and open sessions a limited
 * number of times. It checks the bootstrap state and features (services.security) on every
 * call and changes nothing when it refuses.
 *
 * Key derivation (ours; the seed names only the inputs: "slave_secret random number,
 * module_secret chip_id"): HKDF-SHA256 over the RoT secret, salt = slave secret || chip id,
 * labels `ubx-emu/c2c/enc` and `ubx-emu/c2c/mac`. The TE secret identifies the record and
 * is not key material (§5.1.2.2). A re-pairing or rekey draws a new slave secret: new keys.
 */
import { randomBytes } from 'node:crypto';
import { confirmationMatches, deriveFromRoot, type C2cKeys } from '@modemlab/at';
import type { C2cTable } from '../../models/c2c-table.js';
import type { NvmStore } from '../../nvm/store.js';
import type { RootOfTrust } from '../rot/root-of-trust.js';
import type { SecurityState } from '../security/security-state.js';

export type C2cErrorKind =
  /** The bootstrap state or features forbid it, or the record is in the wrong state. */
  | 'not-allowed'
  /** Every pairing slot is taken. */
  | 'full'
  /** No pairing for this TE secret on this terminal. */
  | 'unknown-secret'
  /** The V2 confirmation did not decrypt to the tag. */
  | 'bad-confirmation'
  /** The grace period (before bootstrap) is used up. */
  | 'grace-exhausted';

export class C2cError extends Error {
  constructor(
    readonly kind: C2cErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'C2cError';
  }
}

interface PairingRecord {
  teSecret: string;
  device: string;
  slaveSecret: string;
  /** V2: the tag the host must send back encrypted (=4) before the first open; undefined once confirmed. */
  pendingTag?: string;
}

interface C2cNvm {
  pairings: PairingRecord[];
  /** Pairings and opens/closes spent before bootstrap. */
  gracePairingsUsed: number;
  graceOpenCloseUsed: number;
}

const NAMESPACE = 'c2c-pairings';
const FRESH: C2cNvm = { pairings: [], gracePairingsUsed: 0, graceOpenCloseUsed: 0 };

/** What pairing (and rekeying) hands the host. */
export interface C2cPairingResult {
  keys: C2cKeys;
  /** V2: the confirmation tag. */
  confirmationTag?: Buffer;
}

export class C2cPairings {
  constructor(
    private readonly table: C2cTable,
    private readonly nvm: NvmStore,
    private readonly rot: RootOfTrust,
    private readonly security: SecurityState,
  ) {}

  get version(): C2cTable['version'] {
    return this.table.version;
  }

  /** Pairings recorded (for tests and logs). */
  get count(): number {
    return this.load().pairings.length;
  }

  /** Grace operations left before bootstrap: pairings, and opens plus closes. */
  get grace(): { pairings: number; openClose: number } {
    const s = this.load();
    return {
      pairings: Math.max(0, this.table.gracePairings - s.gracePairingsUsed),
      openClose: Math.max(0, this.table.graceOpenClose - s.graceOpenCloseUsed),
    };
  }

  /**
   * +USECC2C=0 (§5.1.2): before bootstrap, within the trial and only for a new TE secret on
   * this terminal; bootstrapped but not sealed, never; sealed, with the C2C and
   * LocalC2CKeyPairing features, and then it may replace an existing pairing.
   */
  pair(teSecret: Buffer, device: string): C2cPairingResult {
    const state = this.load();
    const r = this.security.record;
    const existing = state.pairings.findIndex((p) => this.matches(p, teSecret, device));
    if (!r.bootstrapped) {
      if (existing >= 0) throw new C2cError('not-allowed', 'this TE secret is already paired on this terminal; it cannot be replaced before bootstrap');
      if (state.gracePairingsUsed >= this.table.gracePairings) throw new C2cError('grace-exhausted', 'the pairing trial before bootstrap is used up');
    } else if (!r.sealed) {
      throw new C2cError('not-allowed', 'bootstrapped but not sealed: pairing waits for the device to be claimed');
    } else if (!this.security.has('C2C') || !this.security.has('LocalC2CKeyPairing')) {
      throw new C2cError('not-allowed', 'pairing after bootstrap needs the C2C and LocalC2CKeyPairing features');
    }
    if (existing < 0 && state.pairings.length >= this.table.maxPairings) {
      throw new C2cError('full', `all ${this.table.maxPairings} pairings are in use`);
    }
    const record: PairingRecord = { teSecret: teSecret.toString('hex'), device, slaveSecret: randomBytes(16).toString('hex') };
    const tag = this.table.version === 2 ? randomBytes(16) : undefined;
    if (tag) record.pendingTag = tag.toString('hex');
    this.nvm.update(NAMESPACE, FRESH, (s) => {
      if (existing >= 0) s.pairings[existing] = record;
      else s.pairings.push(record);
      if (!r.bootstrapped) s.gracePairingsUsed++;
    });
    return { keys: this.keysOf(record), ...(tag ? { confirmationTag: tag } : {}) };
  }

  /** +USECC2C=4 (V2): the host's encrypted confirmation tag completes the pairing. */
  confirm(teSecret: Buffer, device: string, blob: Buffer): void {
    const record = this.find(teSecret, device);
    if (this.table.version !== 2 || record.pendingTag === undefined) throw new C2cError('not-allowed', 'nothing to confirm for this TE secret');
    if (!confirmationMatches(this.keysOf(record), Buffer.from(record.pendingTag, 'hex'), blob)) {
      throw new C2cError('bad-confirmation', 'the confirmation does not decrypt to the tag');
    }
    this.nvm.update(NAMESPACE, FRESH, (s) => {
      const p = s.pairings.find((q) => this.matches(q, teSecret, device));
      if (p) delete p.pendingTag;
    });
  }

  /**
   * +USECC2C=1 (§5.1.3): the session keys, if a session may open now. Before bootstrap it
   * spends one grace operation; bootstrapped but not sealed, never; sealed, with the C2C feature.
   */
  open(teSecret: Buffer, device: string): C2cKeys {
    const record = this.find(teSecret, device);
    if (record.pendingTag !== undefined) throw new C2cError('not-allowed', 'the V2 pairing is not confirmed yet (+USECC2C=4)');
    const r = this.security.record;
    if (!r.bootstrapped) {
      if (this.grace.openClose === 0) throw new C2cError('grace-exhausted', 'the C2C grace period before bootstrap is used up');
      this.spendGrace();
    } else if (!r.sealed) {
      throw new C2cError('not-allowed', 'bootstrapped but not sealed: sessions wait for the device to be claimed');
    } else if (!this.security.has('C2C')) {
      throw new C2cError('not-allowed', 'the C2C feature is not authorized');
    }
    return this.keysOf(record);
  }

  /** +USECC2C=2 (§5.1.4): never refused inside a session; before bootstrap it spends a grace operation while any is left. */
  close(): void {
    if (!this.security.record.bootstrapped && this.grace.openClose > 0) this.spendGrace();
  }

  /** +USECC2C=3 (§5.1.5): new keys for the session's pairing (V2: to be confirmed again). */
  rekey(teSecret: Buffer, device: string): C2cPairingResult {
    const record = this.find(teSecret, device);
    const next: PairingRecord = { ...record, slaveSecret: randomBytes(16).toString('hex') };
    const tag = this.table.version === 2 ? randomBytes(16) : undefined;
    if (tag) next.pendingTag = tag.toString('hex');
    this.nvm.update(NAMESPACE, FRESH, (s) => {
      const at = s.pairings.findIndex((q) => this.matches(q, teSecret, device));
      if (at >= 0) s.pairings[at] = next;
    });
    return { keys: this.keysOf(next), ...(tag ? { confirmationTag: tag } : {}) };
  }

  private spendGrace(): void {
    this.nvm.update(NAMESPACE, FRESH, (s) => void s.graceOpenCloseUsed++);
  }

  private find(teSecret: Buffer, device: string): PairingRecord {
    const record = this.load().pairings.find((p) => this.matches(p, teSecret, device));
    if (!record) throw new C2cError('unknown-secret', 'no pairing for this TE secret on this terminal');
    return record;
  }

  private matches(p: PairingRecord, teSecret: Buffer, device: string): boolean {
    return p.device === device && p.teSecret === teSecret.toString('hex');
  }

  private keysOf(record: PairingRecord): C2cKeys {
    const salt = Buffer.concat([Buffer.from(record.slaveSecret, 'hex'), Buffer.from(this.rot.chipId, 'hex')]);
    const secret = this.rot.secret;
    const keys: C2cKeys = {
      version: this.table.version,
      teSecret: Buffer.from(record.teSecret, 'hex'),
      encKey: deriveFromRoot(secret, salt, 'ubx-emu/c2c/enc', 16),
    };
    if (this.table.version === 2) keys.hmacKey = deriveFromRoot(secret, salt, 'ubx-emu/c2c/mac', 16);
    return keys;
  }

  private load(): C2cNvm {
    return this.nvm.read(NAMESPACE, FRESH);
  }
}
