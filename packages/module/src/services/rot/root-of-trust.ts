import { randomBytes } from 'node:crypto';
import { ROT_UID_BYTES } from '@modemlab/at';
import type { NvmStore } from '../../nvm/store.js';

/** What the emulated "secure production" writes once into the module's root of trust. */
interface RotRecord {
  /** 8-byte public UID, uppercase hex (+USECROTUID, the cloud's ROTPublicUID). */
  uid: string;
  /** 32-byte root secret, hex: never leaves the module, shared only with the factory registry. */
  secret: string;
  /** The chip's own identifier (+USECCHIP), hex. */
  chipId: string;
}

const NAMESPACE = 'root-of-trust';

/**
 * The module's root of trust (notes/security-service.md §5.1): created once, at the first
 * power-up of a fresh state folder ("secure production"), then read-only for the life of
 * the module. +UFACTORY and reboots never change it; a copied state folder is a clone.
 */
export class RootOfTrust {
  private record: RotRecord | undefined;

  constructor(private readonly nvm: NvmStore) {}

  private load(): RotRecord {
    if (this.record) return this.record;
    let record = this.nvm.read<RotRecord | null>(NAMESPACE, null);
    if (!record) {
      record = {
        uid: randomBytes(ROT_UID_BYTES).toString('hex').toUpperCase(),
        secret: randomBytes(32).toString('hex'),
        chipId: randomBytes(8).toString('hex').toUpperCase(),
      };
      this.nvm.write(NAMESPACE, record);
    }
    this.record = record;
    return record;
  }

  /** 16 uppercase hex characters. */
  get uid(): string {
    return this.load().uid;
  }

  /** The 32-byte root secret: input key material of every key the module derives. */
  get secret(): Buffer {
    return Buffer.from(this.load().secret, 'hex');
  }

  get chipId(): string {
    return this.load().chipId;
  }
}
