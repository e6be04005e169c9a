import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '@modemlab/at';
import type { NetworkOperator } from './network/operator.js';

/** CellTime modes: off, a time pulse every period, one shot, time stamp of an external interrupt. */
export type CellTimeMode = 0 | 1 | 2 | 3;
/** Where time may come from: 1 best effort (GNSS, else the cell), 2 the cell only. */
export type CellTimeSensor = 1 | 2;

export interface CellTimeIndication {
  mode: CellTimeMode;
  /** 0 initialisation, 1 GNSS, 2 cell. */
  source: 0 | 1 | 2;
  /** true: absolute UTC (the network broadcasts it, SIB16); false: relative cell time. */
  absolute: boolean;
  /** 0 success. */
  result: number;
}

export interface CellTimeReading {
  /** The network's UTC time at the pulse, ms since the epoch, plus the host's offset. */
  utcMs: number;
  /** Accuracy of the reading in nanoseconds. */
  accuracyNs: number;
  absolute: boolean;
}

export interface CellTimeEvents {
  indication: [CellTimeIndication];
  time: [CellTimeReading];
}

/** How long the simulated cell takes to align the time (module clock). */
const SYNC_MS = 1000;
/** The accuracy the simulated network's time has (SIB16 on a simulated cell: 1 µs). */
const ACCURACY_NS = 1000;

/**
 * CellTime: time from the simulated network. The network broadcasts absolute UTC (its
 * clock is the module clock, which starts at this machine's time), so a sync always gives
 * absolute time from the cell; there is no GNSS fix to prefer. Settings are RAM (lost at
 * power-off). A sync needs the module on a cell.
 */
export class CellTime extends EventEmitter<CellTimeEvents> {
  mode: CellTimeMode = 0;
  sensor: CellTimeSensor = 1;
  pulsePeriodS = 1;
  pulseWidthMs = 100;
  offsetNs = 0;
  offsetS = 0;
  /** +UUTIMEIND reports wanted (the host's choice, RAM). */
  indications = false;
  private timer?: TimerHandle;

  constructor(
    private readonly clock: Clock,
    private readonly network: NetworkOperator,
  ) {
    super();
  }

  /** Starts (or stops, mode 0) CellTime; false when it cannot start now (not on a cell). */
  start(mode: CellTimeMode, sensor: CellTimeSensor = 1, pulse?: { periodS: number; widthMs: number }): boolean {
    if (mode !== 0 && !this.network.registered) return false;
    this.stop();
    this.mode = mode;
    this.sensor = sensor;
    if (pulse) {
      this.pulsePeriodS = pulse.periodS;
      this.pulseWidthMs = pulse.widthMs;
    }
    if (mode === 0) return true;
    this.timer = this.clock.setTimeout(() => this.synced(), SYNC_MS);
    return true;
  }

  setOffset(offsetNs: number, offsetS: number): void {
    this.offsetNs = offsetNs;
    this.offsetS = offsetS;
  }

  powerOff(): void {
    this.stop();
    this.mode = 0;
    this.sensor = 1;
    this.offsetNs = 0;
    this.offsetS = 0;
    this.indications = false;
  }

  private stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private synced(): void {
    const mode = this.mode;
    this.emit('indication', { mode, source: 2, absolute: true, result: 0 });
    // Mode 3 time-stamps an external interrupt; the lab has none to raise yet.
    if (mode === 3) return;
    this.pulse();
  }

  private pulse(): void {
    this.emit('time', { utcMs: this.clock.now() + this.offsetS * 1000 + this.offsetNs / 1e6, accuracyNs: ACCURACY_NS, absolute: true });
    if (this.mode === 1) this.timer = this.clock.setTimeout(() => this.pulse(), this.pulsePeriodS * 1000);
  }
}
