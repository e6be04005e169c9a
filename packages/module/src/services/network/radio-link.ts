import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '@modemlab/at';
import { parseRadioSpec, type RadioProfile, type RadioScriptStep } from '../../models/radio-profiles.js';
import type { PowerSaving } from '../power-saving.js';
import { edrxCycleMs } from '../power-saving.js';
import type { NetworkOperator } from './operator.js';

/** A bad radio spec or script: nothing changed. */
export class RadioSpecError extends Error {}

export type { RadioScriptStep };

/** eDRX <AcT-type> (27.007 +CEDRXS) of each RAT: GSM (A/Gb), E-UTRAN WB-S1 (Cat-M1), E-UTRAN NB-S1. */
const EDRX_ACT: Record<string, number> = { gsm: 1, ltem: 4, nbiot: 5 };

/**
 * The radio link of a module (the lab's network condition): a per-RAT profile from
 * models/radio-profiles ('ltem:edge'), or 'off' (loopback speed, the default). Setting a
 * profile sets the operator's signal and registration time; the dialer asks it how long a
 * byte takes each way and whether the module can receive now (PSM, eDRX paging, coverage).
 * Loss and jitter come from a seeded generator so a run is reproducible.
 */
export class RadioLink extends EventEmitter<{ change: [{ spec: string }]; release: [] }> {
  private current?: { spec: string; profile: RadioProfile; rat: string };
  private readonly baseline: Pick<NetworkOperator['options'], 'rssi' | 'rsrp' | 'rsrq' | 'sinr' | 'registrationDelayMs'>;
  private seed: number;
  private scriptTimers: TimerHandle[] = [];

  constructor(
    readonly clock: Clock,
    private readonly operator: NetworkOperator,
    private readonly powerSaving: PowerSaving,
    seed = 0x5eed,
  ) {
    super();
    this.setMaxListeners(0);
    const o = operator.options;
    this.baseline = { rssi: o.rssi, rsrp: o.rsrp, rsrq: o.rsrq, sinr: o.sinr, registrationDelayMs: o.registrationDelayMs };
    this.seed = seed >>> 0;
    const release = () => this.emit('release');
    powerSaving.on('psm', ({ entered }) => entered || release());
    operator.on('registration', release);
    operator.on('rrc', ({ connected }) => connected && release());
  }

  /** Whether data is shaped at all ('off' is loopback speed). */
  get active(): boolean {
    return this.current !== undefined;
  }

  profile(): RadioProfile | undefined {
    return this.current?.profile;
  }

  /** 'ltem:edge', or 'off'. */
  spec(): string {
    return this.current?.spec ?? 'off';
  }

  /** Applies 'rat[:condition]' or 'off' at once; RadioSpecError (and no change) for anything else. */
  set(spec: string): void {
    const s = spec.trim().toLowerCase();
    if (s === 'off' || s === 'none') {
      this.current = undefined;
      Object.assign(this.operator.options, this.baseline);
    } else {
      const parsed = parseRadioSpec(s);
      if (!parsed) throw new RadioSpecError(`unknown radio profile '${spec}' (rat ltem|nbiot|gsm, condition good|edge|deep-indoor)`);
      const p = parsed.profile;
      this.current = { spec: `${parsed.rat}:${parsed.condition}`, profile: p, rat: parsed.rat };
      Object.assign(this.operator.options, { rssi: p.rssi, rsrp: p.rsrp, rsrq: p.rsrq, sinr: p.sinr, registrationDelayMs: p.registrationMs });
    }
    this.emit('change', { spec: this.spec() });
    this.emit('release');
  }

  /** One-way delay of a packet now: half the RTT, plus jitter (uniform, +-jitter/2). */
  oneWayMs(): number {
    const p = this.current?.profile;
    if (!p) return 0;
    return Math.max(0, p.rttMs / 2 + (this.random() - 0.5) * p.jitterMs);
  }

