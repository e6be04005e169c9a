import type { NvmStore } from '../nvm/store.js';

interface RadioNvm {
  rats?: number[];
  operatorProfile?: number;
  /** Band masks per RAT as decimal strings (64-bit values do not fit a JSON number). */
  bandMasks?: Record<string, string>;
}

export interface RadioDefaults {
  /** RATs in preference order; the first is the default. */
  rats: number[];
  operatorProfile: number;
  /** Supported LTE bands per RAT. */
  bands: Record<number, number[]>;
}

/** Bit n-1 stands for band n; only bands 1-64 fit the first mask. */
export function bandsToMask(bands: readonly number[]): bigint {
  return bands.filter((b) => b >= 1 && b <= 64).reduce((m, b) => m | (1n << BigInt(b - 1)), 0n);
}

/**
 * Radio configuration kept in NVM: selected RATs, the operator (MNO) profile and the band
 * masks. RAT and operator profile changes are stored at once but take effect at the next
 * power-up, as on the real modules; until then the module runs with the effective values.
 */
export class RadioConfig {
  effectiveRats: number[];
  effectiveOperatorProfile: number;

  constructor(
    private readonly nvm: NvmStore,
    private readonly defaults: RadioDefaults,
  ) {
    this.effectiveRats = [...defaults.rats.slice(0, 1)];
    this.effectiveOperatorProfile = defaults.operatorProfile;
  }

  powerOn(): void {
    const s = this.stored();
    this.effectiveRats = s.rats ?? [...this.defaults.rats.slice(0, 1)];
    this.effectiveOperatorProfile = s.operatorProfile ?? this.defaults.operatorProfile;
  }

  /** The RAT the module uses now. */
  get currentRat(): number {
    return this.effectiveRats[0]!;
  }

  setRats(rats: number[]): void {
    this.nvm.update<RadioNvm>('radio', {}, (s) => {
      s.rats = [...rats];
    });
  }

  setOperatorProfile(profile: number): void {
    this.nvm.update<RadioNvm>('radio', {}, (s) => {
      s.operatorProfile = profile;
    });
  }

  supportedMask(rat: number): bigint {
    return bandsToMask(this.defaults.bands[rat] ?? []);
  }

  bandMask(rat: number): bigint {
    const stored = this.stored().bandMasks?.[rat];
    return stored !== undefined ? BigInt(stored) : this.supportedMask(rat);
  }

  setBandMask(rat: number, mask: bigint): void {
    this.nvm.update<RadioNvm>('radio', {}, (s) => {
      s.bandMasks = { ...s.bandMasks, [rat]: mask.toString() };
    });
  }

  private stored(): RadioNvm {
    return this.nvm.read<RadioNvm>('radio', {});
  }
}
