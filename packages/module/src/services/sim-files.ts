import type { NvmStore } from '../nvm/store.js';
import { fail } from './errors.js';
import type { IdentityService } from './identity.js';

/** A status word pair of a SIM answer (ISO 7816-4): 144,0 is success. */
export interface SimAnswer {
  sw1: number;
  sw2: number;
  data?: Buffer;
}

/** EF_FPLMN: forbidden networks, 4 entries of 3 bytes, FF = empty. */
export const EF_FPLMN = 28539;
/** EF_ICCID: the card number, BCD with swapped nibbles. */
export const EF_ICCID = 12258;

const OK = { sw1: 144, sw2: 0 };

/**
 * Elementary files of the simulated SIM, for restricted SIM access (+CRSM). Writable
 * files keep their content in NVM (namespace 'sim'), as a real card does.
 */
export class SimFiles {
  constructor(
    private readonly nvm: NvmStore,
    private readonly identity: IdentityService,
  ) {}

  readBinary(fileId: number, offset: number, length: number): SimAnswer {
    const file = this.file(fileId);
    if (!file) return { sw1: 106, sw2: 130 };
    if (offset > file.length) return { sw1: 107, sw2: 0 };
    const len = length === 0 ? file.length - offset : length;
    if (offset + len > file.length) return { sw1: 108, sw2: file.length - offset };
    return { ...OK, data: file.subarray(offset, offset + len) };
  }

  updateBinary(fileId: number, offset: number, data: Buffer): SimAnswer {
    if (fileId !== EF_FPLMN) return this.file(fileId) ? { sw1: 105, sw2: 130 } : { sw1: 106, sw2: 130 };
    const file = this.file(fileId)!;
    if (offset + data.length > file.length) return { sw1: 103, sw2: 0 };
    data.copy(file, offset);
    this.nvm.update<Record<string, string>>('sim', {}, (s) => {
      s[fileId] = file.toString('hex').toUpperCase();
    });
    return OK;
  }

  private file(fileId: number): Buffer | undefined {
    if (!this.identity.simPresent) throw fail('sim-missing');
    if (fileId === EF_FPLMN) return Buffer.from(this.nvm.read<Record<string, string>>('sim', {})[fileId] ?? 'FF'.repeat(12), 'hex');
    if (fileId === EF_ICCID) return swappedBcd(this.identity.iccid.padEnd(20, 'F'));
    return undefined;
  }
}

function swappedBcd(digits: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < digits.length; i += 2) bytes.push(parseInt(digits[i + 1]! + digits[i]!, 16));
  return Buffer.from(bytes);
}
