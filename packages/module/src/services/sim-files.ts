import type { NvmStore } from '../nvm/store.js';
import { fail } from './errors.js';
import type { IdentityService } from './identity.js';

/** A status word pair of a SIM answer (ISO 7816-4): 144,0 is success. */
export interface SimAnswer {
  sw1: number;
  sw2: number;
  data?: Buffer;
}

/** EF_FPLMN: forbidden networks, 3 bytes per entry, FF = empty. */
export const EF_FPLMN = 28539;
/** EF_ICCID: the card number, BCD with swapped nibbles. */
export const EF_ICCID = 12258;
/** EF_IMSI: length byte, then the IMSI in BCD with the parity nibble (TS 31.102 §4.2.2). */
export const EF_IMSI = 28423;
/** EF_AD: administrative data; its 4th byte is the length of the MNC in the IMSI. */
export const EF_AD = 28589;
/** EF_HPPLMN: the higher-priority PLMN search period, in units of 6 minutes. */
export const EF_HPPLMN = 28465;

/**
 * One transparent elementary file: its size, whether +CRSM UPDATE BINARY may write it
 * (kept in NVM, as a card keeps it), and its factory content.
 */
interface ElementaryFile {
  size: number;
  writable: boolean;
  factory(identity: IdentityService): Buffer;
}

/**
 * The simulated card's files, as data. EF_FPLMN has room for 20 networks (60 bytes, a
 * common USIM size; 31.102 asks for at least 4): host libraries read 12, 20, 45 bytes of
 * it and expect the bytes and 144,0.
 */
const FILES: Record<number, ElementaryFile> = {
  [EF_FPLMN]: { size: 60, writable: true, factory: () => Buffer.alloc(60, 0xff) },
  [EF_ICCID]: { size: 10, writable: false, factory: (id) => swappedBcd(id.iccid.padEnd(20, 'F')) },
  [EF_IMSI]: { size: 9, writable: false, factory: (id) => Buffer.concat([Buffer.from([8]), swappedBcd(`9${id.imsi}`)]) },
  [EF_AD]: { size: 4, writable: false, factory: () => Buffer.from([0, 0, 0, 2]) },
  [EF_HPPLMN]: { size: 1, writable: false, factory: () => Buffer.from([10]) },
};

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
    const file = this.file(fileId);
    if (!file) return { sw1: 106, sw2: 130 };
    if (!FILES[fileId]!.writable) return { sw1: 105, sw2: 130 };
    if (offset + data.length > file.length) return { sw1: 103, sw2: 0 };
    data.copy(file, offset);
    this.nvm.update<Record<string, string>>('sim', {}, (s) => {
      s[fileId] = file.toString('hex').toUpperCase();
    });
    return OK;
  }

  private file(fileId: number): Buffer | undefined {
    if (!this.identity.simPresent) throw fail('sim-missing');
    const spec = FILES[fileId];
    if (!spec) return undefined;
    const factory = spec.factory(this.identity);
    const stored = spec.writable ? this.nvm.read<Record<string, string>>('sim', {})[fileId] : undefined;
    if (!stored) return factory;
    // A file written before it grew (the older 12-byte FPLMN) keeps its bytes, padded with FF.
    const bytes = Buffer.from(stored, 'hex');
    return bytes.length >= spec.size ? bytes.subarray(0, spec.size) : Buffer.concat([bytes, factory.subarray(bytes.length)]);
  }
}

function swappedBcd(digits: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < digits.length; i += 2) bytes.push(parseInt(digits[i + 1]! + digits[i]!, 16));
  return Buffer.from(bytes);
}