  /** Time on air of `bytes` in a direction, ms. */
  airtimeMs(bytes: number, dir: 'up' | 'down'): number {
    const p = this.current?.profile;
    if (!p) return 0;
    return (bytes * 8000) / (dir === 'up' ? p.uplinkBps : p.downlinkBps);
  }

  /** Whether this datagram is lost / delivered late (seeded draws). */
  udpLost(): boolean {
    const p = this.current?.profile;
    return p !== undefined && this.random() < p.udpLoss;
  }

  udpReordered(): boolean {
    const p = this.current?.profile;
    return p !== undefined && this.random() < p.udpReorder;
  }

  rttMs(): number {
    return this.current?.profile.rttMs ?? 0;
  }

  /**
   * When data can cross the air now in a direction: `now` when it can; a later time (the
   * next eDRX paging occasion) for mobile-terminated data of an idle module; undefined
   * while it cannot until something changes (no registration; PSM, which only the module's
   * own uplink or its periodic TAU ends) — 'release' is emitted then.
   */
  readyAt(dir: 'up' | 'down'): number | undefined {
    const now = this.clock.now();
    if (!this.operator.registered) return undefined;
    if (dir === 'up') return now;
    if (this.powerSaving.inPsm) return undefined;
    if (this.operator.rrcConnected) return now;
    const cycle = this.edrxCycle();
    if (cycle === undefined) return now;
    return Math.ceil(now / cycle) * cycle;
  }

  /** Data crossed the air: the RRC connection is up (an uplink wakes the module from PSM). */
  activity(): void {
    this.operator.activity();
  }

  /** Runs a radio script on the module clock, from now; replaces a running one. */
  runScript(steps: RadioScriptStep[]): void {
    for (const s of steps) if (s.radio !== undefined && s.radio.trim().toLowerCase() !== 'off' && !parseRadioSpec(s.radio)) throw new RadioSpecError(`radio script: unknown profile '${s.radio}'`);
    this.stopScript();
    this.scriptTimers = steps.map((s) =>
      this.clock.setTimeout(() => {
        if (s.radio !== undefined) this.set(s.radio);
        if (s.coverage !== undefined) this.operator.setCoverage(s.coverage);
      }, s.at),
    );
  }

  stopScript(): void {
    this.scriptTimers.forEach((t) => t.cancel());
    this.scriptTimers = [];
  }

  private edrxCycle(): number | undefined {
    const acts = this.current ? [EDRX_ACT[this.current.rat]!] : [4, 5, 3, 1];
    for (const act of acts) {
      const e = this.powerSaving.edrx(act);
      if (e && e.mode !== 0) return edrxCycleMs(e.value);
    }
    return undefined;
  }

  /** mulberry32: reproducible draws. */
  private random(): number {
    this.seed = (this.seed + 0x6d2b79f5) >>> 0;
    let t = this.seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/** A radio script from JSON text: a list of {at, coverage?, radio?}, `at` ascending ms >= 0. */
export function parseRadioScript(text: string): RadioScriptStep[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new RadioSpecError(`radio script: not JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(data)) throw new RadioSpecError('radio script: expected a JSON list of steps');
  return data.map((s: unknown, i) => {
    const step = s as Record<string, unknown>;
    if (typeof step !== 'object' || step === null || typeof step.at !== 'number' || !(step.at >= 0)) throw new RadioSpecError(`radio script step ${i}: 'at' must be a number of ms >= 0`);
    if (step.coverage !== undefined && typeof step.coverage !== 'boolean') throw new RadioSpecError(`radio script step ${i}: 'coverage' must be true or false`);
    if (step.radio !== undefined && typeof step.radio !== 'string') throw new RadioSpecError(`radio script step ${i}: 'radio' must be a profile such as "ltem:edge"`);
    if (step.radio !== undefined && step.radio.trim().toLowerCase() !== 'off' && !parseRadioSpec(step.radio)) throw new RadioSpecError(`radio script step ${i}: unknown profile '${step.radio}'`);
    return { at: step.at, ...(step.coverage !== undefined ? { coverage: step.coverage } : {}), ...(step.radio !== undefined ? { radio: step.radio } : {}) };
  });
}
