import { randomInt } from 'node:crypto';
import type { NvmStore } from '../nvm/store.js';
import { fail } from './errors.js';

interface IdentityRecord {
  imei: string;
  imsi: string;
  iccid: string;
}

/** Luhn check digit of a digit string (IMEI and ICCID both end in one). */
export function luhnDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    // Doubling starts from the rightmost digit of the payload, the one next to the check digit.
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

const randomDigits = (n: number): string => Array.from({ length: n }, () => String(randomInt(10))).join('');

/**
 * Serial numbers of the module (IMEI) and of its SIM (IMSI, ICCID). They are generated at
 * the first power-up and kept in NVM, so a module keeps its identity across restarts like
 * a real one does.
 */
export class IdentityService {
  private record?: IdentityRecord;
  /** Lab switch: a module without a SIM answers SIM commands with "SIM not inserted". */
  simPresent = true;

  constructor(
    private readonly nvm: NvmStore,
    private readonly imeiTac: string,
    private readonly homePlmn: string,
  ) {}

  powerOn(): void {
    const stored = this.nvm.read<IdentityRecord | null>('identity', null);
    if (stored) {
      this.record = stored;
      return;
    }
    const imeiBody = (this.imeiTac + randomDigits(14)).slice(0, 14);
    const imsi = (this.homePlmn + randomDigits(15)).slice(0, 15);
    const iccidBody = `8901${this.homePlmn.slice(0, 3)}${randomDigits(12)}`;
    this.record = { imei: imeiBody + luhnDigit(imeiBody), imsi, iccid: iccidBody + luhnDigit(iccidBody) };
    this.nvm.write('identity', this.record);
  }

  get imei(): string {
    return this.current().imei;
  }

  /** The SIM's identities; without a SIM there is nothing to read. */
  get imsi(): string {
    if (!this.simPresent) throw fail('sim-missing');
    return this.current().imsi;
  }

  get iccid(): string {
    if (!this.simPresent) throw fail('sim-missing');
    return this.current().iccid;
  }

  private current(): IdentityRecord {
    if (!this.record) this.powerOn();
    return this.record!;
  }
}
