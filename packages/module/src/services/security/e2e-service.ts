import { devIdxOf, E2E_V1, E2E_V2, e2eDecrypt, e2eEncrypt, parseE2eIdentity, SecurityFormatError, e2eEpochSalt, e2eV1Identity, e2eV2Identity, randomEpochSalt, type E2eVersion } from '@modemlab/at';
import type { NvmStore } from '../../nvm/store.js';
import type { RootOfTrust } from '../rot/root-of-trust.js';
import { KeyServiceError, requireFeature } from './key-service-error.js';
import type { SecurityState } from './security-state.js';

/** What the module keeps of its E2E use (NVM): the chosen format and the message counter of the epoch. */
interface E2eRecord {
  version?: E2eVersion;
  epoch: number;
  counter: number;
}

const NAMESPACE = 'security-e2e';
const FRESH: E2eRecord = { epoch: 0, counter: 0 };

/**
 * End-to-end data protection, upstream (seed 001 §6.2, notes §5.2/§5.3). "Key until
 * rotation" mode: one key per key epoch (delivered by heartbeats in
 * `security.record.keyEpoch`), a counter per message so the nonce never repeats; the
 * counter is in the NVM before a blob leaves, so a reboot never reuses one. When the V1
 * counter of an epoch is spent, V1 falls back to "a key per message" (a random epoch salt);
 * a spent V2 counter refuses until the next rotation. Gated by the E2E feature.
 */
export class E2eService {
  constructor(
    private readonly rot: RootOfTrust,
    private readonly security: SecurityState,
    private readonly nvm: NvmStore,
    private readonly defaultVersion: E2eVersion,
    readonly versions: readonly E2eVersion[],
  ) {}

  check(): void {
    requireFeature(this.security, 'E2E');
  }

  /** +USECOPCMD="e2e_enc": the format new blobs use. */
  get version(): E2eVersion {
    return this.nvm.read<E2eRecord>(NAMESPACE, FRESH).version ?? this.defaultVersion;
  }

  setVersion(version: E2eVersion): void {
    this.check();
    if (!this.versions.includes(version)) throw new KeyServiceError('bad-data', `E2E V${version} is not available`);
    this.nvm.update<E2eRecord>(NAMESPACE, FRESH, (r) => {
      r.version = version;
    });
  }

  /** identity ‖ ciphertext ‖ tag: 32 bytes more than the plaintext in V1, 28 in V2. */
  encrypt(plaintext: Buffer): Buffer {
    this.check();
    const version = this.version;
    const epoch = this.security.record.keyEpoch;
    const devIdx = devIdxOf(this.rot.uid);
    const stored = this.nvm.read<E2eRecord>(NAMESPACE, FRESH);
    const counter = stored.epoch === epoch ? stored.counter : 0;
    let identity: Buffer;
    if (version === 1) {
      identity =
        counter <= E2E_V1.maxCounter
          ? e2eV1Identity({ devIdx, epochSalt: e2eEpochSalt(this.rot.secret, epoch), counter })
          : e2eV1Identity({ devIdx, epochSalt: randomEpochSalt(), counter: 0 });
    } else {
      if (counter > E2E_V2.maxCounter) throw new KeyServiceError('too-large', 'E2E V2 counter of this key epoch spent: wait for a key rotation');
      identity = e2eV2Identity({ devIdx, epoch, counter });
    }
    this.nvm.update<E2eRecord>(NAMESPACE, FRESH, (r) => {
      r.epoch = epoch;
      r.counter = counter + 1;
    });
    return e2eEncrypt(this.rot.secret, identity, plaintext);
  }

  /**
   * +USECE2EDATADEC (downlink, our design of notes §1.4): a blob the cloud app sealed with
   * GetE2EDownlinkParameters (key set 0x02, this module's devIdx) → its plaintext. An uplink
   * blob, another module's, a tampered or short one: 'bad-data', nothing changes.
   */
  decrypt(blob: Buffer): Buffer {
    this.check();
    try {
      const id = parseE2eIdentity(blob);
      if (id.direction !== 'downlink') throw new KeyServiceError('bad-data', 'not a downlink E2E blob');
      if (!id.devIdx.equals(devIdxOf(this.rot.uid))) throw new KeyServiceError('bad-data', 'an E2E blob for another module');
      return e2eDecrypt(this.rot.secret, blob);
    } catch (e) {
      if (e instanceof SecurityFormatError) throw new KeyServiceError('bad-data', e.message);
      throw e;
    }
  }
}
