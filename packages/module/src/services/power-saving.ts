import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '@modemlab/at';
import type { NvmStore } from '../nvm/store.js';
import type { NetworkOperator } from './network/operator.js';

/** PSM request (3GPP 24.008 timer octets as 8-character bit strings; '' = not requested). */
export interface PsmSettings {
  enabled: boolean;
  periodicRau: string;
  gprsReadyTimer: string;
  periodicTau: string;
  activeTime: string;
}

/** eDRX request per access technology type (3GPP 27.007 <AcT-type>). */
export interface EdrxSetting {
  /** 0 off, 1 on, 2 on with unsolicited reports. */
  mode: 0 | 1 | 2;
  value: string;
}

/** Module sleep (UART power saving): mode and idle timeout in GSM frames. */
export interface SleepMode {
  mode: number;
  timeout: number;
}

interface PowerSavingNvm {
  psm: PsmSettings;
  edrx: Record<string, EdrxSetting>;
}

const DEFAULT_PSM: PsmSettings = { enabled: false, periodicRau: '', gprsReadyTimer: '', periodicTau: '01100000', activeTime: '00000000' };
const DEFAULT_SLEEP: SleepMode = { mode: 0, timeout: 2000 };

/** One GSM frame, the unit of the +UPSV idle timeout. */
export const GSM_FRAME_MS = 4.615;
/**
 * How each UART sleep mode decides (u-blox +UPSV): 'idle' sleeps after the timeout without
 * UART traffic and wakes on a host byte, which is lost; 'line' follows RTS (2) or DTR (3),
 * held asserted by a connected TCP or PTY client, so the UART stays awake.
 */
const SLEEP_BY_MODE: Record<number, 'idle' | 'line'> = { 1: 'idle', 2: 'line', 3: 'line', 4: 'idle' };

/** T3324 (GPRS timer 2) in ms; undefined when the timer is deactivated. */
export function activeTimeMs(bits: string): number | undefined {
  const unit = bits.slice(0, 3);
  const value = parseInt(bits.slice(3), 2) || 0;
  const unitMs: Record<string, number> = { '000': 2000, '001': 60_000, '010': 360_000 };
  return unitMs[unit] === undefined ? undefined : value * unitMs[unit]!;
}

/** T3412 extended (GPRS timer 3) in ms; undefined when deactivated. */
export function periodicTauMs(bits: string): number | undefined {
  const unitMs: Record<string, number> = { '000': 600_000, '001': 3_600_000, '010': 36_000_000, '011': 2_000, '100': 30_000, '101': 60_000, '110': 1_152_000_000 };
  const unit = unitMs[bits.slice(0, 3)];
  return unit === undefined ? undefined : (parseInt(bits.slice(3), 2) || 0) * unit;
}

/** The eDRX cycle of a requested value (4 bits, 24.008 table 10.5.5.32, E-UTRAN): 5.12 s .. 10485.76 s. */
export function edrxCycleMs(value: string): number {
  const n = parseInt(value, 2) || 0;
  const table = [5.12, 10.24, 20.48, 40.96, 61.44, 81.92, 102.4, 122.88, 143.36, 163.84, 327.68, 655.36, 1310.72, 2621.44, 5242.88, 10485.76];
  return Math.round(table[n & 15]! * 1000);
}

/**
 * Power saving: the PSM and eDRX requests (kept in NVM like the modules do), the UART
 * sleep mode, and a simple PSM model — once the RRC connection goes idle and the active
 * timer (T3324) runs out the module is in PSM; any new connection or lost registration
 * wakes it, and so does the periodic TAU (T3412): the one moment the network can reach it,
 * so mobile-terminated data waits for it (the radio link holds it).
 */
export class PowerSaving extends EventEmitter<{ psm: [{ entered: boolean }] }> {
  sleep: SleepMode = { ...DEFAULT_SLEEP };
  inPsm = false;
  private timer?: TimerHandle;

  constructor(
    private readonly nvm: NvmStore,
    private readonly clock: Clock,
    private readonly operator: NetworkOperator,
  ) {
    super();
    operator.on('rrc', ({ connected }) => (connected ? this.wake() : this.idle()));
    operator.on('registration', ({ stat }) => {
      if (stat !== 1 && stat !== 5) this.wake();
    });
  }

  /** After how long without UART traffic the UART sleeps now (undefined: it stays awake). */
  uartIdleSleepMs(): number | undefined {
    return SLEEP_BY_MODE[this.sleep.mode] === 'idle' ? this.sleep.timeout * GSM_FRAME_MS : undefined;
  }

  get psm(): PsmSettings {
    return this.stored().psm;
  }

  edrx(actType: number): EdrxSetting | undefined {
    return this.stored().edrx[actType];
  }

  edrxList(): Array<{ actType: number } & EdrxSetting> {
    return Object.entries(this.stored().edrx)
      .map(([k, v]) => ({ actType: Number(k), ...v }))
      .sort((a, b) => a.actType - b.actType);
  }

  setPsm(change: Partial<PsmSettings>): void {
    this.nvm.update<PowerSavingNvm>('power-saving', this.defaults(), (s) => {
      s.psm = { ...s.psm, ...change };
    });
  }

  resetPsm(): void {
    this.nvm.update<PowerSavingNvm>('power-saving', this.defaults(), (s) => {
      s.psm = { ...DEFAULT_PSM };
    });
  }

  setEdrx(actType: number, setting: EdrxSetting | undefined): void {
    this.nvm.update<PowerSavingNvm>('power-saving', this.defaults(), (s) => {
      if (setting) s.edrx[actType] = setting;
      else delete s.edrx[actType];
    });
  }

  resetEdrx(): void {
    this.nvm.update<PowerSavingNvm>('power-saving', this.defaults(), (s) => {
      s.edrx = {};
    });
  }

  powerOn(): void {
    this.sleep = { ...DEFAULT_SLEEP };
    this.inPsm = false;
  }

  powerOff(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.inPsm = false;
  }

  private idle(): void {
    const psm = this.psm;
    if (!psm.enabled) return;
    const ms = activeTimeMs(psm.activeTime);
    if (ms === undefined) return;
    this.timer?.cancel();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.inPsm = true;
      this.emit('psm', { entered: true });
      const tau = periodicTauMs(this.psm.periodicTau);
      // The periodic TAU runs over an RRC connection: the module is awake and reachable again.
      if (tau !== undefined && tau > 0) this.timer = this.clock.setTimeout(() => this.operator.activity(), tau);
    }, ms);
  }

  private wake(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (!this.inPsm) return;
    this.inPsm = false;
    this.emit('psm', { entered: false });
  }

  private stored(): PowerSavingNvm {
    return this.nvm.read<PowerSavingNvm>('power-saving', this.defaults());
  }

  private defaults(): PowerSavingNvm {
    return { psm: { ...DEFAULT_PSM }, edrx: {} };
  }
}
